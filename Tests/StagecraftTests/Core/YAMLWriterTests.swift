@testable import StagecraftEmitters
import Yams
import XCTest

/// The direct YAML writer must write exactly what Yams writes, for every document it accepts.
final class YAMLWriterTests: XCTestCase {
    /// A small deterministic generator (the same documents on every run).
    struct Random {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    static let pieces = ["a", "web", "on", "yes", "No", "null", "~", "1", "0x1F", "1e3", "-", "- ", "?", ": ", ":", "#", " #", "x#y",
                         "{", "}", "[", "]", ",", "'", "\"", "!", "&", "*", "|", ">", "%", "@", "`", "---", "...", " ", ".", "$", "${{ x }}", "é", "\t", "\n"]

    func string(_ random: inout Random) -> String {
        (0..<random.next(4)).map { _ in Self.pieces[random.next(Self.pieces.count)] }.joined()
    }

    func document(_ random: inout Random, depth: Int) -> YAML {
        switch depth > 2 ? random.next(5) : random.next(8) {
        case 0: return .string(string(&random))
        case 1: return .int(random.next(2000) - 1000)
        case 2: return .bool(random.next(2) == 0)
        case 3: return .block((0..<(1 + random.next(3))).map { _ in string(&random) }.joined(separator: "\n") + (random.next(3) == 0 ? "\n\n" : "\n"))
        case 4: return .null
        case 5, 6: return .map((0..<random.next(4)).map { _ in (string(&random), document(&random, depth: depth + 1)) })
        default: return .list((0..<random.next(4)).map { _ in document(&random, depth: depth + 1) })
        }
    }

    func testTheWriterWritesWhatYamsWrites() throws {
        var random = Random(state: 42)
        var written = 0
        for _ in 0..<3000 {
            let root = YAML.map((0..<(1 + random.next(4))).map { _ in (string(&random), document(&random, depth: 0)) })
            guard let direct = YAMLWriter.write(root) else { continue }
            written += 1
            let yams = try Yams.serialize(node: root.node, width: -1, allowUnicode: true, sortKeys: false)
            XCTAssertEqual(direct, yams, "\(root)")
            if direct != yams { return }
        }
        XCTAssertGreaterThan(written, 1000, "the direct writer should take most documents")
    }

    func testEveryExampleWorkflowIsWrittenDirectly() throws {
        let plan = try Fixtures.renderer.plan(try Fixtures.example("shop"))
        let graph = try PipelineGraph(plan: plan, deploySteps: DeployStepCatalog(platforms: [ComposePlatformEmitter()]))
        XCTAssertNotNil(YAMLWriter.write(GitHubActionsEmitter(deploySteps: DeployStepCatalog(platforms: [ComposePlatformEmitter()])).ci(graph)))
    }
}
