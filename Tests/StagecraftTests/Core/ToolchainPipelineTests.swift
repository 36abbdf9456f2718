import Foundation
import StagecraftEmitters
import StagecraftOutput
import StagecraftSpec
import XCTest
import Yams

/// Each toolchain a team's first services run on, through both CI providers: the workflows pass
/// actionlint (with shellcheck), zizmor and GitHub's schema, the GitLab pipeline its schema, and
/// each sets the toolchain up (a pinned action or its official image), keeps its packages
/// between runs and runs its default build, test and lint commands.
final class ToolchainPipelineTests: XCTestCase {
    private static let toolchains: [(String, Toolchain, image: String, build: String, test: String)] = [
        ("ruby", .ruby("3.3"), "ruby:3.3", "bundle install", "bundle exec rake test"),
        ("gradle", .java("21", .gradle), "eclipse-temurin:21", "./gradlew assemble", "./gradlew test"),
        ("maven", .java("21", .maven), "maven:3-eclipse-temurin-21", "mvn --batch-mode -DskipTests package", "mvn --batch-mode test"),
        ("rust", .rust("1.83"), "rust:1.83", "cargo build --locked", "cargo test --locked"),
        ("php", .php("8.3"), "php:8.3-cli", "composer install --no-interaction --prefer-dist", "vendor/bin/phpunit"),
        ("dotnet", .dotnet("8.0"), "mcr.microsoft.com/dotnet/sdk:8.0", "dotnet build", "dotnet test"),
        ("elixir", .elixir("1.17"), "elixir:1.17", "mix local.hex --force && mix local.rebar --force && mix deps.get && mix compile", "mix test"),
    ]

    /// The blog example built with each toolchain, for both providers.
    private func outputs() throws -> [(String, URL, FileSet)] {
        try Self.toolchains.map { name, toolchain, _, _, _ in
            var spec = try Fixtures.example("blog")
            spec.pipeline?.toolchain = Located(toolchain, at: spec.location)
            spec.pipeline?.buildCommand = nil
            spec.pipeline?.testCommand = nil
            spec.pipeline?.providers = [.githubActions, .gitlab]
            let files = try Fixtures.renderer.render(spec).files
            let directory = try Fixtures.temporaryDirectory("toolchain-\(name)")
            addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
            try Fixtures.materialize(files, in: directory)
            return (name, directory, files)
        }
    }

    func testEveryToolchainsPipelinesPassTheirValidators() throws {
        let actionlint = try Tools.require("actionlint")
        _ = try Tools.require("shellcheck")
        let zizmor = try Tools.require("zizmor")
        let checker = try Tools.require("check-jsonschema")
        for (name, directory, files) in try outputs() {
            let workflows = files.paths.map(\.value).filter { $0.hasPrefix(".github/workflows/") }
            let linted = try Tools.run(actionlint, ["-no-color"] + workflows, in: directory)
            XCTAssertEqual(linted.status, 0, "\(name):\n\(linted.output)")
            let audited = try Tools.run(zizmor, ["--offline", "--no-progress", "--min-severity", "medium"] + workflows, in: directory)
            XCTAssertEqual(audited.status, 0, "\(name):\n\(audited.output)")
            let schema = try Tools.run(checker, ["--builtin-schema", "vendor.github-workflows"] + workflows, in: directory)
            XCTAssertEqual(schema.status, 0, "\(name):\n\(schema.output)")
            let gitlab = try Tools.run(checker, ["--builtin-schema", "vendor.gitlab-ci", GitLabCIEmitter.path], in: directory)
            XCTAssertEqual(gitlab.status, 0, "\(name):\n\(gitlab.output)")
        }
    }

    func testEachToolchainIsSetUpCachedAndBuiltTestedAndLinted() throws {
        let outputs = try outputs()
        for ((name, toolchain, image, build, test), (_, _, files)) in zip(Self.toolchains, outputs) {
            let ci = try XCTUnwrap(try Yams.load(yaml: try XCTUnwrap(files[".github/workflows/blog-ci.yml"]).text) as? [String: Any])
            let job = try XCTUnwrap((ci["jobs"] as? [String: Any])?["build"] as? [String: Any], name)
            let steps = try XCTUnwrap(job["steps"] as? [[String: Any]])
            let runs = steps.compactMap { $0["run"] as? String }
            XCTAssertTrue(runs.contains(build) && runs.contains(test), "\(name): \(runs)")
            let uses = steps.compactMap { $0["uses"] as? String }
            if case .java = toolchain {
                XCTAssertNil(job["container"], name)
                let setup = try XCTUnwrap(steps.first { ($0["uses"] as? String)?.hasPrefix("actions/setup-java@") ?? false }, name)
                XCTAssertEqual((setup["with"] as? [String: Any])?["cache"] as? String, name, "setup-java caches \(name)'s packages")
            } else {
                XCTAssertEqual(job["container"] as? String, image, "\(name) runs in its official image")
                XCTAssertTrue(uses.contains { $0.hasPrefix("actions/cache@") }, "\(name) keeps its packages: \(uses)")
            }

            let gitlab = try XCTUnwrap(try Yams.load(yaml: try XCTUnwrap(files[GitLabCIEmitter.path]).text) as? [String: Any])
            let buildJob = try XCTUnwrap(gitlab["build"] as? [String: Any], name)
            XCTAssertEqual(buildJob["image"] as? String, image, name)
            // Each step is a subshell of the script: `# Build\n(\n<command>\n)`.
            let script = ((buildJob["script"] as? [String]) ?? []).joined(separator: "\n")
            XCTAssertTrue(script.contains("(\n\(build)\n)") && script.contains("(\n\(test)\n)"), "\(name): \(script)")
            XCTAssertNotNil(buildJob["cache"], "\(name) keeps its packages on GitLab")
        }
    }
}
