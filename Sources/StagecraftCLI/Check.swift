import ArgumentParser
import StagecraftOutput
import StagecraftPlanner
import StagecraftReadiness
import StagecraftSpec

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Audit the stack against its stage or a target stage: gates, warnings, and what is too much too early.",
        discussion: """
            Every finding names the stack-file line and the DSL line that fixes it. Exits 1 when a \
            gate (an error) fails, so `stagecraft check --stage growth` in CI says whether the stack \
            could be promoted. --format sarif writes SARIF 2.1.0 for GitHub code scanning.
            """
    )

    @OptionGroup var stack: StackOptions

    @Option(help: "The stage to audit against (default: the stack's own).")
    var stage: Stage?

    @Option(help: "text, json or sarif.")
    var format: Format = .text

    enum Format: String, ExpressibleByArgument { case text, json, sarif }

    func run() throws {
        let console = Console()
        let spec = try stack.loadSpec(console: console)
        let report = ReadinessAudit(planner: Planner(toolVersion: StagecraftVersion.current)).audit(spec, at: stage)
        let output = ReadinessOutput(report: report)
        switch format {
        case .text: console.print(output.text(console: console))
        case .json: console.print(try output.json())
        case .sarif: console.print(try output.sarif())
        }
        if !report.passesGates { throw ExitCode.failure }
    }
}
