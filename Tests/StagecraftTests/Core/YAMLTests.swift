import StagecraftEmitters
import Yams
import XCTest

final class YAMLTests: XCTestCase {
    func testStringsThatWouldReadAsAnotherTypeAreQuoted() throws {
        let risky = ["on", "Off", "yes", "No", "y", "true", "FALSE", "null", "~", "", "123", "12345e6", "0x1F", "1.5", ".5", "-1", "+1", ".inf", "2026-01-01", "<<", "="]
        let plain = ["web", "Deploy staging", "ghcr.io/acme/web", "yesterday", "online", "nullable", "a: b", "# not a comment"]
        for value in risky + plain {
            let text = try YAML.map([("key", .string(value))]).serialized()
            let loaded = try Yams.load(yaml: text) as? [String: Any]
            XCTAssertEqual(loaded?["key"] as? String, value, "\(value.debugDescription) read back as \(String(describing: loaded?["key"])) from \(text)")
        }
        XCTAssertEqual(try YAML.map([("name", "web")]).serialized(), "name: web\n")
    }
}
