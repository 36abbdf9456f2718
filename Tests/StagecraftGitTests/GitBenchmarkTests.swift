import Foundation
import StagecraftGit
import XCTest

/// Runs the benchmark small, so it keeps working for the bench executable; timing is not checked.
final class GitBenchmarkTests: XCTestCase {
    func testBenchmarkCommitsBothWays() throws {
        _ = GitTestSupport.home
        let directory = GitTestSupport.makeTemporaryDirectory(named: "bench")
        let figures = try GitBenchmark.run(fileCount: 20, in: directory)
        XCTAssertEqual(figures.fileCount, 22)
        // Same bytes, same modes, same paths: the same tree object either way.
        XCTAssertEqual(
            try GitTestSupport.git("rev-parse", "main^{tree}", in: directory + "/writer.git"),
            try GitTestSupport.git("rev-parse", "main^{tree}", in: directory + "/cli")
        )
    }
}
