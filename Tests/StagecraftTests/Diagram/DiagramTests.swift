import Foundation
import StagecraftEmitters
import StagecraftPlanner
import XCTest

/// `stagecraft graph`: every example and environment drawn in both formats.
final class DiagramTests: XCTestCase {
    static let goldens = GoldenTests.goldens.appendingPathComponent("diagrams")

    private func everyEnvironment() throws -> [(String, ArchitectureGraph)] {
        try Fixtures.examples.flatMap { name in
            let plan = try Fixtures.renderer.plan(try Fixtures.example(name))
            return plan.environments.map { ("\(name)-\($0.name)", ArchitectureGraph(environment: $0, stack: plan.stack)) }
        }
    }

    /// The Mermaid text of each example environment is committed; refresh with STAGECRAFT_UPDATE_GOLDENS=1.
    func testMermaidMatchesItsGoldenFiles() throws {
        let update = ProcessInfo.processInfo.environment["STAGECRAFT_UPDATE_GOLDENS"] == "1"
        if update { try FileManager.default.createDirectory(at: Self.goldens, withIntermediateDirectories: true) }
        for (name, graph) in try everyEnvironment() {
            let file = Self.goldens.appendingPathComponent("\(name).mmd")
            let text = MermaidDiagram.render(graph)
            if update {
                try text.write(to: file, atomically: true, encoding: .utf8)
            } else {
                XCTAssertEqual(text, try String(contentsOf: file, encoding: .utf8), "\(name): run with STAGECRAFT_UPDATE_GOLDENS=1 and review the diff")
            }
        }
    }

    func testDotRendersWithGraphvizForEveryExampleAndEnvironment() throws {
        let dot = try Tools.require("dot")
        for (name, graph) in try everyEnvironment() {
            let result = try Tools.run(dot, ["-Tsvg"], input: DotDiagram.render(graph))
            XCTAssertEqual(result.status, 0, "\(name):\n\(result.output)")
            XCTAssertTrue(result.output.contains("<svg"), name)
        }
    }

    func testTheScaleExampleShowsAutoscalingReplicasPoolerAndACrossRegionCopy() throws {
        let plan = try Fixtures.renderer.plan(try Fixtures.example("marketplace"))
        let text = MermaidDiagram.render(ArchitectureGraph(environment: plan.environment("production")!, stack: plan.stack))
        for expected in ["6–60 instances (CPU 60 %)", "3 read replicas", "PgBouncer", "WAF", "us-west-2", "cross-region copy", "cached API: /api/catalog/"] {
            XCTAssertTrue(text.contains(expected), "missing \(expected):\n\(text)")
        }
    }

    /// Domains and paths come from the stack: quotes, markup and escapes must stay text.
    func testLabelsFromTheStackAreEscapedForEachFormat() throws {
        var plan = try Fixtures.renderer.plan(try Fixtures.example("shop"))
        var production = plan.environment("production")!
        production.loadBalancer!.domain = #"a"b\N<i>#`|&.example.com"#
        production.cdn!.staticPaths = ["/x\"]; evil -> y"]
        plan.environments = [production]
        let graph = ArchitectureGraph(environment: production, stack: plan.stack)

        let mermaid = MermaidDiagram.render(graph)
        XCTAssertTrue(mermaid.contains(#"a#quot;b\N#lt;i#gt;#35;#96;#124;#amp;.example.com"#), mermaid)
        XCTAssertTrue(mermaid.contains("/x#quot;]; evil -#gt; y"), mermaid)

        let dot = DotDiagram.render(graph)
        XCTAssertTrue(dot.contains(#"a\"b\\N<i>#`|&.example.com"#), dot)
        let svg = try Tools.run(try Tools.require("dot"), ["-Tsvg"], input: dot)
        XCTAssertEqual(svg.status, 0, svg.output)
        XCTAssertTrue(svg.output.contains("a&quot;b\\N&lt;i&gt;#`|&amp;.example.com"), svg.output)
    }

    func testTheGraphCommandDrawsAnEnvironmentAndRefusesAnUnknownOne() throws {
        let dot = try Tools.require("dot")
        let staging = try Fixtures.stagecraft(["graph", "stacks/shop.swift", "--environment", "staging", "--format", "dot"], in: Fixtures.repositoryRoot)
        XCTAssertEqual(staging.status, 0, staging.output)
        XCTAssertTrue(staging.output.contains("shop · staging (growth"), staging.output)
        XCTAssertEqual(try Tools.run(dot, ["-Tsvg"], input: staging.output).status, 0)

        let production = try Fixtures.stagecraft(["graph", "stacks/shop.swift"], in: Fixtures.repositoryRoot)
        XCTAssertEqual(production.status, 0, production.output)
        XCTAssertTrue(production.output.contains("flowchart TB") && production.output.contains("shop · production"), production.output)

        let unknown = try Fixtures.stagecraft(["graph", "stacks/shop.swift", "--environment", "qa"], in: Fixtures.repositoryRoot)
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.output.contains("no environment qa; it has development, staging, production"), unknown.output)
    }
}
