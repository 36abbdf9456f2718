import Foundation
import StagecraftCLI
import StagecraftGit
import StagecraftOutput
import StagecraftSpec
import StagecraftWriters
import XCTest

/// `promote` end to end: gates through the real binary, then promotions with stand-in platform emitters.
final class PromotionTests: XCTestCase {
    private func read(_ url: URL) throws -> Data { try Data(contentsOf: url) }

    func testBlogGrowthPromotionIsRefusedNamingEachGateAndItsFix() throws {
        let directory = try Fixtures.workspace("promote", examples: ["blog"], git: true)
        let before = try read(directory.appendingPathComponent("stacks/blog.swift"))
        let result = try Fixtures.stagecraft(["promote", "stacks/blog.swift", "--to", "growth", "--out", "out"], in: directory)
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.output.contains("blog: promote mvp → growth refused: 3 gates of growth failed"), result.output)
        for expected in [
            "SC102-shared-sessions  stacks/blog.swift:16", "fix: Sessions(.shared(cache: \"cache\"))",
            "SC103-object-storage  stacks/blog.swift:18", "fix: Uploads(.bucket(\"uploads\"))",
            "SC111-recovery-point  stacks/blog.swift:25", "fix: Backups(rpo: .hours(24), growth: .hours(1))",
        ] {
            XCTAssertTrue(result.output.contains(expected), "missing \(expected) in\n\(result.output)")
        }
        XCTAssertEqual(try read(directory.appendingPathComponent("stacks/blog.swift")), before)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("out").path))
    }

    /// `--force` skips the gates, not the planner: its refusal names each line and why.
    func testAForcedPromotionThePlannerRefusesNamesEachLineAndWhy() throws {
        let directory = try Fixtures.workspace("promote", examples: ["blog"], git: true)
        let before = try read(directory.appendingPathComponent("stacks/blog.swift"))
        let result = try Fixtures.stagecraft(["promote", "stacks/blog.swift", "--to", "growth", "--force", "--out", "out"], in: directory)
        XCTAssertEqual(result.status, 1, result.output)
        for expected in [
            "the stack does not plan at growth; --force cannot skip what the planner refuses:",
            "stacks/blog.swift:16: error: web keeps sessions in process, which growth rules out",
            "stacks/blog.swift:18: error: web stores uploads on local disk, which growth rules out",
        ] {
            XCTAssertTrue(result.output.contains(expected), "missing \(expected) in\n\(result.output)")
        }
        XCTAssertEqual(try read(directory.appendingPathComponent("stacks/blog.swift")), before, "nothing written")
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("out").path))
    }

    /// A stage Stagecraft cannot rewrite (not a literal) is refused at its file and line.
    func testAStageThatIsNotALiteralIsRefusedAtItsLine() throws {
        let directory = try Fixtures.workspace("promote", examples: ["blog"], git: true)
        let path = directory.appendingPathComponent("stacks/blog.swift")
        let source = try String(contentsOf: path, encoding: .utf8)
        let line = try XCTUnwrap(source.components(separatedBy: "\n").firstIndex { $0.hasPrefix("let stack = Stack(\"blog\", stage: .mvp)") }) + 2
        try source.replacingOccurrences(of: "let stack = Stack(\"blog\", stage: .mvp)", with: "let chosen: Stage = .mvp\nlet stack = Stack(\"blog\", stage: chosen)")
            .write(to: path, atomically: true, encoding: .utf8)
        let result = try Fixtures.stagecraft(["promote", "stacks/blog.swift", "--to", "growth", "--force", "--out", "out"], in: directory)
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.output.contains("stacks/blog.swift:\(line): the stage: argument of Stack(…) at line \(line) is \"chosen\""), result.output)
    }

    func testFixedBlogPromotesChangingOnlyTheStageArgument() throws {
        let directory = try Fixtures.workspace("promote", examples: ["blog"], git: true)
        try PromotionSupport.applyBlogGrowthFixes(in: directory)
        let stackURL = directory.appendingPathComponent("stacks/blog.swift")
        let fixed = try String(contentsOf: stackURL, encoding: .utf8)
        let out = directory.appendingPathComponent("out")

        let outcome = try PromotionSupport.promote("stacks/blog.swift", in: directory, to: .growth, destination: .folder(out))
        XCTAssertTrue(outcome.proceeds, outcome.audit.gateFailures.map(\.message).joined(separator: "\n"))
        let promoted = try String(contentsOf: stackURL, encoding: .utf8)
        XCTAssertEqual(promoted, fixed.replacingOccurrences(of: "Stack(\"blog\", stage: .mvp)", with: "Stack(\"blog\", stage: .growth)"))
        let diff = try Tools.run("/usr/bin/diff", [fixed.writeTemporary(), stackURL.path])
        XCTAssertEqual(diff.output, "7c7\n< let stack = Stack(\"blog\", stage: .mvp) {\n---\n> let stack = Stack(\"blog\", stage: .growth) {\n")

        let runbook = try String(contentsOf: out.appendingPathComponent("docs/promotions/mvp-to-growth.md"), encoding: .utf8)
        for expected in ["# blog: promote mvp → growth", "WAL archiving", "read replicas of db: 0 → 1", "connection pooling for db",
                         "instances of web: 1 → 2", "CDN for static assets", "**Verify:**", "**Roll back:**", "prove a restore"] {
            XCTAssertTrue(runbook.contains(expected), "runbook lacks \(expected):\n\(runbook)")
        }
        // Safe order: instances before replicas and pooling, then the CDN, then backups.
        let order = ["Change instance counts", "Add read replicas", "Put connection pooling", "Serve static assets", "Change backups"]
            .map { runbook.range(of: $0)?.lowerBound }
        XCTAssertFalse(order.contains(nil), runbook)
        XCTAssertEqual(order.compactMap { $0 }, order.compactMap { $0 }.sorted())
        let manifest = try Manifest.decode([UInt8](read(out.appendingPathComponent(".stagecraft/manifest.json"))))
        XCTAssertNil(manifest.files["docs/promotions/mvp-to-growth.md"], "the runbook is history, not managed output")
        XCTAssertEqual(manifest.environments["production"], "growth")
    }

    func testPromoteThenDemoteRestoresStackAndOutputByteForByte() throws {
        let directory = try Fixtures.workspace("promote", examples: ["blog"], git: true)
        try PromotionSupport.applyBlogGrowthFixes(in: directory)
        let out = directory.appendingPathComponent("out")
        let spec = try PromotionSupport.spec("stacks/blog.swift", in: directory)
        try DirectoryWriterHelper.generate(spec, into: out)
        let stackBefore = try read(directory.appendingPathComponent("stacks/blog.swift"))
        let outputBefore = try Fixtures.tree(out)

        XCTAssertTrue(try PromotionSupport.promote("stacks/blog.swift", in: directory, to: .growth, destination: .folder(out)).proceeds)
        XCTAssertNotEqual(try Fixtures.tree(out).filter { !$0.key.hasPrefix("docs/") }, outputBefore)
        let demotion = try PromotionSupport.promote("stacks/blog.swift", in: directory, to: .mvp, destination: .folder(out))
        XCTAssertTrue(demotion.proceeds)
        XCTAssertTrue(demotion.promotion.isDemotion)

        XCTAssertEqual(try read(directory.appendingPathComponent("stacks/blog.swift")), stackBefore)
        let after = try Fixtures.tree(out)
        XCTAssertEqual(after.filter { !$0.key.hasPrefix("docs/promotions/") }, outputBefore)
        XCTAssertEqual(Set(after.keys.filter { $0.hasPrefix("docs/promotions/") }),
                       ["docs/promotions/mvp-to-growth.md", "docs/promotions/growth-to-mvp.md"], "runbooks are kept")
    }

    func testOneEnvironmentMovesAloneAndBack() throws {
        let directory = try Fixtures.workspace("promote", examples: ["shop"])
        let out = directory.appendingPathComponent("out")
        let stackURL = directory.appendingPathComponent("stacks/shop.swift")
        let original = try String(contentsOf: stackURL, encoding: .utf8)

        let outcome = try PromotionSupport.promote("stacks/shop.swift", in: directory, to: .scale, environment: "staging", destination: .folder(out), dryRun: true)
        XCTAssertEqual(outcome.promotion.runbookPath, "docs/promotions/staging-growth-to-scale.md")
        XCTAssertEqual(outcome.promotion.after?.environment("staging")?.stage, .scale)
        XCTAssertEqual(outcome.promotion.after?.environment("production")?.stage, .growth)
        XCTAssertEqual(String(decoding: outcome.promotion.newSource, as: UTF8.self),
                       original.replacingOccurrences(of: "Staging(branch: \"main\")", with: "Staging(branch: \"main\", stage: .scale)"))
        XCTAssertEqual(try String(contentsOf: stackURL, encoding: .utf8), original, "dry run writes nothing")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
    }

    func testRepositoryPromotionIsOneCommitAndDryRunTouchesNothing() throws {
        let directory = try Fixtures.workspace("promote", examples: ["blog"], git: true)
        try PromotionSupport.applyBlogGrowthFixes(in: directory)
        let git = { (arguments: [String]) throws -> String in
            let result = try Tools.run("/usr/bin/git", arguments, in: directory, environment: [
                "GIT_CONFIG_NOSYSTEM": "1", "HOME": directory.path,
                "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com",
            ])
            XCTAssertEqual(result.status, 0, "git \(arguments): \(result.output)")
            return result.output
        }
        _ = try git(["init", "--quiet", "--initial-branch=main"])
        _ = try git(["add", "stacks/blog.swift"])
        _ = try git(["commit", "--quiet", "-m", "stack"])
        let destination = PromotionWorkflow.Destination.repository(path: directory.path, branch: nil, prefix: try OutputPath("infra"))
        let stackBefore = try read(directory.appendingPathComponent("stacks/blog.swift"))

        let dry = try PromotionSupport.promote("stacks/blog.swift", in: directory, to: .growth, destination: destination, dryRun: true)
        XCTAssertTrue(dry.proceeds)
        XCTAssertFalse(dry.files?.added.isEmpty ?? true)
        XCTAssertEqual(try git(["rev-list", "--count", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines), "1")
        XCTAssertEqual(try read(directory.appendingPathComponent("stacks/blog.swift")), stackBefore)
        XCTAssertEqual(try git(["status", "--porcelain"]), "")

        let outcome = try PromotionSupport.promote("stacks/blog.swift", in: directory, to: .growth, destination: destination)
        XCTAssertNotNil(outcome.commit)
        XCTAssertEqual(try git(["rev-list", "--count", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines), "2")
        XCTAssertEqual(try git(["log", "-1", "--format=%s"]), "blog: promote mvp → growth\n")
        let files = try git(["show", "--name-only", "--format=", "HEAD"]).split(separator: "\n").map(String.init)
        XCTAssertTrue(files.contains("stacks/blog.swift"), "\(files)")
        XCTAssertTrue(files.contains("infra/docs/promotions/mvp-to-growth.md"), "\(files)")
        XCTAssertTrue(files.contains("infra/.stagecraft/manifest.json"), "\(files)")
        XCTAssertTrue(files.contains { $0.hasPrefix("infra/environments/production/") }, "\(files)")
        let stackDiff = try git(["diff", "HEAD~1", "HEAD", "--unified=0", "--", "stacks/blog.swift"])
        XCTAssertTrue(stackDiff.hasSuffix("-let stack = Stack(\"blog\", stage: .mvp) {\n+let stack = Stack(\"blog\", stage: .growth) {\n"), stackDiff)
        XCTAssertEqual(try git(["status", "--porcelain"]), "", "the work tree follows the commit")
        XCTAssertTrue(try String(contentsOf: directory.appendingPathComponent("stacks/blog.swift"), encoding: .utf8).contains("stage: .growth"))
    }
}

enum DirectoryWriterHelper {
    static func generate(_ spec: StackSpec, into out: URL) throws {
        let generation = try Fixtures.renderer.render(spec)
        try StagecraftWriters.DirectoryWriter(root: out).write(generation.files)
    }
}

extension String {
    func writeTemporary() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stagecraft-\(UUID().uuidString).swift")
        try write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}
