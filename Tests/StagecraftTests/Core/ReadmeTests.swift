import Foundation
import XCTest

final class ReadmeTests: XCTestCase {
    private var readme: String {
        get throws { try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8) }
    }

    func testTheStageTableIsThePolicyInCode() throws {
        let table = try Fixtures.stagecraft(["stages", "--format", "markdown"], in: Fixtures.repositoryRoot)
        XCTAssertEqual(table.status, 0)
        XCTAssertTrue(try readme.contains(table.output.trimmingCharacters(in: .whitespacesAndNewlines)),
                      "README's stage table differs from `stagecraft stages --format markdown`")
    }

    func testTheReadmeCarriesTheTwoSetUpCommandsCIRuns() throws {
        XCTAssertTrue(try readme.contains("scripts/setup   #"))
        XCTAssertTrue(try readme.contains("scripts/test    #"))
        let ci = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent(".ci/run"), encoding: .utf8)
        XCTAssertTrue(ci.contains("scripts/test"))
    }
}
