import ArgumentParser
import Foundation
import StagecraftOutput
import StagecraftPlanner
import StagecraftWriters

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what generate would change in a folder or on a git branch, with a unified diff. Exits 2 when there are changes.",
        discussion: "Like `terraform plan -detailed-exitcode`: 0 means the output is up to date, 1 an error, 2 changes."
    )

    @OptionGroup var stack: StackOptions

    @OptionGroup var destination: DestinationOptions

    @Option(help: "text (with a unified diff) or json.")
    var format: OutputFormat = .text

    enum OutputFormat: String, ExpressibleByArgument { case text, json }

    func run() throws {
        let console = Console()
        let generation = try stack.generate(console: console, outputRoot: destination.root)
        let diff: PlanDiff
        do {
            let (changes, read) = try destination.changes(for: generation.files)
            diff = PlanDiff(changes: changes, new: generation.files, old: read, escapeHatches: generation.plan.escapeHatchSummary)
        } catch {
            console.error("\(error)")
            throw ExitCode.failure
        }
        switch format {
        case .json: console.print(diff.json())
        case .text: console.print(diff.text(console: console, destination: destination.label))
        }
        if !diff.changes.isEmpty { throw ExitCode(2) }
    }
}
