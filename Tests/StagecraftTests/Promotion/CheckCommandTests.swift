import Foundation
import XCTest

/// `stagecraft check` through the real binary.
final class CheckCommandTests: XCTestCase {
    func testSARIFValidatesAndPointsAtRealLines() throws {
        let validator = try Tools.require("check-jsonschema")
        let directory = try Fixtures.workspace("promote", examples: ["blog"])
        let result = try Fixtures.stagecraft(["check", "stacks/blog.swift", "--stage", "growth", "--format", "sarif"], in: directory)
        XCTAssertEqual(result.status, 1, "gates fail at growth")
        let sarifURL = directory.appendingPathComponent("check.sarif")
        try Data(result.output.utf8).write(to: sarifURL)
        let schema = Fixtures.repositoryRoot.appendingPathComponent("schemas/sarif-2.1.0.schema.json")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: schema.path), "the SARIF schema is not on this machine")
        let validation = try Tools.run(validator, ["--schemafile", schema.path, sarifURL.path])
        XCTAssertEqual(validation.status, 0, validation.output)

        let log = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let run = try XCTUnwrap((log["runs"] as? [[String: Any]])?.first)
        let rules = try XCTUnwrap(((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]])
        let results = try XCTUnwrap(run["results"] as? [[String: Any]])
        XCTAssertFalse(results.isEmpty)
        let lines = try String(contentsOf: directory.appendingPathComponent("stacks/blog.swift"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
        var seen: [String: String] = [:]
        for result in results {
            let location = try XCTUnwrap((result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])
            XCTAssertEqual((location["artifactLocation"] as? [String: Any])?["uri"] as? String, "stacks/blog.swift")
            let line = try XCTUnwrap((location["region"] as? [String: Any])?["startLine"] as? Int)
            XCTAssertTrue((1...lines.count).contains(line))
            seen[result["ruleId"] as! String] = String(lines[line - 1]).trimmingCharacters(in: .whitespaces)
            XCTAssertNotNil(rules.first { $0["id"] as? String == result["ruleId"] as? String })
        }
        XCTAssertEqual(seen["SC102-shared-sessions"], "Sessions(.inProcess)")
        XCTAssertEqual(seen["SC103-object-storage"], "Uploads(.localDisk(path: \"/var/lib/blog/uploads\"))")
        XCTAssertEqual(seen["SC111-recovery-point"], "Backups(rpo: .hours(24))")
        for rule in rules { XCTAssertTrue(((rule["help"] as? [String: Any])?["text"] as? String)?.contains("Fix:") ?? false) }
    }

    func testTextAndJSONShowStagesAndExitByGates() throws {
        let directory = try Fixtures.workspace("promote", examples: ["shop"])
        let text = try Fixtures.stagecraft(["check", "stacks/shop.swift"], in: directory)
        XCTAssertEqual(text.status, 0, text.output)
        XCTAssertTrue(text.output.contains("environments: development (growth), staging (growth), production (growth)"), text.output)
        XCTAssertTrue(text.output.contains("every gate of growth passes"), text.output)

        let json = try Fixtures.stagecraft(["check", "stacks/shop.swift", "--stage", "scale", "--format", "json"], in: directory)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any], json.output)
        XCTAssertEqual(report["stage"] as? String, "scale")
        XCTAssertEqual(json.status, (report["passesGates"] as? Bool) == true ? 0 : 1)
        let findings = try XCTUnwrap(report["findings"] as? [[String: Any]])
        XCTAssertTrue(findings.allSatisfy { ($0["fix"] as? [String: Any])?["line"] is String })
    }
}
