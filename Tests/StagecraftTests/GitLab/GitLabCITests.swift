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
                // A deploy after another also needs the images' builds: it receives their digests only from jobs it needs.
                if let after = target.after { XCTAssertEqual(job["needs"] as? [String], [after] + (generation.plan.pipeline.images.isEmpty ? [] : ["images"])) }
            }
            let scanning = generation.plan.pipeline.codeScanning
            XCTAssertEqual((gitlab["include"] as? [[String: String]])?.contains(["template": "Jobs/SAST.gitlab-ci.yml"]) ?? false, scanning, name)
        }
    }

    func testTheShopPipelineRunsChecksOnMergeRequestsAndDeploysProductionManually() throws {
        let (text, document) = try pipeline(try Fixtures.variant("shop-gitlab"))
        XCTAssertEqual(document["stages"] as? [String], ["test", "build", "deploy", "rollback"])
        let workflow = try XCTUnwrap((document["workflow"] as? [String: Any])?["rules"] as? [[String: String]])
        XCTAssertEqual(workflow, [["if": "$CI_PIPELINE_SOURCE == \"merge_request_event\""], ["if": "$CI_COMMIT_BRANCH == \"main\""]])
        let build = try XCTUnwrap(document["build"] as? [String: Any])
        XCTAssertEqual(build["image"] as? String, "swift:6.1")
        XCTAssertNotNil(build["cache"], "the SwiftPM build is cached")
        let drift = try XCTUnwrap(document["drift"] as? [String: Any])
        XCTAssertTrue(((drift["script"] as? [String]) ?? []).joined().contains("stagecraft generate stacks/shop-gitlab.swift --out ."), "\(drift)")
        let production = try XCTUnwrap(document["production"] as? [String: Any])
        XCTAssertEqual((production["rules"] as? [[String: String]])?.first?["when"], "manual")
        XCTAssertEqual(production["interruptible"] as? Bool, false)
        // The rollback is a job of its own, run when the deploy fails or times out, after the
        // runner is prepared again (the SSH set-up), serialized with the deploys; a canceled
        // deploy rolls back in its after_script (GitLab skips one on a timeout, and runs it on a
        // cancel, which no on_failure job follows), given as long as the deploy.
        let afterScript = try XCTUnwrap(production["after_script"] as? [String])
        XCTAssertEqual(afterScript.map { $0.prefix { $0 != "\n" } },
                       ["# Roll back only a canceled deploy: the rollback job follows a failed one", "# Set up SSH to the production host", "# Roll back to the previous release"])
        XCTAssertEqual((production["variables"] as? [String: Any])?["RUNNER_AFTER_SCRIPT_TIMEOUT"] as? String, "30m")
        for (status, rollsBack) in [("canceled", true), ("failed", false), ("success", false)] {
            let guarded = afterScript[0] + "\necho rolling back"
            let result = try Tools.run("/bin/bash", ["-e", "-c", guarded], environment: ["CI_JOB_STATUS": status])
            XCTAssertEqual(result.status, 0, result.output)
            XCTAssertEqual(result.output.contains("rolling back"), rollsBack, status)
        }
        let rollback = try XCTUnwrap(document["production-rollback"] as? [String: Any], "a failed deploy rolls back")
        XCTAssertEqual(rollback["stage"] as? String, "rollback")
        XCTAssertEqual(rollback["needs"] as? [String], ["production"])
        XCTAssertEqual(rollback["rules"] as? [[String: String]], [["if": "$CI_COMMIT_BRANCH == \"main\"", "when": "on_failure"]])
        XCTAssertEqual(rollback["resource_group"] as? String, production["resource_group"] as? String)
        XCTAssertEqual((rollback["environment"] as? [String: Any])?["action"] as? String, "access")
        let steps = ((rollback["script"] as? [String]) ?? []).map { $0.prefix { $0 != "\n" } }
        XCTAssertEqual(steps, ["# Set up SSH to the production host", "# Roll back to the previous release"])
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

    /// A Kubernetes deploy records each Deployment's revision before it applies; its rollback,
    /// a job of its own, receives that record as the failed deploy's artifact.
    func testTheKubernetesRollbackJobReceivesTheDeploysRevisionRecord() throws {
        var spec = try Fixtures.variant("marketplace")
        spec.pipeline?.providers = [.gitlab]
        let (_, document) = try pipeline(spec)
        let production = try XCTUnwrap(document["production"] as? [String: Any])
        let artifacts = try XCTUnwrap(production["artifacts"] as? [String: Any])
        XCTAssertEqual(artifacts["when"] as? String, "on_failure")
        XCTAssertEqual(artifacts["paths"] as? [String], [".stagecraft-tmp/stagecraft-revisions"])
        let rollback = try XCTUnwrap(document["production-rollback"] as? [String: Any])
        for job in [production, rollback] {
            XCTAssertEqual((job["variables"] as? [String: String])?["TMPDIR"], "$CI_PROJECT_DIR/.stagecraft-tmp")
            XCTAssertTrue(((job["before_script"] as? [String]) ?? []).contains("mkdir -p \"$TMPDIR\""))
        }
        let script = ((rollback["script"] as? [String]) ?? []).joined(separator: "\n")
        XCTAssertTrue(script.hasPrefix("# Install kubectl") && script.contains("# Authenticate to the production cluster") && script.contains("# Roll back"), script)
        XCTAssertTrue(script.contains("revisions=\"${RUNNER_TEMP:-${TMPDIR:-/tmp}}/stagecraft-revisions\""), script)
    }

    /// kubectl and Terraform as the deploy jobs install them, run against a stand-in for curl
    /// serving the files: installed when they match their published checksums, refused (and not
    /// installed) when they do not.
    func testToolsAreInstalledOnlyWhenTheyMatchTheirPublishedChecksums() throws {
        var kubernetes = try Fixtures.variant("marketplace")
        kubernetes.pipeline?.providers = [.gitlab]
        var aws = try Fixtures.variant("marketplace-aws")
        aws.pipeline?.providers = [.gitlab]
        func step(_ spec: StackSpec, _ name: String) throws -> String {
            let (_, document) = try pipeline(spec)
            let scripts = document.values.compactMap { ($0 as? [String: Any])?["script"] as? [String] }.flatMap { $0 }
            return try XCTUnwrap(scripts.first { $0.hasPrefix("# \(name)\n") }, "no step \(name)")
        }
        let kubectl = try step(kubernetes, "Install kubectl")
        let terraform = try step(aws, "Install Terraform")
        let version = try XCTUnwrap(terraform.firstMatch(of: /terraform_([0-9.]+)_linux_amd64\.zip/)).output.1

        func run(_ script: String, serving files: [String: Data]) throws -> (Tools.Result, installed: [String]) {
            let root = try Fixtures.temporaryDirectory("installs")
            defer { try? FileManager.default.removeItem(at: root) }
            let (served, scratch, bin, stubs) = ["served", "tmp", "bin", "stubs"].map { root.appendingPathComponent($0) }.splat4
            for folder in [served, scratch, bin, stubs] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
            for (name, data) in files { try data.write(to: served.appendingPathComponent(name)) }
            // curl -fsSLo OUT URL: the file named like the URL's last part, or a failure.
            try Tools.stub("curl", in: stubs, """
                #!/bin/bash
                out="$3"; url="$4"
                [ "$2" = -o ] || [ "$1" = -fsSLo ] || exit 2
                [ "$1" = -fsSLo ] && { out="$2"; url="$3"; }
                cp "\(served.path)/${url##*/}" "$out"
                """)
            let sandboxed = script.replacingOccurrences(of: "/tmp", with: scratch.path).replacingOccurrences(of: "/usr/local/bin", with: bin.path)
            let result = try Tools.run("/bin/bash", ["-e", "-o", "pipefail", "-c", sandboxed],
                                       environment: ["PATH": stubs.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "")])
            return (result, try FileManager.default.contentsOfDirectory(atPath: bin.path))
        }
        func sha256(_ data: Data) throws -> String {
            let file = try Fixtures.temporaryDirectory("sha").appendingPathComponent("data")
            defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
            try data.write(to: file)
            return try XCTUnwrap(Tools.run("/usr/bin/sha256sum", [file.path]).output.split(separator: " ").first.map(String.init))
        }

        let binary = Data("#!/bin/sh\necho kubectl\n".utf8)
        let good = try run(kubectl, serving: ["kubectl": binary, "kubectl.sha256": Data(try sha256(binary).utf8)])
        XCTAssertEqual(good.0.status, 0, good.0.output)
        XCTAssertEqual(good.installed, ["kubectl"])
        let bad = try run(kubectl, serving: ["kubectl": binary, "kubectl.sha256": Data(try sha256(Data("other".utf8)).utf8)])
        XCTAssertNotEqual(bad.0.status, 0, "a kubectl that does not match its checksum is refused")
        XCTAssertEqual(bad.installed, [])

        let zipFolder = try Fixtures.temporaryDirectory("terraform-zip")
        defer { try? FileManager.default.removeItem(at: zipFolder) }
        try Data("#!/bin/sh\necho terraform\n".utf8).write(to: zipFolder.appendingPathComponent("terraform"))
        XCTAssertEqual(try Tools.run("/usr/bin/python3", ["-c", "import zipfile; z = zipfile.ZipFile('terraform.zip', 'w'); z.write('terraform'); z.close()"], in: zipFolder).status, 0)
        let archive = try Data(contentsOf: zipFolder.appendingPathComponent("terraform.zip"))
        let zipName = "terraform_\(version)_linux_amd64.zip"
        let sums = "\(try sha256(Data("darwin".utf8)))  terraform_\(version)_darwin_arm64.zip\n\(try sha256(archive))  \(zipName)\n"
        let installed = try run(terraform, serving: [zipName: archive, "terraform_\(version)_SHA256SUMS": Data(sums.utf8)])
        XCTAssertEqual(installed.0.status, 0, installed.0.output)
        XCTAssertEqual(installed.installed, ["terraform"])
        let tampered = try run(terraform, serving: [zipName: archive + Data("x".utf8), "terraform_\(version)_SHA256SUMS": Data(sums.utf8)])
        XCTAssertNotEqual(tampered.0.status, 0, "an archive that does not match the published list is refused")
        XCTAssertEqual(tampered.installed, [])
    }

    /// GitLab's registry is logged in to with the job's own token; another registry with the
    /// CI/CD variables the README names. Images carry their SBOM and provenance.
    func testGitLabsRegistryTakesTheJobTokenAndImagesCarryTheirAttestations() throws {
        let spec = Fixtures.images(of: try Fixtures.variant("shop-gitlab"), at: "registry.gitlab.com/acme", prefix: "shop-")
        let (text, _) = try pipeline(spec)
        XCTAssertTrue(text.contains(#"printf '%s' "$CI_JOB_TOKEN" | docker login --username gitlab-ci-token --password-stdin 'registry.gitlab.com'"#), text)
        XCTAssertFalse(text.contains("REGISTRY_PASSWORD"), "no long-lived password")
        XCTAssertTrue(text.contains("--sbom=true --provenance=mode=max --metadata-file image-metadata.json --push"), text)
        let (ghcr, _) = try pipeline(try Fixtures.variant("shop-gitlab"))
        XCTAssertTrue(ghcr.contains(#"printf '%s' "$REGISTRY_PASSWORD" | docker login --username "$REGISTRY_USERNAME" --password-stdin 'ghcr.io'"#), ghcr)
    }

    /// Each image build hands the digest its push reported to the deploys as a dotenv report,
    /// run as the docker image's POSIX shell runs it (dash here, BusyBox's there) with BuildKit's
    /// metadata file as a push writes it; a push that reports no digest fails the build.
    func testImageBuildsHandTheirPushedDigestToTheDeploys() throws {
        let shell = try Tools.require("dash")
        let (_, document) = try pipeline(try Fixtures.variant("shop-gitlab"))
        let images = try XCTUnwrap(document["images"] as? [String: Any])
        XCTAssertEqual(images.value(at: "artifacts.reports.dotenv") as? String, "image-digest.env")
        let legs = try XCTUnwrap(images.value(at: "parallel.matrix") as? [[String: String]])
        XCTAssertEqual(legs.map { $0["DIGEST_VARIABLE"] }, ["WEB_IMAGE_DIGEST", "JOBS_IMAGE_DIGEST"])
        let script = try XCTUnwrap(images["script"] as? [String]).joined(separator: "\n")
        let digest = "sha256:" + String(repeating: "ab", count: 32)
        for (metadata, expected) in [
            (#"{\#n  "buildx.build.ref": "builder/builder0/x",\#n  "containerimage.digest": "\#(digest)",\#n  "image.name": "ghcr.io/acme/shop-web:0123"\#n}"#, "WEB_IMAGE_DIGEST=\(digest)\n"),
            (#"{\#n  "buildx.build.ref": "builder/builder0/x"\#n}"#, nil),
        ] {
            let folder = try Fixtures.temporaryDirectory("gitlab-image")
            defer { try? FileManager.default.removeItem(at: folder) }
            // docker as the job calls it: `buildx build … --metadata-file FILE --push` writes FILE.
            try Tools.stub("docker", in: folder, """
                #!/bin/sh
                while [ $# -gt 0 ]; do
                  if [ "$1" = --metadata-file ]; then printf '%s\\n' '\(metadata)' > "$2"; fi
                  shift
                done
                """)
            let result = try Tools.run(shell, ["-e", "-c", script], in: folder, environment: [
                "PATH": folder.path + ":/usr/bin:/bin", "IMAGE": "ghcr.io/acme/shop-web", "CONTEXT": ".", "DOCKERFILE": "Dockerfile",
                "CI_COMMIT_SHA": "0123", "DIGEST_VARIABLE": "WEB_IMAGE_DIGEST", "REGISTRY_USERNAME": "u", "REGISTRY_PASSWORD": "p",
            ])
            let report = try? String(contentsOf: folder.appendingPathComponent("image-digest.env"), encoding: .utf8)
            if let expected {
                XCTAssertEqual(result.status, 0, result.output)
                XCTAssertEqual(report, expected)
            } else {
                XCTAssertNotEqual(result.status, 0, result.output)
                XCTAssertTrue(result.output.contains("reported no digest"), result.output)
                XCTAssertNil(report)
            }
        }
    }
}

private extension Array {
    /// The first four elements, for destructuring.
    var splat4: (Element, Element, Element, Element) { (self[0], self[1], self[2], self[3]) }
}
