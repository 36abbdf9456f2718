import ArgumentParser
import Foundation
import StagecraftGit
import StagecraftOutput
import StagecraftWriters

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate the stack's files into a folder, or commit them to a git branch.",
        discussion: """
            Writes every generated file, a .gitattributes marking them generated, and \
            .stagecraft/manifest.json. Files the previous manifest listed and the stack no longer \
            generates are removed; nothing else is touched.

            With --out, the write is atomic: an interrupted run leaves the previous output as it was.
            With --repo, the output becomes one commit on the branch, built in memory through libgit2: \
            the index and work tree are left alone, unless the branch is the one checked out in a \
            clean work tree, which is then brought to the new commit. No commit is made when \
            nothing changed. Author: the repository's git configuration, else --author, else \
            "Stagecraft <stagecraft@users.noreply.github.com>".
            """
    )

    @OptionGroup var stack: StackOptions
    @OptionGroup var destination: DestinationOptions

    @Flag(help: "With --out: replace files in the folder that Stagecraft did not generate.")
    var force = false

    @Option(help: ArgumentHelp("With --repo: the commit subject (default: \"<stack>: generate for <stage> (<environments>)\").", valueName: "text"))
    var message: String?

    @Option(help: ArgumentHelp("With --repo: the commit author, as \"Name <email>\".", valueName: "identity"))
    var author: String?

    @Flag(name: .customLong("init"), help: "With --repo: create the repository if the path holds none.")
    var initialize = false

    func validate() throws {
        if destination.repo == nil && (message != nil || author != nil || initialize) {
            throw ValidationError("--message, --author and --init go with --repo")
        }
        if destination.out == nil && force {
            throw ValidationError("--force goes with --out")
        }
    }

    func run() throws {
        let console = Console()
        let generation = try stack.generate(console: console, outputRoot: destination.root)
        do {
            if let out = destination.out {
                var writer = DirectoryWriter(root: URL(fileURLWithPath: out))
                writer.overwriteUnmanaged = force
                ChangeReport(console: console).print(try writer.write(generation.files), destination: out)
            } else {
                try commit(generation, console: console)
            }
        } catch {
            console.error("\(error)")
            throw ExitCode.failure
        }
    }

    private func commit(_ generation: Generation, console: Console) throws {
        let plan = generation.plan
        let request = GitCommitRequest(
            repositoryPath: destination.repo!,
            branch: destination.branch,
            prefix: destination.prefixPath,
            files: generation.files,
            message: GitCommitMessage(
                stack: plan.stack,
                stage: plan.stage.rawValue,
                environments: plan.environments.filter { $0.kind != .development }.map(\.name),
                toolVersion: StagecraftVersion.current,
                customSubject: message
            ),
            author: author,
            initialize: initialize
        )
        let result = try GitWriter().commit(request)
        ChangeReport(console: console).print(result.changes, destination: destination.label)
        if let commit = result.commit {
            console.print("committed \(String(commit.description.prefix(12))) to \(result.branch)"
                + (result.workTreeUpdated ? " (work tree updated)" : ""))
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
