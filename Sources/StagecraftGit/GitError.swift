import CLibGit2

/// Why a git operation failed, worded so the user knows what to do next.
public enum GitError: Error, Equatable, CustomStringConvertible {
    case notARepository(path: String)
    /// libgit2 refused the repository because another user owns it (safe.directory).
    case unsafeOwnership(path: String)
    /// The repository uses a format extension libgit2 cannot handle.
    case unsupportedExtension(path: String, detail: String)
    /// Other writers kept moving the branch; every attempt was refused by the compare-and-swap.
    case branchMoved(branch: String, attempts: Int)
    /// A `.lock` file next to the reference stayed in place for the whole wait.
    case refLocked(reference: String, lockFile: String)
    case detachedHead(path: String)
    /// HEAD names a branch without commits while other branches exist, so the target is ambiguous.
    case unbornHead(path: String, headBranch: String)
    /// The target branch is checked out and its work tree or index has uncommitted changes.
    case dirtyWorkTree(path: String, branch: String, files: [String])
    /// The target branch is checked out in another work tree of the repository.
    case checkedOutElsewhere(branch: String)
    /// A generated path needs a directory where the branch has a file, or the reverse.
    case pathConflict(path: String)
    case invalidAuthor(String)
    /// The manifest a previous generation committed cannot be decoded, so orphans cannot be found.
    case unreadableManifest(path: String, branch: String, reason: String)
    /// The commit was made but checking it out into the work tree failed.
    case workTreeNotUpdated(commit: String, reason: String)
    case libgit2(code: Int32, message: String, action: String)

    public var description: String {
        switch self {
        case .notARepository(let path):
            "'\(path)' is not a git repository. Pass the repository's top folder, or use --init to create one there."
        case .unsafeOwnership(let path):
            """
            git refuses the repository at '\(path)' because it is owned by another user (safe.directory). \
            If you trust it, run: git config --global --add safe.directory \(path)
            """
        case .unsupportedExtension(let path, let detail):
            """
            the repository at '\(path)' uses a repository format extension Stagecraft's git library cannot \
            handle (\(detail)). Use a repository without that extension, or write to a folder and commit with the git CLI.
            """
        case .branchMoved(let branch, let attempts):
            """
            branch '\(branch)' kept moving while Stagecraft committed (\(attempts) attempts, each overtaken by \
            another writer). Nothing was lost; run the command again.
            """
        case .refLocked(let reference, let lockFile):
            """
            '\(reference)' is locked by '\(lockFile)'. Another git process is updating it; wait and retry. \
            If no git process is running, the lock is stale: remove '\(lockFile)'.
            """
        case .detachedHead(let path):
            "HEAD of '\(path)' is detached, so there is no branch to commit to. Pass --branch NAME."
        case .unbornHead(let path, let headBranch):
            """
            HEAD of '\(path)' points to '\(headBranch)', which has no commits yet, while other branches exist. \
            Pass --branch NAME to say which branch receives the output.
            """
        case .dirtyWorkTree(let path, let branch, let files):
            """
            branch '\(branch)' is checked out in '\(path)' and has uncommitted changes \
            (\(files.prefix(5).joined(separator: ", "))\(files.count > 5 ? ", …" : "")). \
            Commit or stash them first (git stash), or pass --branch with a branch that is not checked out.
            """
        case .checkedOutElsewhere(let branch):
            """
            branch '\(branch)' is checked out in another work tree of this repository (see git worktree list), \
            which a commit from here would leave behind. Pass that work tree's folder as the repository, \
            or pass --branch with a branch that is not checked out.
            """
        case .pathConflict(let path):
            "'\(path)' is a file in the branch where the output needs a folder, or the reverse. Move or remove it, then run again."
        case .invalidAuthor(let value):
            "author '\(value)' is not in the form \"Name <email>\"."
        case .unreadableManifest(let path, let branch, let reason):
            """
            '\(path)' in branch '\(branch)' cannot be read (\(reason)), so Stagecraft cannot tell which files \
            it generated before. Restore it from history (git log -- \(path)) or delete it and remove stale generated files by hand.
            """
        case .workTreeNotUpdated(let commit, let reason):
            """
            committed \(commit), but the work tree could not be updated (\(reason)). \
            Run git status, then git checkout HEAD -- PATH for each generated file to bring the work tree in line.
            """
        case .libgit2(let code, let message, let action):
            "git failed while \(action): \(message) (libgit2 error \(code))"
        }
    }

    /// The library's last error, for `code`, as a `.libgit2` case.
    static func lastLibGit2Error(code: Int32, action: String) -> GitError {
        .libgit2(code: code, message: LastError.current.message, action: action)
    }
}

/// libgit2's thread-local record of the last failure.
struct LastError {
    var message: String
    var errorClass: Int32

    static var current: LastError {
        guard let error = git_error_last() else { return LastError(message: "unknown error", errorClass: 0) }
        return LastError(
            message: error.pointee.message.map { String(cString: $0) } ?? "unknown error",
            errorClass: error.pointee.klass
        )
    }
}
