import Foundation
import StagecraftEmitters
import StagecraftOutput
import XCTest

/// `stagecraft generate` and `plan` end to end, through the real executable.
final class GenerateCommandTests: XCTestCase {
    func testGenerateTwiceReportsNoChangesAndMatchesTheGoldens() throws {
        let directory = try Fixtures.workspace("cli", git: true)
        let first = try Fixtures.stagecraft(["generate", "stacks/shop.swift", "--out", "out"], in: directory)
        XCTAssertEqual(first.status, 0, first.output)
        XCTAssertTrue(first.output.contains("+ .github/workflows/shop-ci.yml"), first.output)

        let second = try Fixtures.stagecraft(["generate", "stacks/shop.swift", "--out", "out"], in: directory)
        XCTAssertEqual(second.status, 0, second.output)
        XCTAssertTrue(second.output.contains("no changes in out"), second.output)

        let written = try Fixtures.tree(directory.appendingPathComponent("out"))
        XCTAssertEqual(written, try Fixtures.tree(GoldenTests.goldens.appendingPathComponent("shop")))
    }

    /// The same stack, named four ways from three working directories (the repository's root, a
    /// folder inside it, a folder outside it), gives byte-identical output that names the stack
    /// from the repository's root; outside a repository, from the output folder.
    func testOutputIsTheSameFromAnyWorkingDirectoryAndAnySpellingOfThePath() throws {
        let parent = try Fixtures.temporaryDirectory("paths")
        let repository = parent.appendingPathComponent("repo")
        try FileManager.default.createDirectory(at: repository, withIntermediateDirectories: true)
        XCTAssertEqual(try Tools.run("git", ["init", "-q", repository.path]).status, 0)
        try FileManager.default.createDirectory(at: repository.appendingPathComponent("stacks"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Fixtures.repositoryRoot.appendingPathComponent(Fixtures.stackFile("blog")),
                                         to: repository.appendingPathComponent("stacks/blog.swift"))
        let elsewhere = parent.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let runs: [(URL, String, String)] = [
            (repository, "stacks/blog.swift", "out-relative"),
            (repository, repository.appendingPathComponent("stacks/blog.swift").path, repository.appendingPathComponent("out-absolute").path),
            (repository.appendingPathComponent("stacks"), "./blog.swift", "../out-inside"),
            (elsewhere, "../repo/stacks/../stacks/blog.swift", "../repo/out-outside"),
        ]
        for (directory, stack, out) in runs {
            let result = try Fixtures.stagecraft(["generate", stack, "--out", out], in: directory)
            XCTAssertEqual(result.status, 0, result.output)
        }
        let first = try Fixtures.tree(repository.appendingPathComponent("out-relative"))
        XCTAssertTrue(String(decoding: try XCTUnwrap(first["README.md"]), as: UTF8.self).contains("Regenerate with: stagecraft generate stacks/blog.swift -->"))
        for out in ["out-absolute", "out-inside", "out-outside"] {
            let other = try Fixtures.tree(repository.appendingPathComponent(out))
            XCTAssertEqual(Set(other.keys), Set(first.keys), out)
            for (path, data) in first where other[path] != data { XCTFail("\(out)/\(path) differs from out-relative/\(path)") }
        }

        // Outside any work tree, relative to the output folder (where the temporary folder is not in one).
        var above = parent
        while above.pathComponents.count > 1 {
            if FileManager.default.fileExists(atPath: above.appendingPathComponent(".git").path) { return }
            above.deleteLastPathComponent()
        }
        let loose = parent.appendingPathComponent("loose")
        try FileManager.default.createDirectory(at: loose.appendingPathComponent("stacks"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repository.appendingPathComponent("stacks/blog.swift"), to: loose.appendingPathComponent("stacks/blog.swift"))
        XCTAssertEqual(try Fixtures.stagecraft(["generate", loose.appendingPathComponent("stacks/blog.swift").path, "--out", "infra"], in: loose).status, 0)
        let readme = try String(contentsOf: loose.appendingPathComponent("infra/README.md"), encoding: .utf8)
        XCTAssertTrue(readme.contains("Regenerate with: stagecraft generate ../stacks/blog.swift -->"), readme)
    }

    /// A newer release of a pinned action in a committed workflow (a Dependabot pull request's)
    /// is kept by generating again, which records the files anew in the manifest: the drift
    /// check then passes. An older one is replaced by Stagecraft's.
    func testANewerActionPinInACommittedWorkflowIsKept() throws {
        let workspace = try Fixtures.workspace("pins", examples: ["blog"])
        defer { try? FileManager.default.removeItem(at: workspace) }
        XCTAssertEqual(try Fixtures.stagecraft(["generate", "stacks/blog.swift", "--out", "infra"], in: workspace).status, 0)
        let workflow = workspace.appendingPathComponent("infra/.github/workflows/blog-ci.yml")
        let builtIn = "actions/checkout@\(ActionPins.checkout.sha) # \(ActionPins.checkout.version)"
        let original = try String(contentsOf: workflow, encoding: .utf8)
        XCTAssertTrue(original.contains(builtIn))

        // As Dependabot updates it: in every workflow that uses it.
        let newer = "actions/checkout@\(String(repeating: "a", count: 40)) # v99.1.0"
        let workflows = ["blog-ci.yml", "blog-deploy.yml"].map { workspace.appendingPathComponent("infra/.github/workflows/\($0)") }
        for file in workflows {
            try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: builtIn, with: newer).write(to: file, atomically: true, encoding: .utf8)
        }
        let plan = try Fixtures.stagecraft(["plan", "stacks/blog.swift", "--out", "infra"], in: workspace)
        XCTAssertEqual(plan.status, 2, plan.output)
        XCTAssertTrue(plan.output.contains(".stagecraft/manifest.json"), "only the manifest's record of the files changes: \(plan.output)")
        XCTAssertFalse(plan.output.contains("+++ b/.github/workflows/"), plan.output)
        XCTAssertEqual(try Fixtures.stagecraft(["generate", "stacks/blog.swift", "--out", "infra"], in: workspace).status, 0)
        XCTAssertEqual(try Fixtures.stagecraft(["plan", "stacks/blog.swift", "--out", "infra"], in: workspace).status, 0)
        let kept = try String(contentsOf: workflow, encoding: .utf8)
        XCTAssertFalse(kept.contains(builtIn))
        XCTAssertEqual(kept.components(separatedBy: newer).count, original.components(separatedBy: builtIn).count, "every checkout keeps the newer pin")

        // A workflow the update did not touch takes the newer pin too.
        try original.write(to: workflow, atomically: true, encoding: .utf8)
        XCTAssertEqual(try Fixtures.stagecraft(["generate", "stacks/blog.swift", "--out", "infra"], in: workspace).status, 0)
        XCTAssertEqual(try String(contentsOf: workflow, encoding: .utf8), kept)

        let older = "actions/checkout@\(String(repeating: "b", count: 40)) # v1.0.0"
        for file in workflows {
            try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: newer, with: older).write(to: file, atomically: true, encoding: .utf8)
        }
        XCTAssertEqual(try Fixtures.stagecraft(["plan", "stacks/blog.swift", "--out", "infra"], in: workspace).status, 2)
        XCTAssertEqual(try Fixtures.stagecraft(["generate", "stacks/blog.swift", "--out", "infra"], in: workspace).status, 0)
        XCTAssertEqual(try String(contentsOf: workflow, encoding: .utf8), original)
    }

    func testPlanExitsTwoOnChangesAndZeroWhenUpToDate() throws {
        let directory = try Fixtures.workspace("cli")
        let before = try Fixtures.stagecraft(["plan", "stacks/blog.swift", "--out", "out"], in: directory)
        XCTAssertEqual(before.status, 2, before.output)
        XCTAssertTrue(before.output.contains("+++ b/.github/workflows/blog-ci.yml"), before.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("out").path), "plan writes nothing")

        XCTAssertEqual(try Fixtures.stagecraft(["generate", "stacks/blog.swift", "--out", "out"], in: directory).status, 0)
        let after = try Fixtures.stagecraft(["plan", "stacks/blog.swift", "--out", "out", "--format", "json"], in: directory)
        XCTAssertEqual(after.status, 0, after.output)
        XCTAssertTrue(after.output.contains("\"changed\" : [\n\n  ]") || after.output.contains("\"changed\" : ["), after.output)
    }

    func testRemovingAServiceRemovesExactlyItsFiles() throws {
        let directory = try Fixtures.workspace("cli")
        XCTAssertEqual(try Fixtures.stagecraft(["generate", "stacks/marketplace.swift", "--out", "out"], in: directory).status, 0)
        let before = Set(try Fixtures.tree(directory.appendingPathComponent("out")).keys)

        let path = directory.appendingPathComponent("stacks/marketplace.swift")
        var source = try String(contentsOf: path, encoding: .utf8)
        let start = source.range(of: "    Worker(\"thumbnails\") {")!
        let end = source.range(of: "    }\n\n", range: start.upperBound..<source.endIndex)!
        source.removeSubrange(start.lowerBound..<end.upperBound)
        try source.write(to: path, atomically: true, encoding: .utf8)

        let result = try Fixtures.stagecraft(["generate", "stacks/marketplace.swift", "--out", "out"], in: directory)
        XCTAssertEqual(result.status, 0, result.output)
        let after = Set(try Fixtures.tree(directory.appendingPathComponent("out")).keys)
        let removed = before.subtracting(after)
        XCTAssertFalse(removed.isEmpty)
        for path in removed { XCTAssertTrue(path.contains("thumbnails"), "\(path) was removed but is not the thumbnails worker's") }
        XCTAssertTrue(after.subtracting(before).isEmpty, "no file appears when a worker goes")
    }

    func testInitWritesAStackThatGeneratesAsItIs() throws {
        let directory = try Fixtures.temporaryDirectory("init")
        let written = try Fixtures.stagecraft(["init", "--name", "demo"], in: directory)
        XCTAssertEqual(written.status, 0, written.output)
        let generated = try Fixtures.stagecraft(["generate", "Stack.swift", "--out", "infra"], in: directory)
        XCTAssertEqual(generated.status, 0, generated.output)
        XCTAssertFalse(generated.output.contains("warning"), generated.output)
        let again = try Fixtures.stagecraft(["init"], in: directory)
        XCTAssertEqual(again.status, 1, "init does not overwrite without --force")
    }

    func testStagesPrintsEveryConcern() throws {
        let result = try Fixtures.stagecraft(["stages"], in: Fixtures.repositoryRoot)
        XCTAssertEqual(result.status, 0)
        for concern in ["app instances", "load balancer", "rate limiting", "sessions", "uploads", "cache", "CDN", "background jobs", "database", "backups", "environments", "CI", "CD", "monitoring", "secrets", "platform"] {
            XCTAssertTrue(result.output.contains(concern), concern)
        }
    }
}
