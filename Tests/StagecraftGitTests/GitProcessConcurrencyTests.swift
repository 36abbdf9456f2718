import Foundation
import StagecraftGit
import XCTest

/// Eight writer processes, each with its own libgit2, racing on one branch through the
/// repository's lock files: the children are this test binary running ``testWriterProcess``.
final class GitProcessConcurrencyTests: XCTestCase {
    typealias Support = GitTestSupport

    private static let repositoryVariable = "STAGECRAFT_GIT_STRESS_REPOSITORY"
    private static let prefixVariable = "STAGECRAFT_GIT_STRESS_PREFIX"

    /// The child's part: one commit, then a report of its id on standard output.
    func testWriterProcess() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let path = environment[Self.repositoryVariable], let prefix = environment[Self.prefixVariable] else {
            throw XCTSkip("runs only as a child of testEightWriterProcessesOnOneBranchAllLand")
        }
        _ = Support.home
        let files = try Support.fileSet(["service.yml": "writer: \(prefix)\n"])
        let result = try GitWriter().commit(Support.request(path, files: files, prefix: prefix))
        print("STRESS-COMMIT \(result.commit?.description ?? "none") RETRIES \(result.retries)")
    }

    func testEightWriterProcessesOnOneBranchAllLand() throws {
        _ = Support.home
        let path = Support.makeTemporaryDirectory(named: "processes")
        try Support.git("init", "-q", "--bare", "-b", "main", in: path)
        _ = try GitWriter().commit(Support.request(path, files: try Support.fileSet(["base.yml": "base\n"]), prefix: "base"))

        let writers = (0..<8).map { "service\($0)" }
        let children = try writers.map { prefix in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            process.arguments = ["StagecraftGitTests.GitProcessConcurrencyTests/testWriterProcess"]
            var environment = ProcessInfo.processInfo.environment
            environment[Self.repositoryVariable] = path
            environment[Self.prefixVariable] = prefix
            process.environment = environment
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            return (process, output)
        }
        var commits: [String] = []
        for (process, output) in children {
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, text)
            let reports = Support.lines(text).filter { $0.hasPrefix("STRESS-COMMIT ") }
            XCTAssertEqual(reports.count, 1, text)
            commits += reports.map { String($0.split(separator: " ")[1]) }
        }

        let log = Support.lines(try Support.git("log", "--format=%H", "main", in: path))
        XCTAssertEqual(log.count, writers.count + 1)
        XCTAssertEqual(Set(log.dropLast()), Set(commits))
        let tree = Set(try Support.treeFiles("main", in: path))
        for prefix in writers {
            XCTAssertTrue(tree.contains("\(prefix)/service.yml"), prefix)
        }
        let fsck = try Support.run(["fsck", "--strict"], in: path)
        XCTAssertEqual(fsck.status, 0, fsck.error)
        XCTAssertEqual(Support.lines(fsck.output + fsck.error).filter { !$0.hasPrefix("dangling ") }, [])
    }
}
