import Foundation
import StagecraftEvaluation
import StagecraftOutput
import XCTest

final class EvaluationTests: XCTestCase {
    private func evaluator(cache: URL) throws -> StackEvaluator {
        var environment = ProcessInfo.processInfo.environment
        environment["STAGECRAFT_CACHE_DIR"] = cache.path
        return StackEvaluator(toolchain: try EvaluationToolchain.discover(toolVersion: StagecraftVersion.current, environment: environment))
    }

    private func write(_ body: String, to directory: URL, name: String = "Stack.swift") throws -> String {
        let path = directory.appendingPathComponent(name).path
        try ("import Stagecraft\n\n" + body).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testAnUnchangedStackIsNotRecompiled() throws {
        let directory = try Fixtures.temporaryDirectory("eval")
        let evaluator = try evaluator(cache: directory.appendingPathComponent("cache"))
        let path = try write("let stack = Stack(\"a\", stage: .mvp) {\n    Redis(\"cache\")\n}\n", to: directory)

        let (spec, first) = try evaluator.evaluate(path: path)
        XCTAssertTrue(first.compiled)
        XCTAssertEqual(spec.name, "a")
        XCTAssertEqual(spec.caches.first?.location, .init(file: path, line: 4))

        let (_, second) = try evaluator.evaluate(path: path)
        XCTAssertFalse(second.compiled, "the same file, tool and compiler reuse the cached build")

        _ = try write("let stack = Stack(\"b\", stage: .mvp) {\n    Redis(\"cache\")\n}\n", to: directory)
        let (changed, third) = try evaluator.evaluate(path: path)
        XCTAssertTrue(third.compiled, "an edited stack file is compiled again")
        XCTAssertEqual(changed.name, "b")
    }

    func testAFileMustDeclareExactlyOneStack() throws {
        let directory = try Fixtures.temporaryDirectory("eval")
        let evaluator = try evaluator(cache: directory.appendingPathComponent("cache"))
        let two = try write("let a = Stack(\"a\", stage: .mvp) { Redis(\"c\") }\nlet b = Stack(\"b\", stage: .mvp) { Redis(\"c\") }\n", to: directory, name: "two.swift")
        XCTAssertThrowsError(try evaluator.evaluate(path: two)) { XCTAssertTrue("\($0)".contains("declares 2 stacks (a, b)"), "\($0)") }
        let none = try write("let x = 1\n", to: directory, name: "none.swift")
        XCTAssertThrowsError(try evaluator.evaluate(path: none)) { XCTAssertTrue("\($0)".contains("declares no stack"), "\($0)") }
    }

    func testACompileErrorIsTheCompilersOwnMessage() throws {
        let directory = try Fixtures.temporaryDirectory("eval")
        let evaluator = try evaluator(cache: directory.appendingPathComponent("cache"))
        let path = try write("let stack = Stack(\"a\", stage: .mvp) {\n    Service(\"web\") { Port(\"80\") }\n}\n", to: directory)
        XCTAssertThrowsError(try evaluator.evaluate(path: path)) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(path):4:"), "\(error)")
            XCTAssertTrue("\(error)".contains("error: cannot convert value of type 'String'"), "\(error)")
        }
    }
}
