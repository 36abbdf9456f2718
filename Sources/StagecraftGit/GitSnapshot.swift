import StagecraftOutput

/// A branch's files as of its tip, seen from under a prefix: what `plan` compares a new
/// output with, and what a commit builds on.
public final class GitSnapshot {
    public let branch: String
    /// The commit the snapshot was read from; nil when the branch has no commits yet.
    public let tip: GitOID?
    public let prefix: OutputPath?
    /// The manifest the last generation left under the prefix, if any.
    public let manifest: Manifest?
    let tree: GitTree?

    init(repository: GitRepository, branch: String, prefix: OutputPath?) throws {
        self.branch = branch
        self.prefix = prefix
        tip = try repository.tip(ofBranch: branch)
        tree = try tip.map { try repository.tree(ofCommit: $0) }
        manifest = try Self.readManifest(tree: tree, prefix: prefix, branch: branch)
    }

    /// The file at `path` (relative to the prefix) with its executable bit, or nil when absent.
    public func file(_ path: OutputPath) throws -> (contents: [UInt8], executable: Bool)? {
        try tree?.file(at: path.prefixed(by: prefix).value)
    }

    private static func readManifest(tree: GitTree?, prefix: OutputPath?, branch: String) throws -> Manifest? {
        guard let bytes = try tree?.file(at: Manifest.path.prefixed(by: prefix).value)?.contents else { return nil }
        do {
            return try Manifest.decode(bytes)
        } catch {
            throw GitError.unreadableManifest(path: Manifest.path.prefixed(by: prefix).value, branch: branch, reason: "\(error)")
        }
    }
}

extension GitRepository {
    /// The files of `branch` (default: the branch HEAD points to) under `prefix`.
    public func snapshot(branch: String?, prefix: OutputPath?) throws -> GitSnapshot {
        try GitSnapshot(repository: self, branch: branch ?? defaultBranch(), prefix: prefix)
    }
}
