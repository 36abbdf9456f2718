import Foundation
import XCTest

/// Runs the real Terraform on generated output: formatting of the whole tree, and
/// `init -backend=false` + `validate` of a root module against the mirrored AWS provider.
enum TerraformCheck {
    static let pluginDirectory = "/opt/tf-plugins"

    static func requireTerraform() throws -> String {
        let terraform = try Tools.require("terraform")
        guard FileManager.default.fileExists(atPath: pluginDirectory) else {
            throw XCTSkip("the AWS provider mirror \(pluginDirectory) is not installed on this machine")
        }
        return terraform
    }

    static func assertFormatted(_ directory: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try Tools.run(try requireTerraform(), ["fmt", "-check", "-recursive", "-diff", directory.path])
        XCTAssertEqual(result.status, 0, "terraform fmt would change:\n\(result.output)", file: file, line: line)
    }

    /// Validates `root` (relative to `output`) in a copy of the output, so neither the lock file
    /// nor `.terraform/` lands in the generated folder.
    static func assertValid(_ root: String, in output: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let terraform = try requireTerraform()
        let scratch = try Fixtures.temporaryDirectory("terraform")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let copy = scratch.appendingPathComponent("output")
        try FileManager.default.copyItem(at: output, to: copy)
        let directory = copy.appendingPathComponent(root)
        let environment = ["TF_DATA_DIR": scratch.appendingPathComponent("data").path, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"]
        let initialise = try Tools.run(terraform, ["init", "-backend=false", "-input=false", "-no-color", "-plugin-dir=\(pluginDirectory)"], in: directory, environment: environment)
        guard initialise.status == 0 else {
            return XCTFail("terraform init failed in \(root):\n\(initialise.output)", file: file, line: line)
        }
        let validate = try Tools.run(terraform, ["validate", "-no-color"], in: directory, environment: environment)
        XCTAssertEqual(validate.status, 0, "terraform validate failed in \(root):\n\(validate.output)", file: file, line: line)
    }

    /// `terraform test` on `root` with a mocked AWS provider (every alias the root declares): a
    /// plan and an apply with no account and no network, so the provider's own checks (name
    /// lengths, enumerations, conflicting arguments) run. `variables` are the values a deploy
    /// passes (TF_VAR_…).
    static func assertAppliesWithMockedAWS(_ root: String, in output: URL, variables: [String: String] = [:],
                                            file: StaticString = #filePath, line: UInt = #line) throws {
        let terraform = try requireTerraform()
        let scratch = try Fixtures.temporaryDirectory("terraform-test")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let copy = scratch.appendingPathComponent("output")
        try FileManager.default.copyItem(at: output, to: copy)
        let directory = copy.appendingPathComponent(root)
        let sources = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".tf") }
            .map { try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8) }.joined(separator: "\n")
        let aliases = Set(sources.matches(of: /alias\s*=\s*"([A-Za-z0-9_-]+)"/).map { String($0.output.1) }).sorted()
        var test = "mock_provider \"aws\" {}\n"
        for alias in aliases { test += "mock_provider \"aws\" {\n  alias = \"\(alias)\"\n}\n" }
        if !variables.isEmpty {
            test += "variables {\n" + variables.sorted { $0.key < $1.key }.map { "  \($0.key) = \"\($0.value)\"\n" }.joined() + "}\n"
        }
        test += "run \"apply\" {\n  command = apply\n}\n"
        let tests = directory.appendingPathComponent("tests")
        try FileManager.default.createDirectory(at: tests, withIntermediateDirectories: true)
        try test.write(to: tests.appendingPathComponent("mocked-aws.tftest.hcl"), atomically: true, encoding: .utf8)
        let environment = ["TF_DATA_DIR": scratch.appendingPathComponent("data").path, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"]
        let initialise = try Tools.run(terraform, ["init", "-backend=false", "-input=false", "-no-color", "-plugin-dir=\(pluginDirectory)"], in: directory, environment: environment)
        guard initialise.status == 0 else {
            return XCTFail("terraform init failed in \(root):\n\(initialise.output)", file: file, line: line)
        }
        let result = try Tools.run(terraform, ["test", "-no-color"], in: directory, environment: environment)
        XCTAssertEqual(result.status, 0, "terraform test (mocked AWS) failed in \(root):\n\(result.output)", file: file, line: line)
    }
}
