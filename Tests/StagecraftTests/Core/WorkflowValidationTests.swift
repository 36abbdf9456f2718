import Foundation
import StagecraftEmitters
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

    /// Deploys are a workflow of their own: the CI run of a push to the default branch ends by
    /// starting it for its commit (a workflow dispatch, with nothing but `actions: write`), so no
    /// CI job waits on an approval; each deploy job reads its secrets itself.
    func testDeploysRunInAWorkflowOfTheirOwnThatCIOnMainStarts() throws {
        var checked = 0
        for (name, directory, workflows) in try outputs() {
            guard let deployPath = workflows.first(where: { $0.hasSuffix("-deploy.yml") }),
                  let ciPath = workflows.first(where: { $0.hasSuffix("-ci.yml") }) else { continue }
            checked += 1
            let ci = try XCTUnwrap(try Yams.load(yaml: String(contentsOf: directory.appendingPathComponent(ciPath), encoding: .utf8)) as? [String: Any])
            let ciJobs = try XCTUnwrap(ci["jobs"] as? [String: [String: Any]])
            XCTAssertFalse(ciJobs.values.contains { $0["uses"] != nil || $0["environment"] != nil }, "\(name): no CI job calls the deploy or waits on an environment")
            let start = try XCTUnwrap(ciJobs["deploy"], name)
            XCTAssertEqual(start["if"] as? String, "github.event_name == 'push' && github.ref == 'refs/heads/main'", name)
            XCTAssertEqual(start["permissions"] as? [String: String], ["actions": "write", "contents": "read"], name)
            let startSteps = try XCTUnwrap(start["steps"] as? [[String: Any]])
            let step = try XCTUnwrap(startSteps.last)
            XCTAssertEqual(step.value(at: "env.WORKFLOW") as? String, URL(fileURLWithPath: deployPath).lastPathComponent, name)

            // Each image build keeps the digest its push reported; the start job hands them all on.
            let builds = ((ciJobs["images"]?.value(at: "strategy.matrix.include") as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
            if !builds.isEmpty {
                let legSteps = try XCTUnwrap(ciJobs["images"]?["steps"] as? [[String: Any]])
                let push = try XCTUnwrap(legSteps.first { ($0["uses"] as? String)?.hasPrefix("docker/build-push-action@") ?? false })
                XCTAssertEqual(push["id"] as? String, "push", name)
                XCTAssertEqual(legSteps.first { $0["name"] as? String == "Record the pushed image's digest" }?.value(at: "env.DIGEST") as? String,
                               "${{ steps.push.outputs.digest }}", name)
                XCTAssertEqual(legSteps.last?.value(at: "with.name") as? String, "image-digest-${{ matrix.name }}", name)
                XCTAssertEqual(startSteps.first?.value(at: "with.pattern") as? String, "image-digest-*", name)
                XCTAssertEqual(startSteps.first?.value(at: "with.merge-multiple") as? Bool, true, name)
            }

            // The step as the runner runs it, with gh answering as GitHub would.
            let bin = try Fixtures.temporaryDirectory("gh-stub")
            defer { try? FileManager.default.removeItem(at: bin) }
            try Tools.stub("gh", in: bin, "#!/bin/bash\necho \"$*\" > \"\(bin.path)/gh-args\"\n")
            let folder = bin.appendingPathComponent("image-digests")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            func digest(_ build: String) -> String { "sha256:" + SHA256.hex(Array(build.utf8)) }
            for build in builds { try (digest(build) + "\n").write(to: folder.appendingPathComponent(build), atomically: true, encoding: .utf8) }
            let environment = [
                "PATH": bin.path + ":/usr/bin:/bin", "GITHUB_REPOSITORY": "acme/shop", "GITHUB_REF_NAME": "main", "GITHUB_SHA": "0123abcd",
                "GITHUB_SERVER_URL": "https://github.com", "WORKFLOW": URL(fileURLWithPath: deployPath).lastPathComponent,
                "GITHUB_STEP_SUMMARY": bin.appendingPathComponent("summary.md").path,
            ]
            let script = try XCTUnwrap(step["run"] as? String)
            let result = try Tools.run("/bin/bash", ["-e", "-o", "pipefail", "-c", script], in: bin, environment: environment)
            XCTAssertEqual(result.status, 0, result.output)
            let digests = "{" + builds.map { "\"\($0)\":\"\(digest($0))\"" }.joined(separator: ",") + "}"
            XCTAssertEqual(try String(contentsOf: bin.appendingPathComponent("gh-args"), encoding: .utf8),
                           "workflow run \(URL(fileURLWithPath: deployPath).lastPathComponent) --repo acme/shop --ref main -f image-tag=0123abcd"
                           + (builds.isEmpty ? "" : " -f image-digests=\(digests)") + "\n", name)
            if let first = builds.first {
                // The summary says how to deploy this commit again; a build with no digest starts nothing.
                XCTAssertTrue(try String(contentsOf: bin.appendingPathComponent("summary.md"), encoding: .utf8).contains("-f image-digests='\(digests)'"), name)
                try FileManager.default.removeItem(at: folder.appendingPathComponent(first))
                try FileManager.default.removeItem(at: bin.appendingPathComponent("gh-args"))
                let missing = try Tools.run("/bin/bash", ["-e", "-o", "pipefail", "-c", script], in: bin, environment: environment)
                XCTAssertNotEqual(missing.status, 0, name)
                XCTAssertTrue(missing.output.contains("The push of the \(first) image reported no digest"), missing.output)
                XCTAssertFalse(FileManager.default.fileExists(atPath: bin.appendingPathComponent("gh-args").path), name)
            }

            let deploy = try XCTUnwrap(try Yams.load(yaml: String(contentsOf: directory.appendingPathComponent(deployPath), encoding: .utf8)) as? [String: Any])
            XCTAssertEqual(Set(try XCTUnwrap(deploy["on"] as? [String: Any]).keys), ["workflow_dispatch"], name)
            XCTAssertEqual(deploy.value(at: "on.workflow_dispatch.inputs.image-digests.required") as? Bool, builds.isEmpty ? nil : true, name)
            let deployText = try String(contentsOf: directory.appendingPathComponent(deployPath), encoding: .utf8)
            let read = Set(deployText.matches(of: /fromJSON\(inputs\.image-digests\)\['([a-z0-9-]+)'\]/).map { String($0.output.1) })
            XCTAssertEqual(read, Set(builds), "\(name): the deploy reads the digest of every image CI builds, and no other")
            for (job, value) in try XCTUnwrap(deploy["jobs"] as? [String: [String: Any]]) {
                XCTAssertEqual((value["env"] as? [String: String])?["IMAGE_TAG"], "${{ inputs.image-tag }}", "\(name) \(job)")
            }
        }
        XCTAssertGreaterThan(checked, 0)
    }

    /// Dependabot keeps the pinned actions, the Dockerfiles' base images and the application's
    /// packages current, in a configuration GitHub accepts.
    func testDependabotKeepsActionsImagesAndPackagesCurrent() throws {
        let checker = try Tools.require("check-jsonschema")
        for (name, directory, _) in try outputs() {
            let path = directory.appendingPathComponent(".github/dependabot.yml")
            let result = try Tools.run(checker, ["--builtin-schema", "vendor.dependabot", path.path])
            XCTAssertEqual(result.status, 0, "\(name):\n\(result.output)")
            let document = try XCTUnwrap(try Yams.load(yaml: String(contentsOf: path, encoding: .utf8)) as? [String: Any])
            let updates = try XCTUnwrap(document["updates"] as? [[String: Any]])
            let ecosystems = updates.compactMap { $0["package-ecosystem"] as? String }
            XCTAssertEqual(Array(ecosystems.prefix(2)), ["github-actions", "docker"], name)
            let spec = try GoldenTests.variants().first { $0.0 == name }!.1
            let plan = try Fixtures.renderer.plan(spec)
            let folders = updates[1]["directories"] as? [String] ?? [updates[1]["directory"] as? String].compactMap { $0 }
            XCTAssertEqual(Set(folders), Set(plan.pipeline.images.map { "/" + $0.dockerfile.split(separator: "/").dropLast().joined(separator: "/") }), name)
            XCTAssertEqual(ecosystems.count, DependabotConfiguration.ecosystem(plan.pipeline.toolchain) == nil ? 2 : 3, name)
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
