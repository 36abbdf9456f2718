import StagecraftPromotion
import StagecraftSpec
import XCTest

/// The rewrite changes the stage token and nothing else, whatever surrounds it.
final class StageArgumentRewriterTests: XCTestCase {
    private func rewrite(_ source: String, _ callee: String = "Stack", line: Int = 1, to stage: Stage?) throws -> String {
        String(decoding: try StageArgumentRewriter(source: Array(source.utf8)).setting(stage: stage, ofCall: callee, atLine: line), as: UTF8.self)
    }

    func testPlainDeclaration() throws {
        XCTAssertEqual(try rewrite("let stack = Stack(\"blog\", stage: .mvp) {\n}\n", to: .growth),
                       "let stack = Stack(\"blog\", stage: .growth) {\n}\n")
    }

    func testCommentsAndStringsMentioningStageAreLeftAlone() throws {
        let source = #"""
            // Stack("x", stage: .mvp) in a comment
            let stack = Stack(/* stage: .scale /* nested stage: .growth */ still comment */
                "stage: .mvp, \(f("stage: .scale)"))", // stage: .mvp
                #"raw "stage: .mvp" "#, """
                stage: .scale
                """ == "" ? "a" : "b",
                stage   :   Stage.mvp   /* after */
            ) { Service("stage") { Config("stage", "stage: .mvp") } }
            """#
        let expected = source.replacingOccurrences(of: "Stage.mvp", with: "Stage.growth")
        XCTAssertEqual(try rewrite(source, line: 2, to: .growth), expected)
    }

    func testOnlyTheCallAtTheRecordedLineChanges() throws {
        let source = "let a = Stack(\"a\", stage: .mvp) {}\nlet b = Stack(\"b\", stage: .mvp) {}\n"
        XCTAssertEqual(try rewrite(source, line: 2, to: .scale), "let a = Stack(\"a\", stage: .mvp) {}\nlet b = Stack(\"b\", stage: .scale) {}\n")
    }

    func testNestedParenthesesAndMultilineArguments() throws {
        let source = "Stack(\n  name(of: (\"x\", stage: .mvp)),\n  stage:\n    .growth\n) {}"
        XCTAssertEqual(try rewrite(source, to: .scale), "Stack(\n  name(of: (\"x\", stage: .mvp)),\n  stage:\n    .scale\n) {}")
    }

    func testEnvironmentStageIsInsertedThenRemovedByteForByte() throws {
        let original = "    Staging(branch: \"main\") {\n        Override(\"api\") { Replicas(1) }\n    }\n"
        let promoted = try rewrite(original, "Staging", to: .scale)
        XCTAssertEqual(promoted, "    Staging(branch: \"main\", stage: .scale) {\n        Override(\"api\") { Replicas(1) }\n    }\n")
        XCTAssertEqual(try rewrite(promoted, "Staging", to: nil), original)
        XCTAssertEqual(try rewrite("Staging()", "Staging", to: .growth), "Staging(stage: .growth)")
        XCTAssertEqual(try rewrite("Staging(stage: .growth)", "Staging", to: nil), "Staging()")
        XCTAssertEqual(try rewrite("Staging { }", "Staging", to: .growth), "Staging(stage: .growth) { }")
        XCTAssertEqual(try rewrite("Production(stage: .scale, approval: .required)", "Production", to: nil), "Production(approval: .required)")
    }

    func testUnicodeAroundTheCallSurvives() throws {
        XCTAssertEqual(try rewrite("let stack = Stack(\"café ☕️\", stage: .mvp) { } // ünïcode\n", to: .growth),
                       "let stack = Stack(\"café ☕️\", stage: .growth) { } // ünïcode\n")
    }

    func testRefusesWhatItCannotRewriteSafely() {
        XCTAssertThrowsError(try rewrite("let s = Stack(\"a\", stage: chosenStage) {}", to: .growth)) { error in
            XCTAssertEqual(error as? StageArgumentRewriter.Failure, .notALiteralStage(callee: "Stack", line: 1, text: "chosenStage"))
        }
        XCTAssertThrowsError(try rewrite("// Stack(\"a\", stage: .mvp)\n", to: .growth)) { error in
            XCTAssertEqual(error as? StageArgumentRewriter.Failure, .callNotFound(callee: "Stack", line: 1))
        }
        XCTAssertThrowsError(try rewrite("let s = Stack(\"a\", stage: .mvp) { \"unterminated }", to: .growth))
    }
}
