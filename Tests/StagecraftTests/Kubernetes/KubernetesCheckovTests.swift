import Foundation
import XCTest

/// checkov's Kubernetes policies on every rendered overlay of both stacks, with only the
/// allow-list Stagecraft writes next to the overlays (`kubernetes/.checkov.yaml`).
final class KubernetesCheckovTests: XCTestCase {
    func testRenderedOverlaysPassCheckovExceptTheAllowList() throws {
        let checkov = try Tools.require("checkov")
        let scanned = try Fixtures.temporaryDirectory("checkov")
        defer { try? FileManager.default.removeItem(at: scanned) }
        let stacks = try KubernetesRendering.both()
        defer { for rendered in stacks { try? FileManager.default.removeItem(at: rendered.root) } }
        for rendered in stacks {
            for environment in rendered.kubernetesEnvironments {
                try rendered.build(environment.name)
                    .write(to: scanned.appendingPathComponent("\(rendered.name)-\(environment.name).yaml"), atomically: true, encoding: .utf8)
            }
        }
        let config = stacks[0].root.appendingPathComponent("kubernetes/.checkov.yaml")
        try assertEveryEntryHasAReason(try String(contentsOf: config, encoding: .utf8))

        let result = try Tools.run(checkov, ["-d", scanned.path, "--framework", "kubernetes", "--config-file", config.path, "--compact", "--quiet"],
                                   environment: ["BC_SKIP_MAPPING": "TRUE"])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertFalse(result.output.contains("FAILED for resource"), result.output)
    }

    private func assertEveryEntryHasAReason(_ text: String) throws {
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let entries = lines.indices.filter { lines[$0].hasPrefix("- CKV") }
        XCTAssertFalse(entries.isEmpty)
        XCTAssertLessThanOrEqual(entries.count, 5, "the allow-list should stay short")
        for index in entries {
            XCTAssertTrue(index > 0 && lines[index - 1].hasPrefix("# ") && lines[index - 1].count > 30, "no reason for \(lines[index])")
        }
    }
}
