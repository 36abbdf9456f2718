import Foundation
@testable import StagecraftGit
import StagecraftOutput
import XCTest

/// Every refusal names what happened and what the user can do about it.
final class GitErrorTests: XCTestCase {
    typealias Support = GitTestSupport

    override class func setUp() {
        super.setUp()
        _ = Support.home
    }

    private func assertThrows(
        _ expression: @autoclosure () throws -> GitCommitResult, _ expected: GitError, mentioning advice: [String],
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try expression(), file: file, line: line) { error in
            XCTAssertEqual(error as? GitError, expected, file: file, line: line)
            let message = "\(error)"
            for text in advice {
                XCTAssertTrue(message.contains(text), "'\(message)' does not mention '\(text)'", file: file, line: line)
            }
        }
    }

    private let files = try! GitTestSupport.fileSet(["a.yml": "a: 1\n"])

    func testNotARepositorySuggestsInitAndInitCreatesOne() throws {
        let path = Support.makeTemporaryDirectory(named: "plain")
        assertThrows(try GitWriter().commit(Support.request(path, files: files)), .notARepository(path: path), mentioning: ["--init"])
        let missing = path + "/missing"
        assertThrows(try GitWriter().commit(Support.request(missing, files: files)), .notARepository(path: missing), mentioning: ["--init"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: missing))

        _ = try GitWriter().commit(Support.request(path, files: files, initialize: true))
        XCTAssertEqual(try Support.treeFiles("main", in: path), [".gitattributes", ".stagecraft/manifest.json", "a.yml"])
    }

    /// The tests run as root; libgit2 still refuses a repository whose folder another uid owns.
    func testRepositoryOwnedByAnotherUserIsRefusedUntilMarkedSafe() throws {
        try XCTSkipUnless(getuid() == 0, "needs root to give the repository to another user")
        XCTAssertTrue(LibGit2.ownerValidationEnabled)
        let path = try Support.repositoryWithCommit(["README.md": "hello\n"])
        XCTAssertEqual(chown(path, 12345, 12345), 0)
        XCTAssertEqual(chown(path + "/.git", 12345, 12345), 0)
        defer { _ = chown(path, 0, 0); _ = chown(path + "/.git", 0, 0) }

        assertThrows(
            try GitWriter().commit(Support.request(path, files: files, branch: "main")), .unsafeOwnership(path: path),
            mentioning: ["git config --global --add safe.directory \(path)"]
        )
        let globalConfig = Support.home + "/.gitconfig"
        defer { try? FileManager.default.removeItem(atPath: globalConfig) }
        try "[safe]\n\tdirectory = /elsewhere\n".write(toFile: globalConfig, atomically: true, encoding: .utf8)
        assertThrows(
            try GitWriter().commit(Support.request(path, files: files, branch: "main")), .unsafeOwnership(path: path),
            mentioning: ["safe.directory \(path)"]
        )

        // The advice works: with safe.directory set, the same commit goes through.
        try "[safe]\n\tdirectory = \(path)\n".write(toFile: globalConfig, atomically: true, encoding: .utf8)
        XCTAssertNotNil(try GitWriter().commit(Support.request(path, files: files, branch: "main")).commit)
    }

    func testUnsupportedRepositoryExtension() throws {
        let path = try Support.repositoryWithCommit(["README.md": "hello\n"])
        try Support.git("config", "core.repositoryformatversion", "1", in: path)
        try Support.git("config", "extensions.foo", "true", in: path)
        XCTAssertThrowsError(try GitWriter().commit(Support.request(path, files: files))) { error in
            guard case .unsupportedExtension(let reported, let detail) = error as? GitError else { return XCTFail("\(error)") }
            XCTAssertEqual(reported, path)
            XCTAssertTrue(detail.contains("foo"), detail)
            XCTAssertTrue("\(error)".contains("write to a folder"), "\(error)")
        }
    }

    func testBranchThatKeepsMovingIsReportedAndNoCommitIsLost() throws {
        let path = Support.makeTemporaryDirectory(named: "moving")
        try Support.git("init", "-q", "--bare", "-b", "main", in: path)
        _ = try GitWriter().commit(Support.request(path, files: files, prefix: "base"))

        // Another writer commits between every tree build and branch update.
        var writer = GitWriter()
        writer.beforeBranchUpdate = { attempt in
            _ = try GitWriter().commit(GitTestSupport.request(path, files: try GitTestSupport.fileSet(["x.yml": "\(attempt)\n"]), prefix: "intruder\(attempt)"))
        }
        assertThrows(
            try writer.commit(Support.request(path, files: files, prefix: "mine", retries: 2)), .branchMoved(branch: "main", attempts: 3),
            mentioning: ["run the command again"]
        )
        XCTAssertEqual(try Support.commitCount("main", in: path), 4)
        XCTAssertFalse(try Support.treeFiles("main", in: path).contains("mine/a.yml"))

        // Moved once, then retried on the new tip: both commits are in the history.
        writer.beforeBranchUpdate = { attempt in
            guard attempt == 0 else { return }
            _ = try GitWriter().commit(GitTestSupport.request(path, files: try GitTestSupport.fileSet(["x.yml": "late\n"]), prefix: "late"))
        }
        let result = try writer.commit(Support.request(path, files: files, prefix: "mine", retries: 1))
        XCTAssertEqual(result.retries, 1)
        XCTAssertEqual(try Support.commitCount("main", in: path), 6)
        let tree = try Support.treeFiles("main", in: path)
        XCTAssertTrue(tree.contains("mine/a.yml") && tree.contains("late/x.yml") && tree.contains("intruder2/x.yml"))
    }

    func testLockedBranchNamesTheLockFile() throws {
        let path = try Support.repositoryWithCommit(["README.md": "hello\n"])
        try Support.git("checkout", "-q", "-b", "other", in: path)
        let lockFile = path + "/.git/refs/heads/main.lock"
        XCTAssertTrue(FileManager.default.createFile(atPath: lockFile, contents: Data()))

        XCTAssertThrowsError(try GitWriter().commit(Support.request(path, files: files, branch: "main", lockTimeout: .milliseconds(200)))) { error in
            guard case .refLocked(let reference, let reportedLock) = error as? GitError else { return XCTFail("\(error)") }
            XCTAssertEqual(reference, "refs/heads/main")
            XCTAssertEqual(URL(fileURLWithPath: reportedLock).standardized.path, URL(fileURLWithPath: lockFile).standardized.path)
            XCTAssertTrue("\(error)".contains("Another git process"))
            XCTAssertTrue("\(error)".contains("remove '\(reportedLock)'"))
        }
        XCTAssertEqual(try Support.commitCount("main", in: path), 1)

        try FileManager.default.removeItem(atPath: lockFile)
        XCTAssertNotNil(try GitWriter().commit(Support.request(path, files: files, branch: "main")).commit)
    }

    func testDetachedHeadNeedsABranch() throws {
        let path = try Support.repositoryWithCommit(["README.md": "hello\n"])
        try Support.git("checkout", "-q", "--detach", in: path)
        assertThrows(try GitWriter().commit(Support.request(path, files: files)), .detachedHead(path: path), mentioning: ["--branch NAME"])
        XCTAssertNotNil(try GitWriter().commit(Support.request(path, files: files, branch: "main")).commit)
    }

    func testUnbornHeadBesideOtherBranchesNeedsABranch() throws {
        let path = try Support.repositoryWithCommit(["README.md": "hello\n"])
        try Support.git("checkout", "-q", "--orphan", "fresh", in: path)
        assertThrows(
            try GitWriter().commit(Support.request(path, files: files)), .unbornHead(path: path, headBranch: "fresh"),
            mentioning: ["--branch NAME"]
        )

        // In a repository without any branch, HEAD's unborn branch is the only candidate.
        let empty = Support.makeTemporaryDirectory(named: "empty")
        try Support.git("init", "-q", "-b", "trunk", in: empty)
        let result = try GitWriter().commit(Support.request(empty, files: files))
        XCTAssertEqual(result.branch, "trunk")
        XCTAssertTrue(result.workTreeUpdated)
        XCTAssertEqual(try Support.git("status", "--porcelain", in: empty), "")
    }

    func testDirtyCheckedOutBranchIsRefusedBeforeCommitting() throws {
        let path = try Support.repositoryWithCommit(["README.md": "hello\n"])
        try "changed\n".write(toFile: path + "/README.md", atomically: true, encoding: .utf8)
        assertThrows(
            try GitWriter().commit(Support.request(path, files: files)),
            .dirtyWorkTree(path: path, branch: "main", files: ["README.md"]), mentioning: ["git stash", "--branch"]
        )
        XCTAssertEqual(try Support.commitCount("main", in: path), 1)

        // A staged change counts too.
        try Support.git("add", "README.md", in: path)
        assertThrows(
            try GitWriter().commit(Support.request(path, files: files)),
            .dirtyWorkTree(path: path, branch: "main", files: ["README.md"]), mentioning: ["Commit or stash"]
        )
        try Support.git("reset", "-q", "--hard", in: path)

        // An untracked file is in the way only where output would land.
        try "mine\n".write(toFile: path + "/a.yml", atomically: true, encoding: .utf8)
        assertThrows(
            try GitWriter().commit(Support.request(path, files: files)),
            .dirtyWorkTree(path: path, branch: "main", files: ["a.yml"]), mentioning: ["git stash"]
        )
        try FileManager.default.removeItem(atPath: path + "/a.yml")
        try "scratch\n".write(toFile: path + "/notes.txt", atomically: true, encoding: .utf8)
        XCTAssertNotNil(try GitWriter().commit(Support.request(path, files: files)).commit)
        XCTAssertEqual(try Support.git("status", "--porcelain", in: path), "?? notes.txt\n")
    }

    func testCleanCheckedOutBranchFollowsTheCommit() throws {
        let path = try Support.repositoryWithCommit(["README.md": "hello\n"])
        let first = try GitWriter().commit(Support.request(path, files: try Support.fileSet(["a.yml": "a: 1\n", "deploy/b.sh": "#!/bin/sh\n"], executable: ["deploy/b.sh"])))
        XCTAssertTrue(first.workTreeUpdated)
        XCTAssertEqual(try Support.git("status", "--porcelain", in: path), "")
        XCTAssertEqual(try String(contentsOfFile: path + "/a.yml", encoding: .utf8), files["a.yml"]?.text)
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: path + "/deploy/b.sh"))

        _ = try GitWriter().commit(Support.request(path, files: try Support.fileSet(["a.yml": "a: 2\n"])))
        XCTAssertEqual(try Support.git("status", "--porcelain", in: path), "")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + "/deploy/b.sh"))
        XCTAssertTrue(try String(contentsOfFile: path + "/a.yml", encoding: .utf8).hasSuffix("a: 2\n"))
        XCTAssertEqual(try String(contentsOfFile: path + "/README.md", encoding: .utf8), "hello\n")
    }
}

extension GitErrorTests {
    func testBranchCheckedOutInAnotherWorkTreeIsRefusedButWritableFromThere() throws {
        let path = try Support.repositoryWithCommit(["README.md": "hello\n"])
        let linked = Support.makeTemporaryDirectory(named: "linked") + "/feature"
        try Support.git("worktree", "add", "-q", "-b", "feature", linked, in: path)

        assertThrows(
            try GitWriter().commit(Support.request(path, files: files, branch: "feature")), .checkedOutElsewhere(branch: "feature"),
            mentioning: ["git worktree list", "--branch"]
        )
        let result = try GitWriter().commit(Support.request(linked, files: files))
        XCTAssertEqual(result.branch, "feature")
        XCTAssertTrue(result.workTreeUpdated)
        XCTAssertEqual(try Support.git("status", "--porcelain", in: linked), "")
        XCTAssertTrue(FileManager.default.fileExists(atPath: linked + "/a.yml"))
        XCTAssertEqual(try Support.git("status", "--porcelain", in: path), "")
    }

    func testOutputFolderWhereTheBranchHasAFileIsAConflict() throws {
        let path = try Support.repositoryWithCommit(["infra": "a file, not a folder\n"])
        try Support.git("checkout", "-q", "--detach", in: path)
        assertThrows(
            try GitWriter().commit(Support.request(path, files: files, branch: "main", prefix: "infra")), .pathConflict(path: "infra"),
            mentioning: ["Move or remove it"]
        )
        XCTAssertEqual(try Support.commitCount("main", in: path), 1)
    }

    func testLockedBranchInLinkedWorkTreeNamesTheSharedLockFile() throws {
        let path = try Support.repositoryWithCommit(["README.md": "hello\n"])
        let linked = Support.makeTemporaryDirectory(named: "linked") + "/other"
        try Support.git("worktree", "add", "-q", "-b", "other", linked, in: path)
        try Support.git("branch", "-q", "target", in: path)
        let lockFile = path + "/.git/refs/heads/target.lock"
        XCTAssertTrue(FileManager.default.createFile(atPath: lockFile, contents: Data()))
        XCTAssertThrowsError(try GitWriter().commit(Support.request(linked, files: files, branch: "target", lockTimeout: .milliseconds(50)))) { error in
            guard case .refLocked(_, let reported) = error as? GitError else { return XCTFail("\(error)") }
            XCTAssertEqual(URL(fileURLWithPath: reported).standardized.path, URL(fileURLWithPath: lockFile).standardized.path)
        }
    }
}
