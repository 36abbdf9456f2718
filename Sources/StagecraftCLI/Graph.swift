import ArgumentParser
import Foundation
import StagecraftEmitters
import StagecraftPlanner

struct Graph: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw an environment's architecture at its stage, as a Mermaid flowchart or Graphviz DOT.",
        discussion: """
            Shows the edge (CDN, load balancer with its rate limits and firewall), services and \
            workers with their instance counts, caches, databases with replicas and pooler, \
            buckets and backup targets. Without --environment, draws production (or the last \
            environment when there is none).

            Render DOT with Graphviz: stagecraft graph --format dot | dot -Tsvg > shop.svg
            """
    )

    @OptionGroup var stack: StackOptions

    @Option(help: ArgumentHelp("The environment to draw (default: production).", valueName: "name"))
    var environment: String?

    @Option(help: "mermaid or dot.")
    var format: Format = .mermaid

    enum Format: String, ExpressibleByArgument { case mermaid, dot }

    func run() throws {
        let console = Console()
        let plan = try stack.plan(console: console)
        let chosen = environment.flatMap(plan.environment) ?? (environment == nil ? Self.defaultEnvironment(plan) : nil)
        guard let chosen else {
            console.error("\(stack.stackFile) has no environment \(environment ?? ""); it has \(plan.environments.map(\.name).joined(separator: ", "))")
            throw ExitCode.failure
        }
        let graph = ArchitectureGraph(environment: chosen, stack: plan.stack)
        let text = switch format {
        case .mermaid: MermaidDiagram.render(graph)
        case .dot: DotDiagram.render(graph)
        }
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func defaultEnvironment(_ plan: StackPlan) -> EnvironmentPlan? {
        plan.environments.first(where: \.isProduction) ?? plan.environments.last
    }
}
