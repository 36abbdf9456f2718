import Foundation
@testable import StagecraftGit
import StagecraftOutput
import XCTest

final class GitConcurrencyTests: XCTestCase {
    typealias Support = GitTestSupport

    override class func setUp() {
        super.setUp()
        _ = Support.home
    }

    /// Collects what the writer threads report.
    private final class Outcomes: @unchecked Sendable {
        private let lock = NSLock()
        private var results: [Int: Result<GitCommitResult, Error>] = [:]

        func record(_ writer: Int, _ result: Result<GitCommitResult, Error>) {
            lock.withLock { results[writer] = result }
        }

        var all: [Int: Result<GitCommitResult, Error>] { lock.withLock { results } }
    }

    func testEightWritersOnOneBranchAllLand() throws {
        let path = Support.makeTemporaryDirectory(named: "concurrent")
        try Support.git("init", "-q", "--bare", "-b", "main", in: path)
        _ = try GitWriter().commit(Support.request(path, files: try Support.fileSet(["base.yml": "base\n"]), prefix: "base"))

        let writers = 8
        let outcomes = Outcomes()
        let start = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        for writer in 0..<writers {
            done.enter()
            let thread = Thread {
                start.wait()
                outcomes.record(writer, Result {
                    var gitWriter = GitWriter()
                    // Holding each commit back a little makes the writers overlap, so most lose the race at least once.
                    gitWriter.beforeBranchUpdate = { _ in usleep(UInt32.random(in: 1_000...20_000)) }
                    let files = try GitTestSupport.fileSet(["service.yml": "writer: \(writer)\n", "deploy.sh": "#!/bin/sh\n"], executable: ["deploy.sh"])
                    return try gitWriter.commit(GitTestSupport.request(path, files: files, prefix: "service\(writer)"))
                })
                done.leave()
            }
            thread.start()
        }
        for _ in 0..<writers { start.signal() }
        done.wait()

        let results = try outcomes.all.sorted { $0.key < $1.key }.map { try $0.value.get() }
        XCTAssertEqual(results.count, writers)
        XCTAssertTrue(results.allSatisfy { $0.commit != nil })
        XCTAssertGreaterThan(results.map(\.retries).reduce(0, +), 0, "the writers never raced; the test proves nothing")

        let log = Support.lines(try Support.git("log", "--format=%H", "main", in: path))
        XCTAssertEqual(log.count, writers + 1)
        XCTAssertEqual(Set(log), Set(results.compactMap { $0.commit?.description }).union([log.last ?? ""]))
        let tree = Set(try Support.treeFiles("main", in: path))
        for writer in 0..<writers {
            XCTAssertTrue(tree.contains("service\(writer)/service.yml"))
            XCTAssertEqual(try Support.git("show", "main:service\(writer)/service.yml", in: path).hasSuffix("writer: \(writer)\n"), true)
            XCTAssertTrue(try Support.git("ls-tree", "main", "service\(writer)/deploy.sh", in: path).hasPrefix("100755"))
        }
        XCTAssertTrue(tree.contains("base/base.yml"))

        let fsck = try Support.run(["fsck", "--strict"], in: path)
        XCTAssertEqual(fsck.status, 0, fsck.error)
        // Commits that lost the race stay behind unreferenced; anything else would be damage.
        XCTAssertEqual(Support.lines(fsck.output + fsck.error).filter { !$0.hasPrefix("dangling ") }, [])
    }
}
