import Foundation
import StagecraftOutput
import StagecraftPlanner
import XCTest
import Yams

/// Every generated GitHub workflow passes the tools GitHub users run on theirs.
final class WorkflowValidationTests: XCTestCase {
    /// Every variant whose pipeline runs on GitHub Actions.
    private func outputs() throws -> [(String, URL, [String])] {
        try GoldenTests.variants().filter { $0.1.pipeline?.providers.contains(.githubActions) ?? false }.map { name, spec in
            let files = try Fixtures.renderer.render(spec).files
            let directory = try Fixtures.temporaryDirectory("workflows-\(name)")
            try Fixtures.materialize(files, in: directory)
            let workflows = files.paths.map(\.value).filter { $0.hasPrefix(".github/workflows/") }
            return (name, directory, workflows)
        }
    }

    func testActionlintWithShellcheck() throws {
        let actionlint = try Tools.require("actionlint")
        _ = try Tools.require("shellcheck")
        for (name, directory, workflows) in try outputs() {
            XCTAssertFalse(workflows.isEmpty, name)
            let result = try Tools.run(actionlint, ["-no-color"] + workflows, in: directory)
            XCTAssertEqual(result.status, 0, "\(name):\n\(result.output)")
        }
    }

    func testZizmorFindsNothingOfMediumSeverityOrHigher() throws {
        let zizmor = try Tools.require("zizmor")
        for (name, directory, workflows) in try outputs() {
            let result = try Tools.run(zizmor, ["--offline", "--no-progress", "--min-severity", "medium"] + workflows, in: directory)
            XCTAssertEqual(result.status, 0, "\(name):\n\(result.output)")
        }
    }

    func testWorkflowsMatchGitHubsSchema() throws {
        let checker = try Tools.require("check-jsonschema")
        for (name, directory, workflows) in try outputs() {
            let result = try Tools.run(checker, ["--builtin-schema", "vendor.github-workflows"] + workflows, in: directory)
            XCTAssertEqual(result.status, 0, "\(name):\n\(result.output)")
        }
    }

    /// Every deploy job checks out the commit whose images it deploys: a manual redeploy of an
    /// earlier image tag deploys that commit's configuration, not the branch's newest.
    func testEveryDeployJobChecksOutTheCommitOfItsImageTag() throws {
        for (name, directory, workflows) in try outputs() {
            for workflow in workflows where workflow.hasSuffix("-deploy.yml") {
                let text = try String(contentsOf: directory.appendingPathComponent(workflow), encoding: .utf8)
                let document = try XCTUnwrap(try Yams.load(yaml: text) as? [String: Any])
                for (job, value) in try XCTUnwrap(document["jobs"] as? [String: Any]) {
                    let steps = try XCTUnwrap((value as? [String: Any])?["steps"] as? [[String: Any]])
                    let checkouts = steps.filter { ($0["uses"] as? String)?.hasPrefix("actions/checkout@") ?? false }
                    XCTAssertEqual(checkouts.count, 1, "\(name) \(job)")
                    XCTAssertEqual((checkouts.first?["with"] as? [String: Any])?["ref"] as? String, "${{ inputs.image-tag }}", "\(name) \(job)")
                }
            }
        }
    }

    /// A called workflow sees no repository secret it is not handed: every secret a deploy job
    /// reads is declared by the deploy workflow and passed by the CI workflow's call.
    func testEverySecretTheDeployReadsIsPassedByTheCall() throws {
        for (name, directory, workflows) in try outputs() {
            guard let deployPath = workflows.first(where: { $0.hasSuffix("-deploy.yml") }),
                  let ciPath = workflows.first(where: { $0.hasSuffix("-ci.yml") }) else { continue }
            let deployText = try String(contentsOf: directory.appendingPathComponent(deployPath), encoding: .utf8)
            let read = Set(deployText.matches(of: /\$\{\{ secrets\.([A-Z0-9_]+) \}\}/).map { String($0.output.1) })
            XCTAssertFalse(read.isEmpty, name)
            let deploy = try XCTUnwrap(try Yams.load(yaml: deployText) as? [String: Any])
            let declared = Set(((((deploy["on"] as? [String: Any])?["workflow_call"] as? [String: Any])?["secrets"] as? [String: Any]) ?? [:]).keys)
            XCTAssertEqual(declared, read, "\(name): declared by the deploy workflow")
            let ci = try XCTUnwrap(try Yams.load(yaml: String(contentsOf: directory.appendingPathComponent(ciPath), encoding: .utf8)) as? [String: Any])
            let passed = (((ci["jobs"] as? [String: Any])?["deploy"] as? [String: Any])?["secrets"] as? [String: String]) ?? [:]
            XCTAssertEqual(Set(passed.keys), read, "\(name): passed by the CI workflow")
            for (key, value) in passed { XCTAssertEqual(value, "${{ secrets.\(key) }}", name) }
        }
    }

    func testEveryActionIsPinnedToAFullSHAWithItsVersion() throws {
        for (name, directory, workflows) in try outputs() {
            for workflow in workflows {
                let text = try String(contentsOf: directory.appendingPathComponent(workflow), encoding: .utf8)
                for line in text.split(separator: "\n") where line.contains("uses: ") && !line.contains("uses: ./") {
                    let pinned = line.range(of: #"@[0-9a-f]{40} # v\d+\.\d+\.\d+$"#, options: .regularExpression) != nil
                    XCTAssertTrue(pinned, "\(name)/\(workflow): \(line)")
                }
            }
        }
    }
}

/// No generated file carries a secret value: secrets appear only as references.
final class SecretLeakTests: XCTestCase {
    func testNoGeneratedFileContainsASecretValue() throws {
        for (name, spec) in try GoldenTests.variants() {
            let generation = try Fixtures.renderer.render(spec)
            let secretNames = Set(generation.plan.environments.flatMap { $0.workloads.flatMap { $0.secrets.map(\.name) } })
            XCTAssertFalse(secretNames.isEmpty, name)
            for file in generation.files.files {
                for token in file.text.split(whereSeparator: { $0.isWhitespace || $0 == "\"" || $0 == "'" }) {
                    XCTAssertFalse(ValueRules.looksLikeSecretValue(String(token)), "\(name)/\(file.path): \(token)")
                }
                for line in file.text.split(separator: "\n") {
                    for secret in secretNames {
                        // A secret's name may be assigned only a reference, never a value.
                        guard let marker = ["\(secret)=", "\(secret): "].first(where: line.contains) else { continue }
                        let assigned = line.components(separatedBy: marker).dropFirst().joined(separator: marker).trimmingCharacters(in: .whitespaces)
                        XCTAssertTrue(assigned.isEmpty || assigned.hasPrefix("${{ secrets.") || assigned.hasPrefix("$") || assigned.hasPrefix("{"), "\(name)/\(file.path): \(line)")
                    }
                }
            }
        }
    }
}
