import Foundation
import StagecraftOutput
import XCTest

/// `stagecraft generate` and `plan` end to end, through the real executable.
final class GenerateCommandTests: XCTestCase {
    func testGenerateTwiceReportsNoChangesAndMatchesTheGoldens() throws {
        let directory = try Fixtures.workspace("cli")
        let first = try Fixtures.stagecraft(["generate", "stacks/shop.swift", "--out", "out"], in: directory)
        XCTAssertEqual(first.status, 0, first.output)
        XCTAssertTrue(first.output.contains("+ .github/workflows/shop-ci.yml"), first.output)

        let second = try Fixtures.stagecraft(["generate", "stacks/shop.swift", "--out", "out"], in: directory)
        XCTAssertEqual(second.status, 0, second.output)
        XCTAssertTrue(second.output.contains("no changes in out"), second.output)

        let written = try Fixtures.tree(directory.appendingPathComponent("out"))
        XCTAssertEqual(written, try Fixtures.tree(GoldenTests.goldens.appendingPathComponent("shop")))
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
