import StagecraftOutput

/// What writing a ``FileSet`` over an existing output changes. Orphans are the files the
/// previous manifest listed that the new output no longer has; nothing else is ever removed.
public struct ChangeSet: Sendable, Equatable {
    public var added: [OutputPath] = []
    public var changed: [OutputPath] = []
    public var removed: [OutputPath] = []
    public var unchanged: [OutputPath] = []

    public init() {}

    public var isEmpty: Bool { added.isEmpty && changed.isEmpty && removed.isEmpty }

    /// Compares `files` with what `existing` holds now.
    /// - Parameters:
    ///   - previous: the manifest found at the target, if any (it names the removable files).
    ///   - existing: reads a file at the target: its bytes and executable bit, or nil when absent.
    public static func compute(
        _ files: FileSet,
        previous: Manifest?,
        existing: (OutputPath) throws -> (contents: [UInt8], executable: Bool)?
    ) rethrows -> ChangeSet {
        var changes = ChangeSet()
        for file in files.sorted {
            if let current = try existing(file.path) {
                if current.contents == file.contents && current.executable == file.executable {
                    changes.unchanged.append(file.path)
                } else {
                    changes.changed.append(file.path)
                }
            } else {
                changes.added.append(file.path)
            }
        }
        let generated = Set(files.paths)
        for path in (previous?.paths ?? []).sorted() where !generated.contains(path) && path != Manifest.path {
            if try existing(path) != nil { changes.removed.append(path) }
        }
        return changes
    }
}
