import Foundation
import StagecraftPlanner

/// How output names the stack file: relative to the repository root — the git work tree that
/// holds the output, else the output root itself — with symbolic links and `.`/`..` resolved.
/// So the same stack gives the same bytes from any working directory and any spelling of its
/// path, and the drift job, which runs at the repository root, regenerates with the very command
/// the headers name.
enum RepositoryRelativePath {
    static func stackFile(_ stackFile: String, outputRoot: URL) -> String {
        let file = canonical(URL(fileURLWithPath: stackFile))
        let root = workTree(enclosing: canonical(outputRoot)) ?? canonical(outputRoot)
        return relative(file.pathComponents, to: root.pathComponents)
    }

    /// The nearest folder at or above `folder` that is a git work tree (holds `.git`, a folder or
    /// a worktree's file).
    static func workTree(enclosing folder: URL) -> URL? {
        var candidate = folder
        while true {
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent(".git").path) { return candidate }
            let parent = candidate.deletingLastPathComponent()
            if parent.path == candidate.path { return nil }
            candidate = parent
        }
    }

    /// `url` absolute, without `.` or `..`, through symbolic links as far as the path exists (an
    /// output folder may not exist yet: its nearest existing ancestor is resolved, the rest kept).
    static func canonical(_ url: URL) -> URL {
        let absolute = url.standardizedFileURL
        var existing = absolute
        var missing: [String] = []
        while !FileManager.default.fileExists(atPath: existing.path) && existing.pathComponents.count > 1 {
            missing.insert(existing.lastPathComponent, at: 0)
            existing = existing.deletingLastPathComponent()
        }
        return missing.reduce(existing.resolvingSymlinksInPath()) { $0.appendingPathComponent($1) }
    }

    private static func relative(_ path: [String], to base: [String]) -> String {
        let shared = zip(path, base).prefix { $0 == $1 }.count
        let parts = Array(repeating: "..", count: base.count - shared) + path[shared...]
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }
}

extension StackPlan {
    /// The plan with its stack file named as output names it (see `RepositoryRelativePath`).
    func namingStackFile(_ path: String) -> StackPlan {
        var plan = self
        plan.stackFile = path
        plan.pipeline.stackFile = path
        return plan
    }
}
