import CLibGit2
import Foundation
import StagecraftOutput

/// One open libgit2 repository handle. Not shareable between threads: give each its own.
public final class GitRepository {
    let handle: OpaquePointer
    /// The path the repository was opened or created at, as the user gave it.
    public let path: String

    private init(handle: OpaquePointer, path: String) {
        self.handle = handle
        self.path = path
    }

    deinit { git_repository_free(handle) }

    /// Opens the repository whose top folder (or git directory, when bare) is `path`.
    /// It does not search parent folders: output must not land in an enclosing repository by accident.
    public static func open(at path: String) throws -> GitRepository {
        LibGit2.ensureInitialized()
        var handle: OpaquePointer?
        // The refusal is recognised by the last error, which must not be left over from an earlier call.
        git_error_clear()
        let code = git_repository_open_ext(&handle, path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil)
        guard code == 0, let handle else { throw openError(code: code, path: path) }
        return GitRepository(handle: handle, path: path)
    }

    /// Creates a repository at `path` (and any missing parent folders) whose HEAD names `initialBranch`.
    public static func create(at path: String, bare: Bool, initialBranch: String) throws -> GitRepository {
        LibGit2.ensureInitialized()
        var options = git_repository_init_options()
        try LibGit2.check(git_repository_init_options_init(&options, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION)), "preparing to create a repository")
        options.flags = GIT_REPOSITORY_INIT_MKPATH.rawValue | (bare ? GIT_REPOSITORY_INIT_BARE.rawValue : 0)
        var handle: OpaquePointer?
        let code = initialBranch.withCString { head in
            options.initial_head = head
            return git_repository_init_ext(&handle, path, &options)
        }
        try LibGit2.check(code, "creating a repository at '\(path)'")
        guard let handle else { throw GitError.lastLibGit2Error(code: code, action: "creating a repository at '\(path)'") }
        return GitRepository(handle: handle, path: path)
    }

    /// libgit2 reports a safe.directory refusal with the same code as a missing repository
    /// (GIT_ENOTFOUND); only the error class (config) and message tell them apart.
    private static func openError(code: Int32, path: String) -> GitError {
        let last = LastError.current
        // libgit2 1.5 overwrites the ownership message with the failed safe.directory lookup.
        if last.errorClass == Int32(GIT_ERROR_CONFIG.rawValue), last.message.contains("owned") || last.message.contains("safe.directory") {
            // safe.directory entries are absolute paths.
            return .unsafeOwnership(path: URL(fileURLWithPath: path).standardizedFileURL.path)
        }
        if last.errorClass == Int32(GIT_ERROR_REPOSITORY.rawValue), last.message.hasPrefix("unsupported") {
            return .unsupportedExtension(path: path, detail: last.message)
        }
        if code == GIT_ENOTFOUND.rawValue { return .notARepository(path: path) }
        return .libgit2(code: code, message: last.message, action: "opening the repository at '\(path)'")
    }

    public var isBare: Bool { git_repository_is_bare(handle) != 0 }

    // MARK: HEAD and branches

    /// Where HEAD points.
    public enum Head: Equatable, Sendable {
        /// A branch with at least one commit.
        case branch(String)
        /// A branch that has no commits yet.
        case unborn(String)
        case detached
    }

    public func head() throws -> Head {
        var reference: OpaquePointer?
        try LibGit2.check(git_reference_lookup(&reference, handle, "HEAD"), "reading HEAD")
        defer { git_reference_free(reference) }
        guard let target = git_reference_symbolic_target(reference).map({ String(cString: $0) }) else { return .detached }
        let name = target.hasPrefix(Self.branchPrefix) ? String(target.dropFirst(Self.branchPrefix.count)) : target
        return try tip(ofBranch: name) == nil ? .unborn(name) : .branch(name)
    }

    /// The branch output goes to when none is named: the one HEAD points to. An unborn HEAD is
    /// only unambiguous in a repository without any branch (a fresh `git init`).
    public func defaultBranch() throws -> String {
        switch try head() {
        case .branch(let name): return name
        case .detached: throw GitError.detachedHead(path: path)
        case .unborn(let name):
            guard try !hasBranches() else { throw GitError.unbornHead(path: path, headBranch: name) }
            return name
        }
    }

    private func hasBranches() throws -> Bool {
        var iterator: OpaquePointer?
        try LibGit2.check(git_branch_iterator_new(&iterator, handle, GIT_BRANCH_LOCAL), "listing branches")
        defer { git_branch_iterator_free(iterator) }
        var reference: OpaquePointer?
        var type = GIT_BRANCH_LOCAL
        let code = git_branch_next(&reference, &type, iterator)
        git_reference_free(reference)
        if code == GIT_ITEROVER.rawValue { return false }
        try LibGit2.check(code, "listing branches")
        return true
    }

    static let branchPrefix = "refs/heads/"

    /// The commit `branch` points to, or nil when the branch does not exist yet.
    public func tip(ofBranch branch: String) throws -> GitOID? {
        var oid = git_oid()
        let code = git_reference_name_to_id(&oid, handle, Self.branchPrefix + branch)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try LibGit2.check(code, "reading branch '\(branch)'")
        return GitOID(oid)
    }

    /// Whether `branch` is the branch checked out in this repository's work tree.
    func isCheckedOut(branch: String) throws -> Bool {
        guard !isBare else { return false }
        switch try head() {
        case .branch(let name), .unborn(let name): return name == branch
        case .detached: return false
        }
    }

    // MARK: Objects

    func tree(ofCommit commit: GitOID) throws -> GitTree {
        var oid = commit.raw
        var commitObject: OpaquePointer?
        try LibGit2.check(git_commit_lookup(&commitObject, handle, &oid), "reading commit \(commit)")
        defer { git_commit_free(commitObject) }
        var tree: OpaquePointer?
        try LibGit2.check(git_commit_tree(&tree, commitObject), "reading the tree of commit \(commit)")
        guard let tree else { throw GitError.lastLibGit2Error(code: -1, action: "reading the tree of commit \(commit)") }
        return GitTree(handle: tree, repository: self)
    }

    func writeBlob(_ contents: [UInt8]) throws -> GitOID {
        var oid = git_oid()
        try LibGit2.check(git_blob_create_from_buffer(&oid, handle, contents, contents.count), "writing a file into the object database")
        return GitOID(oid)
    }

    /// Writes a commit object without moving any reference: the caller moves the branch with
    /// ``moveBranch(_:to:from:logMessage:)``, which refuses if another writer got there first.
    func createCommit(tree: GitOID, parent: GitOID?, message: String, author: GitSignature, committer: GitSignature) throws -> GitOID {
        var treeID = tree.raw
        var treeObject: OpaquePointer?
        try LibGit2.check(git_tree_lookup(&treeObject, handle, &treeID), "reading tree \(tree)")
        defer { git_tree_free(treeObject) }

        var parents: [OpaquePointer?] = []
        defer { parents.forEach { git_commit_free($0) } }
        if let parent {
            var parentID = parent.raw
            var parentObject: OpaquePointer?
            try LibGit2.check(git_commit_lookup(&parentObject, handle, &parentID), "reading commit \(parent)")
            parents.append(parentObject)
        }

        var oid = git_oid()
        let code = parents.withUnsafeMutableBufferPointer { parentPointers in
            git_commit_create(
                &oid, handle, nil, author.handle, committer.handle, "UTF-8", message, treeObject,
                parentPointers.count, parentPointers.baseAddress
            )
        }
        try LibGit2.check(code, "creating a commit")
        return GitOID(oid)
    }

    enum BranchUpdate: Equatable {
        case updated
        /// The branch no longer points to the expected commit (or now exists when it should not).
        case moved
        /// Someone holds the reference's lock file.
        case locked
    }

    /// Compare-and-swap: points `branch` at `commit` only if it still points at `expected`
    /// (nil: only if it does not exist yet).
    func moveBranch(_ branch: String, to commit: GitOID, from expected: GitOID?, logMessage: String) throws -> BranchUpdate {
        var newID = commit.raw
        var reference: OpaquePointer?
        let name = Self.branchPrefix + branch
        let code: Int32
        if let expected {
            var expectedID = expected.raw
            code = git_reference_create_matching(&reference, handle, name, &newID, 1, &expectedID, logMessage)
        } else {
            code = git_reference_create(&reference, handle, name, &newID, 0, logMessage)
        }
        git_reference_free(reference)
        switch code {
        case 0: return .updated
        case GIT_EMODIFIED.rawValue, GIT_EEXISTS.rawValue, GIT_ENOTFOUND.rawValue: return .moved
        case GIT_ELOCKED.rawValue: return .locked
        default: throw GitError.lastLibGit2Error(code: code, action: "moving branch '\(branch)' to \(commit)")
        }
    }

    /// Whether `branch` is checked out in another work tree of this repository (`git worktree add`),
    /// whose index and files a commit here could not keep in step.
    func isCheckedOutElsewhere(branch: String) throws -> Bool {
        guard try !isCheckedOut(branch: branch) else { return false }
        var reference: OpaquePointer?
        let code = git_reference_lookup(&reference, handle, Self.branchPrefix + branch)
        if code == GIT_ENOTFOUND.rawValue { return false }
        try LibGit2.check(code, "reading branch '\(branch)'")
        defer { git_reference_free(reference) }
        let checkedOut = git_branch_is_checked_out(reference)
        try LibGit2.check(checkedOut, "looking for work trees that have '\(branch)' checked out")
        return checkedOut == 1
    }

    /// This work tree's own git directory (it holds the index).
    var gitDirectory: String { String(cString: git_repository_path(handle)) }

    /// References live in the directory shared by all work trees.
    func lockFile(ofBranch branch: String) -> String {
        URL(fileURLWithPath: String(cString: git_repository_commondir(handle)))
            .appendingPathComponent(Self.branchPrefix + branch + ".lock").path
    }
}

/// A tree object, kept alive with the repository it belongs to.
final class GitTree {
    let handle: OpaquePointer
    private let repository: GitRepository

    init(handle: OpaquePointer, repository: GitRepository) {
        self.handle = handle
        self.repository = repository
    }

    deinit { git_tree_free(handle) }

    var id: GitOID { GitOID(git_tree_id(handle).pointee) }

    /// The blob at `path` with its executable bit, or nil when the path holds no file.
    func file(at path: String) throws -> (contents: [UInt8], executable: Bool)? {
        var entry: OpaquePointer?
        let code = git_tree_entry_bypath(&entry, handle, path)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try LibGit2.check(code, "looking up '\(path)'")
        defer { git_tree_entry_free(entry) }
        guard git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { return nil }
        var blob: OpaquePointer?
        try LibGit2.check(git_blob_lookup(&blob, repository.handle, git_tree_entry_id(entry)), "reading '\(path)'")
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        let contents: [UInt8] = size == 0 ? [] : Array(UnsafeRawBufferPointer(start: git_blob_rawcontent(blob), count: size))
        return (contents, git_tree_entry_filemode(entry) == GIT_FILEMODE_BLOB_EXECUTABLE)
    }
}
