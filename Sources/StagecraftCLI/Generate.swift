import ArgumentParser
import Foundation
import StagecraftOutput
import StagecraftWriters

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate the stack's files into a folder.",
        discussion: """
            Writes every generated file, a .gitattributes marking them generated, and \
            .stagecraft/manifest.json. Files the previous manifest listed and the stack no longer \
            generates are removed; nothing else in the folder is touched. The write is atomic: \
            an interrupted run leaves the previous output as it was.
            """
    )

    @OptionGroup var stack: StackOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("The output folder.", valueName: "dir"))
    var out: String

    @Flag(help: "Replace files in the output folder that Stagecraft did not generate.")
    var force = false

    func run() throws {
        let console = Console()
        let generation = try stack.generate(console: console)
        var writer = DirectoryWriter(root: URL(fileURLWithPath: out))
        writer.overwriteUnmanaged = force
        do {
            let changes = try writer.write(generation.files)
            ChangeReport(console: console).print(changes, destination: out)
        } catch {
            console.error("\(error)")
            throw ExitCode.failure
        }
    }
}

/// Prints what a write changed, one file a line.
struct ChangeReport {
    var console: Console

    func print(_ changes: ChangeSet, destination: String) {
        guard !changes.isEmpty else {
            console.print("no changes in \(destination)")
            return
        }
        for path in changes.added { console.print(console.paint("+ \(path)", .green)) }
        for path in changes.changed { console.print(console.paint("~ \(path)", .yellow)) }
        for path in changes.removed { console.print(console.paint("- \(path)", .red)) }
        console.print("\(destination): \(changes.added.count) added, \(changes.changed.count) changed, \(changes.removed.count) removed")
    }
}
