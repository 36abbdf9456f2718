import Foundation
import StagecraftGit
import StagecraftOutput
import StagecraftWriters
import XCTest

final class GitWriterTests: XCTestCase {
    typealias Support = GitTestSupport

    override class func setUp() {
        super.setUp()
        _ = Support.home
    }

    func testFirstCommitHoldsExactlyTheFilesAndIdenticalRunCommitsNothing() throws {
        let path = Support.makeTemporaryDirectory(named: "new") + "/repo"
        let files = try Support.fileSet(["config/app.env": "A=1\n", "bin/deploy.sh": "#!/bin/sh\necho hi\n"], executable: ["bin/deploy.sh"])

        let first = try GitWriter().commit(Support.request(path, files: files, initialize: true))
        XCTAssertEqual(first.branch, "main")
        XCTAssertNotNil(first.commit)
        XCTAssertNil(first.parent)
        XCTAssertTrue(first.workTreeUpdated, "the new repository has main checked out")
        XCTAssertEqual(try Support.git("status", "--porcelain", in: path), "")
        XCTAssertEqual(try Support.commitCount("main", in: path), 1)
        XCTAssertEqual(try Support.treeFiles("main", in: path), files.paths.map(\.value))
        XCTAssertTrue(try Support.git("ls-tree", "main", "bin/deploy.sh", in: path).hasPrefix("100755 blob"))
        XCTAssertTrue(try Support.git("ls-tree", "main", "config/app.env", in: path).hasPrefix("100644 blob"))
        XCTAssertEqual(try Support.git("show", "main:config/app.env", in: path), files["config/app.env"]?.text)

        let message = try Support.git("log", "-1", "--format=%B", "main", in: path)
        XCTAssertTrue(message.hasPrefix("shop: generate for growth (development, production)\n\nAdded:\n"), message)
        XCTAssertTrue(message.contains("  bin/deploy.sh\n"))
        XCTAssertTrue(message.hasSuffix("\n\nStagecraft-Stack: shop\nStagecraft-Stage: growth\nStagecraft-Version: 0.1.0\n\n"), message)
        let trailers = try Support.git("log", "-1", "--format=%(trailers:only,unfold)", "main", in: path)
        XCTAssertEqual(Support.lines(trailers), ["Stagecraft-Stack: shop", "Stagecraft-Stage: growth", "Stagecraft-Version: 0.1.0"])

        let second = try GitWriter().commit(Support.request(path, files: files))
        XCTAssertTrue(second.noChanges)
        XCTAssertEqual(try Support.commitCount("main", in: path), 1)

        let changedFiles = try Support.fileSet(
            ["config/app.env": "A=2\n", "bin/deploy.sh": "#!/bin/sh\necho hi\n"], executable: ["bin/deploy.sh"]
        )
        let third = try GitWriter().commit(Support.request(path, files: changedFiles))
        XCTAssertEqual(third.changes.changed.map(\.value), [".stagecraft/manifest.json", "config/app.env"])
        XCTAssertEqual(try Support.commitCount("main", in: path), 2)
        let changed = Support.lines(try Support.git("show", "--format=", "--name-only", "main", in: path))
        XCTAssertEqual(changed, [".stagecraft/manifest.json", "config/app.env"])
        let stat = try Support.git("show", "--stat", "--format=", "main", in: path)
        XCTAssertTrue(stat.contains("2 files changed"), stat)
        XCTAssertEqual(try Support.git("fsck", "--strict", in: path), "")
    }

    func testFilesNotGeneratedSurviveAndOrphansAreRemoved() throws {
        let path = try Support.repositoryWithCommit(["README.md": "hello\n", "src/app.swift": "print(1)\n"])
        try Support.git("checkout", "-q", "-b", "work", in: path)
        let writer = GitWriter()

        _ = try writer.commit(Support.request(path, files: try Support.fileSet(["a.yml": "a: 1\n", "src/b.yml": "b: 1\n"]), branch: "main"))
        XCTAssertEqual(
            try Support.treeFiles("main", in: path),
            [".gitattributes", ".stagecraft/manifest.json", "README.md", "a.yml", "src/app.swift", "src/b.yml"]
        )

        let result = try writer.commit(Support.request(path, files: try Support.fileSet(["a.yml": "a: 1\n"]), branch: "main"))
        XCTAssertEqual(result.changes.removed.map(\.value), ["src/b.yml"])
        XCTAssertEqual(
            try Support.treeFiles("main", in: path),
            [".gitattributes", ".stagecraft/manifest.json", "README.md", "a.yml", "src/app.swift"]
        )
        XCTAssertEqual(try Support.git("show", "main:README.md", in: path), "hello\n")
        XCTAssertTrue(try Support.git("log", "-1", "--format=%B", "main", in: path).contains("Removed:\n  src/b.yml\n"))
        XCTAssertEqual(try Support.commitCount("main", in: path), 3)

        // The checked-out branch `work`, its index and work tree were left alone.
        XCTAssertFalse(result.workTreeUpdated)
        XCTAssertEqual(try Support.git("status", "--porcelain", in: path), "")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + "/a.yml"))
        XCTAssertEqual(try Support.commitCount("work", in: path), 1)
    }

    func testPrefixKeepsOutputUnderItAndEverythingElseAsItWas() throws {
        let path = try Support.repositoryWithCommit(["README.md": "hello\n", "infra/notes.txt": "mine\n", "app/main.swift": "x\n"])
        try Support.git("checkout", "-q", "--detach", in: path)
        let before = try Support.git("ls-tree", "-r", "main", in: path)

        let files = try Support.fileSet(["compose.yml": "services: {}\n", "nginx/nginx.conf": "events {}\n"])
        _ = try GitWriter().commit(Support.request(path, files: files, branch: "main", prefix: "infra"))
        _ = try GitWriter().commit(Support.request(path, files: try Support.fileSet(["compose.yml": "services: {}\n"]), branch: "main", prefix: "infra"))

        XCTAssertEqual(
            try Support.treeFiles("main", in: path),
            ["README.md", "app/main.swift", "infra/.gitattributes", "infra/.stagecraft/manifest.json", "infra/compose.yml", "infra/notes.txt"]
        )
        let after = try Support.git("ls-tree", "-r", "main", in: path)
        let outsideBefore = Support.lines(before).filter { !$0.contains("\tinfra/") || $0.hasSuffix("\tinfra/notes.txt") }
        let outsideAfter = Support.lines(after).filter { !$0.contains("\tinfra/") || $0.hasSuffix("\tinfra/notes.txt") }
        XCTAssertEqual(outsideBefore, outsideAfter)
        XCTAssertTrue(try Support.git("log", "-1", "--format=%B", "main", in: path).contains("Removed:\n  infra/nginx/nginx.conf\n"))
    }

    func testSnapshotComparesOutputWithTheBranch() throws {
        let path = try Support.repositoryWithCommit(["README.md": "hello\n"])
        let files = try Support.fileSet(["a.yml": "a: 1\n", "b.yml": "b: 1\n"])
        let repository = try GitRepository.open(at: path)

        let empty = try repository.snapshot(branch: nil, prefix: try OutputPath("infra"))
        XCTAssertNil(empty.manifest)
        XCTAssertEqual(try ChangeSet.compute(files, previous: empty.manifest, existing: empty.file).added.count, files.count)

        _ = try GitWriter().commit(Support.request(path, files: files, prefix: "infra"))
        let snapshot = try GitRepository.open(at: path).snapshot(branch: "main", prefix: try OutputPath("infra"))
        XCTAssertEqual(snapshot.manifest?.stack, "shop")
        XCTAssertTrue(try ChangeSet.compute(files, previous: snapshot.manifest, existing: snapshot.file).isEmpty)

        let next = try Support.fileSet(["a.yml": "a: 2\n"])
        let changes = try ChangeSet.compute(next, previous: snapshot.manifest, existing: snapshot.file)
        XCTAssertEqual(changes.changed.map(\.value), [".gitattributes", ".stagecraft/manifest.json", "a.yml"])
        XCTAssertEqual(changes.removed.map(\.value), ["b.yml"])
    }

    func testBareRepository() throws {
        let path = Support.makeTemporaryDirectory(named: "bare")
        try Support.git("init", "-q", "--bare", "-b", "main", in: path)
        let files = try Support.fileSet(["a.yml": "a: 1\n"])

        let result = try GitWriter().commit(Support.request(path, files: files))
        XCTAssertEqual(result.branch, "main")
        XCTAssertFalse(result.workTreeUpdated)
        XCTAssertEqual(try Support.treeFiles("main", in: path), [".gitattributes", ".stagecraft/manifest.json", "a.yml"])
        XCTAssertEqual(try Support.git("fsck", "--strict", in: path), "")
        XCTAssertTrue(try GitWriter().commit(Support.request(path, files: files)).noChanges)

        let created = Support.makeTemporaryDirectory(named: "bare-init") + "/repo.git"
        var request = try Support.request(created, files: files, initialize: true)
        request.bare = true
        _ = try GitWriter().commit(request)
        XCTAssertEqual(try Support.git("rev-parse", "--is-bare-repository", in: created), "true\n")
        XCTAssertEqual(try Support.treeFiles("main", in: created), [".gitattributes", ".stagecraft/manifest.json", "a.yml"])
    }

    func testIdentityFallsBackToAuthorOptionThenBot() throws {
        let path = Support.makeTemporaryDirectory(named: "identity")
        try Support.git("init", "-q", "--bare", "-b", "main", in: path)

        _ = try GitWriter().commit(Support.request(path, files: try Support.fileSet(["a.yml": "1\n"])))
        XCTAssertEqual(
            try Support.git("log", "-1", "--format=%an <%ae>|%cn <%ce>", "main", in: path),
            "Stagecraft <stagecraft@users.noreply.github.com>|Stagecraft <stagecraft@users.noreply.github.com>\n"
        )

        var request = try Support.request(path, files: try Support.fileSet(["a.yml": "2\n"]))
        request.author = "Ada Lovelace <ada@example.com>"
        _ = try GitWriter().commit(request)
        XCTAssertEqual(
            try Support.git("log", "-1", "--format=%an <%ae>|%cn <%ce>", "main", in: path),
            "Ada Lovelace <ada@example.com>|Ada Lovelace <ada@example.com>\n"
        )

        try Support.git("config", "user.name", "Configured Person", in: path)
        try Support.git("config", "user.email", "configured@example.com", in: path)
        request.files = try Support.fileSet(["a.yml": "3\n"])
        _ = try GitWriter().commit(request)
        XCTAssertEqual(
            try Support.git("log", "-1", "--format=%an <%ae>|%cn <%ce>", "main", in: path),
            "Ada Lovelace <ada@example.com>|Configured Person <configured@example.com>\n"
        )

        request.author = "no email here"
        XCTAssertThrowsError(try GitWriter().commit(request)) { error in
            XCTAssertEqual(error as? GitError, .invalidAuthor("no email here"))
        }
    }
}
