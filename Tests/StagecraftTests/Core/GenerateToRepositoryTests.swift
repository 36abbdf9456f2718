import Foundation
import XCTest

/// `generate --repo` and `plan --repo` through the real executable, checked with the git CLI.
final class GenerateToRepositoryTests: XCTestCase {
    private func git(_ arguments: [String], in directory: URL) throws -> String {
        let result = try Tools.run("/usr/bin/git", arguments, in: directory, environment: ["GIT_CONFIG_NOSYSTEM": "1", "HOME": directory.path])
        XCTAssertEqual(result.status, 0, "git \(arguments.joined(separator: " ")): \(result.output)")
        return result.output
    }

    func testGenerateCommitsOnceAndThenReportsNoChanges() throws {
        let directory = try Fixtures.workspace("repo-cli")
        let refused = try Fixtures.stagecraft(["generate", "stacks/shop.swift", "--repo", "infra.git"], in: directory)
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.output.contains("--init"), refused.output)

        let first = try Fixtures.stagecraft(["generate", "stacks/shop.swift", "--repo", "infra.git", "--init"], in: directory)
        XCTAssertEqual(first.status, 0, first.output)
        let repository = directory.appendingPathComponent("infra.git")
        XCTAssertEqual(try git(["rev-list", "--count", "HEAD"], in: repository).trimmingCharacters(in: .whitespacesAndNewlines), "1")
        let subject = try git(["log", "-1", "--format=%s%n%b"], in: repository)
        XCTAssertTrue(subject.hasPrefix("shop: generate for growth (staging, production)"), subject)
        XCTAssertTrue(subject.contains("Stagecraft-Stack: shop"), subject)
        let tree = Set(try git(["ls-tree", "-r", "--name-only", "HEAD"], in: repository).split(separator: "\n").map(String.init))
        XCTAssertEqual(tree, Set(try Fixtures.tree(GoldenTests.goldens.appendingPathComponent("shop")).keys))

        let planned = try Fixtures.stagecraft(["plan", "stacks/shop.swift", "--repo", "infra.git"], in: directory)
        XCTAssertEqual(planned.status, 0, planned.output)

        let second = try Fixtures.stagecraft(["generate", "stacks/shop.swift", "--repo", "infra.git"], in: directory)
        XCTAssertEqual(second.status, 0, second.output)
        XCTAssertTrue(second.output.contains("no changes"), second.output)
        XCTAssertEqual(try git(["rev-list", "--count", "HEAD"], in: repository).trimmingCharacters(in: .whitespacesAndNewlines), "1")

        let other = try Fixtures.stagecraft(["plan", "stacks/blog.swift", "--repo", "infra.git", "--prefix", "blog"], in: directory)
        XCTAssertEqual(other.status, 2, other.output)
    }

    func testEightProcessesCommittingToOneBranchLoseNothing() throws {
        let directory = try Fixtures.workspace("repo-cli")
        _ = try git(["init", "--quiet", "--bare", "--initial-branch=main", "infra.git"], in: directory)
        // Compile once, so the eight processes race on the branch rather than the compiler.
        XCTAssertEqual(try Fixtures.stagecraft(["plan", "stacks/blog.swift", "--out", "unused"], in: directory).status, 2)

        let results = ThreadSafeList()
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            let result = try? Fixtures.stagecraft(
                ["generate", "stacks/blog.swift", "--repo", "infra.git", "--branch", "main", "--prefix", "team-\(index)"], in: directory)
            if result?.status != 0 { results.append("process \(index): \(result?.output ?? "did not run")") }
        }
        XCTAssertEqual(results.items, [])

        let repository = directory.appendingPathComponent("infra.git")
        XCTAssertEqual(try git(["rev-list", "--count", "main"], in: repository).trimmingCharacters(in: .whitespacesAndNewlines), "8")
        let tops = Set(try git(["ls-tree", "--name-only", "main"], in: repository).split(separator: "\n").map(String.init))
        XCTAssertEqual(tops, Set((0..<8).map { "team-\($0)" }))
        let fsck = try Tools.run("/usr/bin/git", ["fsck", "--strict", "--no-dangling"], in: repository)
        XCTAssertEqual(fsck.status, 0, fsck.output)
        XCTAssertEqual(fsck.output.trimmingCharacters(in: .whitespacesAndNewlines), "")
    }
}
