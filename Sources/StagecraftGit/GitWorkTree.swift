import CLibGit2
import Foundation
import StagecraftOutput

/// The work tree and index of a non-bare repository whose checked-out branch receives a commit.
/// They must follow the branch, so they are checked first and updated after.
struct GitWorkTree {
    let repository: GitRepository

    /// Paths with uncommitted changes that a commit of `generated` would leave behind or collide with:
    /// every staged or unstaged change to a tracked file, and untracked files at generated paths.
    func uncommittedChanges(touching generated: Set<String>) throws -> [String] {
        var options = git_status_options()
        try LibGit2.check(git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION)), "preparing a status check")
        options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
        var list: OpaquePointer?
        try LibGit2.check(git_status_list_new(&list, repository.handle, &options), "checking the work tree for changes")
        defer { git_status_list_free(list) }

        var dirty: [String] = []
        for index in 0..<git_status_list_entrycount(list) {
            guard let entry = git_status_byindex(list, index)?.pointee else { continue }
            let delta = entry.index_to_workdir ?? entry.head_to_index
            let path = delta?.pointee.new_file.path.map { String(cString: $0) } ?? ""
            if entry.status == GIT_STATUS_WT_NEW {
                if generated.contains(path) { dirty.append(path) }
            } else if entry.status != GIT_STATUS_CURRENT && entry.status != GIT_STATUS_IGNORED {
                dirty.append(path)
            }
        }
        return dirty.sorted()
    }

    /// Brings the index and work tree from what the index holds to `commit`. The baseline is the
    /// index file rather than HEAD, because HEAD already names the new commit; it is opened as a
    /// separate copy so the checkout can update the repository's own index.
    func checkOut(_ commit: GitOID) throws {
        do {
            var baseline: OpaquePointer?
            let indexFile = URL(fileURLWithPath: repository.gitDirectory).appendingPathComponent("index").path
            try LibGit2.check(git_index_open(&baseline, indexFile), "reading the index")
            defer { git_index_free(baseline) }

            var commitID = commit.raw
            var target: OpaquePointer?
            try LibGit2.check(git_object_lookup(&target, repository.handle, &commitID, GIT_OBJECT_COMMIT), "reading commit \(commit)")
            defer { git_object_free(target) }

            var options = git_checkout_options()
            try LibGit2.check(git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION)), "preparing a checkout")
            options.checkout_strategy = GIT_CHECKOUT_SAFE.rawValue
            options.baseline_index = baseline
            try LibGit2.check(git_checkout_tree(repository.handle, target, &options), "checking out \(commit)")
        } catch let error as GitError {
            throw GitError.workTreeNotUpdated(commit: commit.description, reason: "\(error)")
        }
    }
}
