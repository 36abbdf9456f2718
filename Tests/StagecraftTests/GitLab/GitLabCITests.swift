import Foundation
import StagecraftEmitters
import StagecraftSpec
import XCTest
import Yams

/// `.gitlab-ci.yml`, rendered from the same job graph as the GitHub workflows.
final class GitLabCITests: XCTestCase {
    /// Every example and platform variant with both providers selected.
    private func bothProviders() throws -> [(String, StackSpec)] {
        try Fixtures.variantNames.map { name in
            var spec = try Fixtures.variant(name)
            spec.pipeline?.providers = [.githubActions, .gitlab]
            return (name, spec)
        }
    }

    private func pipeline(_ spec: StackSpec) throws -> (text: String, document: [String: Any]) {
        let files = try Fixtures.renderer.render(spec).files
        let text = try XCTUnwrap(files[GitLabCIEmitter.path]).text
        return (text, try XCTUnwrap(try Yams.load(yaml: text) as? [String: Any]))
    }

    func testEveryGeneratedPipelinePassesGitLabsSchema() throws {
        let checker = try Tools.require("check-jsonschema")
        let directory = try Fixtures.temporaryDirectory("gitlab-schema")
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        var paths: [String] = []
        for (name, spec) in try bothProviders() {
            let file = directory.appendingPathComponent("\(name).gitlab-ci.yml")
            try pipeline(spec).text.write(to: file, atomically: true, encoding: .utf8)
            paths.append(file.path)
        }
        let result = try Tools.run(checker, ["--builtin-schema", "vendor.gitlab-ci"] + paths)
        XCTAssertEqual(result.status, 0, result.output)
    }

    /// The same jobs, in the same order, with the same dependencies as the GitHub workflows.
    func testTheJobGraphIsTheOneGitHubRuns() throws {
        for (name, spec) in try bothProviders() {
            let generation = try Fixtures.renderer.render(spec)
            let (_, gitlab) = try pipeline(spec)
            let ci = try XCTUnwrap(try Yams.load(yaml: generation.files[GitHubActionsEmitter.ciPath(generation.plan.stack)]!.text) as? [String: Any])
            let githubJobs = try XCTUnwrap(ci["jobs"] as? [String: Any])
            let scans: Set<String> = ["dependency-review", "code-scanning", "secret-scanning"]
            for (id, job) in githubJobs where id != "deploy" && !scans.contains(id) {
                let gitlabJob = try XCTUnwrap(gitlab[id] as? [String: Any], "\(name): no GitLab job \(id)")
                XCTAssertEqual((gitlabJob["needs"] as? [String]) ?? [], ((job as? [String: Any])?["needs"] as? [String]) ?? [], "\(name)/\(id)")
            }
            for target in generation.plan.pipeline.deploys {
                let job = try XCTUnwrap(gitlab[target.environment] as? [String: Any], "\(name): no deploy job for \(target.environment)")
                XCTAssertEqual(job["stage"] as? String, "deploy")
                XCTAssertEqual(job["resource_group"] as? String, "\(generation.plan.stack)-deploy-\(target.environment)", name)
                let environment = try XCTUnwrap(job["environment"] as? [String: Any])
                XCTAssertEqual(environment["name"] as? String, target.environment)
                XCTAssertEqual(environment["url"] as? String, target.url)
                let rules = try XCTUnwrap(job["rules"] as? [[String: Any]])
                XCTAssertEqual(rules.first?["when"] as? String, target.requiresApproval ? "manual" : nil, "\(name)/\(target.environment)")
                if let after = target.after { XCTAssertEqual(job["needs"] as? [String], [after]) }
            }
            let scanning = generation.plan.pipeline.codeScanning
            XCTAssertEqual((gitlab["include"] as? [[String: String]])?.contains(["template": "Jobs/SAST.gitlab-ci.yml"]) ?? false, scanning, name)
        }
    }

    func testTheShopPipelineRunsChecksOnMergeRequestsAndDeploysProductionManually() throws {
        let (text, document) = try pipeline(try Fixtures.variant("shop-gitlab"))
        XCTAssertEqual(document["stages"] as? [String], ["test", "build", "deploy"])
        let workflow = try XCTUnwrap((document["workflow"] as? [String: Any])?["rules"] as? [[String: String]])
        XCTAssertEqual(workflow, [["if": "$CI_PIPELINE_SOURCE == \"merge_request_event\""], ["if": "$CI_COMMIT_BRANCH == \"main\""]])
        let build = try XCTUnwrap(document["build"] as? [String: Any])
        XCTAssertEqual(build["image"] as? String, "swift:6.1")
        XCTAssertNotNil(build["cache"], "the SwiftPM build is cached")
        let drift = try XCTUnwrap(document["drift"] as? [String: Any])
        XCTAssertTrue(((drift["script"] as? [String]) ?? []).joined().contains("stagecraft generate stacks/shop.swift --out ."), "\(drift)")
        let production = try XCTUnwrap(document["production"] as? [String: Any])
        XCTAssertEqual((production["rules"] as? [[String: String]])?.first?["when"], "manual")
        XCTAssertEqual(production["interruptible"] as? Bool, false)
        XCTAssertNotNil(production["after_script"], "a failed deploy rolls back")
        let staging = try XCTUnwrap(document["staging"] as? [String: Any])
        XCTAssertNil((staging["rules"] as? [[String: String]])?.first?["when"])
        XCTAssertEqual(staging["needs"] as? [String], ["images"])
        // Secrets are CI/CD variables, by name only.
        XCTAssertTrue(text.contains("printf '%s\\n' \"$DEPLOY_SSH_KEY\""), text)
        XCTAssertFalse(text.contains("export DEPLOY_SSH_KEY="), "a CI/CD variable is in the environment already")
        XCTAssertTrue(text.contains("#   production (environment production): "), text)
        XCTAssertFalse(FileManager.default.fileExists(atPath: ".github"))
        XCTAssertNil(try Fixtures.renderer.render(try Fixtures.variant("shop-gitlab")).files[GitHubActionsEmitter.ciPath("shop")], "GitLab only")
    }

    /// The rollback and deploy scripts are the platform's own: shellcheck reads them as GitLab runs them.
    func testDeployScriptsPassShellcheck() throws {
        let shellcheck = try Tools.require("shellcheck")
        for (name, spec) in try bothProviders() {
            let (_, document) = try pipeline(spec)
            for (id, value) in document {
                guard let job = value as? [String: Any] else { continue }
                let script = ["before_script", "script", "after_script"].flatMap { (job[$0] as? [String]) ?? [] }.joined(separator: "\n")
                guard !script.isEmpty else { continue }
                let result = try Tools.run(shellcheck, ["--shell", "bash", "--severity", "warning", "-"], input: script)
                XCTAssertEqual(result.status, 0, "\(name)/\(id):\n\(result.output)")
            }
        }
    }
}
