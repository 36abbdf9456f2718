import CLibGit2
import StagecraftOutput

/// Edits to a tree, grouped by folder so only the folders that change are rewritten;
/// every other entry keeps its object id.
struct GitTreeEdits {
    enum FileEdit {
        case put(GitOID, executable: Bool)
        case remove
    }

    private var files: [String: FileEdit] = [:]
    private var folders: [String: GitTreeEdits] = [:]

    mutating func put(_ path: OutputPath, blob: GitOID, executable: Bool) {
        insert(.put(blob, executable: executable), at: path.components.map(String.init)[...])
    }

    mutating func remove(_ path: OutputPath) {
        insert(.remove, at: path.components.map(String.init)[...])
    }

    private mutating func insert(_ edit: FileEdit, at components: ArraySlice<String>) {
        guard let first = components.first else { return }
        if components.count == 1 {
            files[first] = edit
        } else {
            folders[first, default: GitTreeEdits()].insert(edit, at: components.dropFirst())
        }
    }

    private var putsFiles: Bool {
        files.values.contains { if case .put = $0 { true } else { false } } || folders.values.contains(where: \.putsFiles)
    }

    /// Writes the edited tree into the repository and returns its id.
    func write(over base: GitTree?, in repository: GitRepository) throws -> GitOID {
        try write(over: base?.handle, in: repository, at: "") ?? Self.writeEmptyTree(in: repository)
    }

    /// Returns nil when the folder ends up empty: git does not keep empty folders.
    private func write(over base: OpaquePointer?, in repository: GitRepository, at folder: String) throws -> GitOID? {
        var builder: OpaquePointer?
        try LibGit2.check(git_treebuilder_new(&builder, repository.handle, base), "reading folder '\(folder)'")
        defer { git_treebuilder_free(builder) }

        for (name, edit) in files {
            let existingMode = git_treebuilder_get(builder, name).map { git_tree_entry_filemode($0) }
            switch edit {
            case .put(let blob, let executable):
                if existingMode == GIT_FILEMODE_TREE { throw GitError.pathConflict(path: folder + name) }
                var id = blob.raw
                let mode = executable ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB
                try LibGit2.check(git_treebuilder_insert(nil, builder, name, &id, mode), "adding '\(folder + name)'")
            case .remove:
                // A folder of the same name is not ours to remove.
                guard let existingMode, existingMode != GIT_FILEMODE_TREE else { continue }
                try LibGit2.check(git_treebuilder_remove(builder, name), "removing '\(folder + name)'")
            }
        }

        for (name, edits) in folders {
            var subtree: OpaquePointer?
            defer { git_tree_free(subtree) }
            if let entry = git_treebuilder_get(builder, name) {
                if git_tree_entry_filemode(entry) == GIT_FILEMODE_TREE {
                    try LibGit2.check(git_tree_lookup(&subtree, repository.handle, git_tree_entry_id(entry)), "reading folder '\(folder + name)'")
                } else if edits.putsFiles {
                    throw GitError.pathConflict(path: folder + name)
                } else {
                    continue
                }
            }
            let hadEntry = subtree != nil
            if let written = try edits.write(over: subtree, in: repository, at: folder + name + "/") {
                var id = written.raw
                try LibGit2.check(git_treebuilder_insert(nil, builder, name, &id, GIT_FILEMODE_TREE), "adding folder '\(folder + name)'")
            } else if hadEntry {
                try LibGit2.check(git_treebuilder_remove(builder, name), "removing folder '\(folder + name)'")
            }
        }

        guard git_treebuilder_entrycount(builder) > 0 else { return nil }
        var id = git_oid()
        try LibGit2.check(git_treebuilder_write(&id, builder), "writing folder '\(folder)'")
        return GitOID(id)
    }

    private static func writeEmptyTree(in repository: GitRepository) throws -> GitOID {
        var builder: OpaquePointer?
        try LibGit2.check(git_treebuilder_new(&builder, repository.handle, nil), "writing an empty tree")
        defer { git_treebuilder_free(builder) }
        var id = git_oid()
        try LibGit2.check(git_treebuilder_write(&id, builder), "writing an empty tree")
        return GitOID(id)
    }
}
