import ArgumentParser
import Foundation
import StagecraftOutput
import StagecraftWriters

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what generate would change, with a unified diff. Exits 2 when there are changes.",
        discussion: "Like `terraform plan -detailed-exitcode`: 0 means the output is up to date, 1 an error, 2 changes."
    )

    @OptionGroup var stack: StackOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("The output folder to compare with.", valueName: "dir"))
    var out: String

    @Option(help: "text (with a unified diff) or json.")
    var format: OutputFormat = .text

    enum OutputFormat: String, ExpressibleByArgument { case text, json }

    func run() throws {
        let console = Console()
        let generation = try stack.generate(console: console)
        let writer = DirectoryWriter(root: URL(fileURLWithPath: out))
        let changes: ChangeSet
        do {
            changes = try writer.changes(for: generation.files)
        } catch {
            console.error("\(error)")
            throw ExitCode.failure
        }
        let diff = PlanDiff(changes: changes, new: generation.files, old: { try? writer.read($0)?.contents })
        switch format {
        case .json: console.print(diff.json())
        case .text: console.print(diff.text(console: console, destination: out))
        }
        if !changes.isEmpty { throw ExitCode(2) }
    }
}
