import Foundation
import StagecraftOutput
import StagecraftWriters

/// What to commit where.
public struct GitCommitRequest: Sendable {
    public var repositoryPath: String
    /// The branch to commit to; nil means the branch HEAD points to.
    public var branch: String?
    /// The folder of the branch the output lands in; nil means the top.
    public var prefix: OutputPath?
    /// The complete output, paths relative to `prefix`, manifest and `.gitattributes` included.
    public var files: FileSet
    public var message: GitCommitMessage
    /// `Name <email>`: the author when given; also the committer when git has no user configured.
    public var author: String?
    /// Create the repository when `repositoryPath` holds none.
    public var initialize: Bool
    /// Whether a repository created by `initialize` is bare.
    public var bare: Bool
    /// Files committed with the output but not listed in its manifest (a promotion runbook, the
    /// stack file a promotion rewrote). Paths are relative to the repository root, not the prefix.
    public var unmanaged: [GeneratedFile]
    /// How many times to rebuild on a branch another writer moved before giving up.
    public var retries: Int
    /// How long to wait for another process's lock on the branch before giving up.
    public var lockTimeout: Duration

    public init(
        repositoryPath: String, branch: String? = nil, prefix: OutputPath? = nil, files: FileSet,
        message: GitCommitMessage, author: String? = nil, initialize: Bool = false, bare: Bool = false,
        unmanaged: [GeneratedFile] = [], retries: Int = 8, lockTimeout: Duration = .seconds(2)
    ) {
        self.unmanaged = unmanaged
        self.repositoryPath = repositoryPath
        self.branch = branch
        self.prefix = prefix
        self.files = files
        self.message = message
        self.author = author
        self.initialize = initialize
        self.bare = bare
        self.retries = retries
        self.lockTimeout = lockTimeout
    }
}

public struct GitCommitResult: Sendable, Equatable {
    public var branch: String
    /// The new commit; nil when the branch already held exactly this output.
    public var commit: GitOID?
    /// The commit the new one follows; nil for a branch's first commit.
    public var parent: GitOID?
    /// Paths relative to the prefix.
    public var changes: ChangeSet
    /// How many times the branch was rebuilt because another writer moved it first.
    public var retries: Int
    /// Whether the checked-out work tree and index were moved to the new commit.
    public var workTreeUpdated: Bool

    public var noChanges: Bool { commit == nil }
}

/// Commits a FileSet onto a branch without touching the index or work tree (except to keep a
/// checked-out branch's work tree in step). The branch moves by compare-and-swap, so
/// concurrent writers never lose each other's commits.
public struct GitWriter: Sendable {
    /// Runs after the commit object is written and before the branch moves; tests use it to
    /// move the branch underneath the writer.
    var beforeBranchUpdate: (@Sendable (_ attempt: Int) throws -> Void)?

    public init() {}

    static let initialBranch = "main"

    public func commit(_ request: GitCommitRequest) throws -> GitCommitResult {
        let repository = try openRepository(request)
        let branch = try request.branch ?? repository.defaultBranch()
        let (author, committer) = try signatures(in: repository, author: request.author)
        if try repository.isCheckedOutElsewhere(branch: branch) { throw GitError.checkedOutElsewhere(branch: branch) }
        let workTree = try repository.isCheckedOut(branch: branch) ? GitWorkTree(repository: repository) : nil
        let lockDeadline = ContinuousClock.now + request.lockTimeout
        var lockWaitMicroseconds: UInt32 = 5_000
        var attempt = 0

        while true {
            let snapshot = try repository.snapshot(branch: branch, prefix: request.prefix)
            let changes = try ChangeSet.compute(request.files, previous: snapshot.manifest, existing: snapshot.file)
            if attempt == 0, let workTree {
                try refuseUncommittedChanges(in: workTree, request: request, snapshot: snapshot, branch: branch)
            }
            let tree = try buildTree(request, changes: changes, over: snapshot, in: repository)
            if tree == snapshot.tree?.id {
                return GitCommitResult(branch: branch, parent: snapshot.tip, changes: changes, retries: attempt, workTreeUpdated: false)
            }
            let message = request.message.text(for: changes, under: request.prefix)
            let commit = try repository.createCommit(tree: tree, parent: snapshot.tip, message: message, author: author, committer: committer)
            try beforeBranchUpdate?(attempt)

            switch try repository.moveBranch(branch, to: commit, from: snapshot.tip, logMessage: "stagecraft: \(request.message.subject)") {
            case .updated:
                try workTree?.checkOut(commit)
                return GitCommitResult(
                    branch: branch, commit: commit, parent: snapshot.tip, changes: changes, retries: attempt,
                    workTreeUpdated: workTree != nil
                )
            case .moved:
                attempt += 1
                if attempt > request.retries { throw GitError.branchMoved(branch: branch, attempts: attempt) }
            case .locked:
                // A lock is usually another writer mid-update; only a lock that outlasts the wait is reported.
                guard ContinuousClock.now < lockDeadline else {
                    throw GitError.refLocked(reference: GitRepository.branchPrefix + branch, lockFile: repository.lockFile(ofBranch: branch))
                }
                usleep(lockWaitMicroseconds)
                lockWaitMicroseconds = min(lockWaitMicroseconds * 2, 100_000)
            }
        }
    }

    private func openRepository(_ request: GitCommitRequest) throws -> GitRepository {
        do {
            return try GitRepository.open(at: request.repositoryPath)
        } catch GitError.notARepository where request.initialize {
            return try GitRepository.create(
                at: request.repositoryPath, bare: request.bare, initialBranch: request.branch ?? Self.initialBranch
            )
        }
    }

    /// The author is --author when given (as with `git commit --author`); the committer is who git's
    /// configuration names. Either falls back to the other, then to Stagecraft's bot identity.
    private func signatures(in repository: GitRepository, author: String?) throws -> (author: GitSignature, committer: GitSignature) {
        let requested = try author.map(GitSignature.parse(author:))
        let configured = try GitSignature.configured(in: repository)
        let fallback = requested ?? GitSignature.botIdentity
        let committer = try configured ?? GitSignature.now(name: fallback.name, email: fallback.email)
        let authorSignature = try requested.map { try GitSignature.now(name: $0.name, email: $0.email) } ?? committer
        return (authorSignature, committer)
    }

    private func refuseUncommittedChanges(in workTree: GitWorkTree, request: GitCommitRequest, snapshot: GitSnapshot, branch: String) throws {
        let previous = snapshot.manifest?.paths ?? []
        let generated = Set((Set(request.files.paths).union(previous)).map { $0.prefixed(by: request.prefix).value })
            .union(request.unmanaged.map(\.path.value))
        let dirty = try workTree.uncommittedChanges(touching: generated)
        if !dirty.isEmpty { throw GitError.dirtyWorkTree(path: request.repositoryPath, branch: branch, files: dirty) }
    }

    private func buildTree(_ request: GitCommitRequest, changes: ChangeSet, over snapshot: GitSnapshot, in repository: GitRepository) throws -> GitOID {
        var edits = GitTreeEdits()
        for path in changes.added + changes.changed {
            guard let file = request.files[path] else { continue }
            edits.put(path.prefixed(by: request.prefix), blob: try repository.writeBlob(file.contents), executable: file.executable)
        }
        for path in changes.removed {
            edits.remove(path.prefixed(by: request.prefix))
        }
        for file in request.unmanaged {
            edits.put(file.path, blob: try repository.writeBlob(file.contents), executable: file.executable)
        }
        return try edits.write(over: snapshot.tree, in: repository)
    }
}
