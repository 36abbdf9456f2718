import Foundation
import StagecraftEmitters
import XCTest

/// The action pins and schemas Stagecraft ships are copies of the project's shared data:
/// they must not drift from it.
final class SharedDataTests: XCTestCase {
    private func shared(_ path: String) throws -> URL {
        let url = Fixtures.repositoryRoot.appendingPathComponent("../shared/\(path)").standardizedFileURL
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("the project's shared data is not beside this checkout (\(url.path))")
        }
        return url
    }

    func testEveryActionPinMatchesTheSharedPins() throws {
        let data = try Data(contentsOf: try shared("data/action-pins.json"))
        let actions = try XCTUnwrap((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["actions"] as? [String: [String: Any]])
        for pin in ActionPins.all {
            let entry = actions.first { $0.key.lowercased() == pin.repository.lowercased() }?.value
            XCTAssertEqual(entry?["sha"] as? String, pin.sha, pin.repository)
            XCTAssertEqual(entry?["version"] as? String, pin.version, pin.repository)
        }
    }

    func testShippedSchemasAreTheSharedOnes() throws {
        for name in ["cnpg-backup", "cnpg-cluster", "cnpg-pooler", "cnpg-scheduledbackup"].map({ "\($0).strict.schema.json" }) + ["sarif-2.1.0.schema.json"] {
            let shipped = try Data(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("schemas/\(name)"))
            // Outside the assertion: XCTest counts a skip thrown inside one as a failure.
            let original = try Data(contentsOf: try shared("schemas/\(name)"))
            XCTAssertEqual(shipped, original, name)
        }
    }
}
