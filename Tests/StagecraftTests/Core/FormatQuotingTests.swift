import StagecraftEmitters
import XCTest

final class FormatQuotingTests: XCTestCase {
    func testShellQuotingSurvivesARealShell() throws {
        for value in ["plain", "it's", "a b", "$HOME", "`id`", "\"q\"", "semi;colon", "new\nline", "back\\slash", "{brace}"] {
            let result = try Tools.run("/bin/sh", ["-c", "printf %s \(FormatQuoting.shell(value))"])
            XCTAssertEqual(result.output, value)
        }
    }

    func testDotenvQuoting() {
        XCTAssertEqual(FormatQuoting.dotenv("info"), "'info'")
        XCTAssertEqual(FormatQuoting.dotenv("it's $5"), "\"it's $$5\"")
        XCTAssertEqual(FormatQuoting.dotenv("a\nb"), "\"a\\nb\"")
    }

    func testHCLKeepsTemplateSequencesLiteral() {
        XCTAssertEqual(FormatQuoting.hcl("a\"b"), "\"a\\\"b\"")
        XCTAssertEqual(FormatQuoting.hcl("${var.x} %{if}"), "\"$${var.x} %%{if}\"")
    }

    func testNginxAndPostgresQuoting() {
        XCTAssertEqual(FormatQuoting.nginx("/a\"; b {"), "\"/a\\\"; b {\"")
        XCTAssertEqual(FormatQuoting.postgresConf("it's"), "'it''s'")
        XCTAssertEqual(FormatQuoting.crontab("date +%s"), "date +\\%s")
    }
}
