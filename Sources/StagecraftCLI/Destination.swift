import ArgumentParser
import Foundation
import StagecraftGit
import StagecraftOutput
import StagecraftWriters

/// Where `generate` writes and `plan` compares: a folder, or a branch of a git repository.
struct DestinationOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp("The output folder.", valueName: "dir"))
    var out: String?

    @Option(help: ArgumentHelp("A git repository (bare or not) to commit the output into, instead of a folder.", valueName: "path"))
    var repo: String?

    @Option(help: ArgumentHelp("With --repo: the branch (default: the one HEAD points to; `main` in a new repository).", valueName: "name"))
    var branch: String?

    @Option(help: ArgumentHelp("With --repo: the folder of the branch the output lands in (default: the top).", valueName: "dir"))
    var prefix: String?

    func validate() throws {
        guard (out == nil) != (repo == nil) else {
            throw ValidationError("give either --out DIR (a folder) or --repo PATH (a git repository)")
        }
        if repo == nil && (branch != nil || prefix != nil) {
            throw ValidationError("--branch and --prefix go with --repo")
        }
        if let prefix { _ = try outputPrefix(prefix) }
    }

    var prefixPath: OutputPath? { prefix.flatMap { try? outputPrefix($0) } }

    private func outputPrefix(_ value: String) throws -> OutputPath {
        let trimmed = value.hasSuffix("/") ? String(value.dropLast()) : value
        do { return try OutputPath(trimmed) } catch { throw ValidationError("--prefix: \(error)") }
    }

    /// The folder the output's paths start from: the output folder, or the repository (with its prefix).
    var root: URL {
        if let out { return URL(fileURLWithPath: out) }
        let repository = URL(fileURLWithPath: repo ?? ".")
        return prefixPath.map { repository.appendingPathComponent($0.value) } ?? repository
    }

    /// Where the output is, as the user named it.
    var label: String {
        if let out { return out }
        return "\(repo!)\(branch.map { "@\($0)" } ?? "")\(prefix.map { ":\($0)" } ?? "")"
    }

    /// What writing `files` would change there.
    func changes(for files: FileSet) throws -> (ChangeSet, read: (OutputPath) -> [UInt8]?) {
        if let out {
            let writer = DirectoryWriter(root: URL(fileURLWithPath: out))
            return (try writer.changes(for: files), { try? writer.read($0)?.contents })
        }
        let snapshot = try GitRepository.open(at: repo!).snapshot(branch: branch, prefix: prefixPath)
        let changes = try ChangeSet.compute(files, previous: snapshot.manifest, existing: snapshot.file)
        return (changes, { try? snapshot.file($0)?.contents })
    }
}
