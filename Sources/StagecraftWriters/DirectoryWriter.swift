import Foundation
import StagecraftOutput

/// Writes an output into a folder, atomically: files are staged inside the folder, a marker
/// renamed into place commits the run, and only then are files moved over the old ones.
/// A run that stops before the marker leaves the previous output as it was; one that stops
/// after it is finished by the next run. Unchanged files are not rewritten, and nothing the
/// previous manifest does not list is ever removed.
public struct DirectoryWriter {
    public var root: URL
    /// Overwrite files that exist but that Stagecraft did not generate (`--force`).
    public var overwriteUnmanaged = false
    /// Called before each file is staged and before each change is applied; a test makes it
    /// throw to interrupt the run there.
    public var faultInjection: ((Phase, OutputPath) throws -> Void)?

    public enum Phase: Sendable { case staging, applying }

    public enum Failure: Error, CustomStringConvertible {
        case unmanagedFiles(root: String, paths: [OutputPath])
        case io(String)

        public var description: String {
            switch self {
            case .unmanagedFiles(let root, let paths):
                "refusing to overwrite files in \(root) that Stagecraft did not generate: "
                    + paths.map(\.value).joined(separator: ", ") + ". Move them away, or pass --force to replace them."
            case .io(let message): message
            }
        }
    }

    public init(root: URL) {
        self.root = root
    }

    private var transaction: URL { root.appendingPathComponent(".stagecraft/transaction") }
    private var committedMarker: URL { transaction.appendingPathComponent("COMMITTED") }
    private var journal: URL { transaction.appendingPathComponent("journal.json") }

    /// What writing `files` would change, without writing.
    public func changes(for files: FileSet) throws -> ChangeSet {
        try ChangeSet.compute(files, previous: previousManifest(), existing: read)
    }

    public func previousManifest() throws -> Manifest? {
        guard let bytes = try read(Manifest.path)?.contents else { return nil }
        return try? Manifest.decode(bytes)
    }

    /// Reads a file of the output: its bytes and executable bit, or nil when absent.
    public func read(_ path: OutputPath) throws -> (contents: [UInt8], executable: Bool)? {
        try POSIXFiles.read(location(path))
    }

    private func location(_ path: OutputPath) -> String { root.path + "/" + path.value }

    /// Writes `files` as the managed output, and `unmanaged` files (a promotion runbook) in the
    /// same transaction without listing them in the manifest, so no later run removes them.
    @discardableResult
    public func write(_ files: FileSet, unmanaged: [GeneratedFile] = []) throws -> ChangeSet {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try recover()
        let previous = try previousManifest()
        let changes = try ChangeSet.compute(files, previous: previous, existing: read)
        let extras = try unmanaged.filter { file in try read(file.path).map { $0.contents != file.contents } ?? true }
        guard !changes.isEmpty || !extras.isEmpty else { return changes }

        let managed = previous?.paths ?? []
        let unmanaged = changes.changed.filter { !managed.contains($0) && $0 != Manifest.path }
        if !unmanaged.isEmpty && !overwriteUnmanaged {
            throw Failure.unmanagedFiles(root: root.path, paths: unmanaged)
        }

        // Stage. Anything thrown here leaves the output untouched.
        let writes = (changes.added + changes.changed).map { files[$0]! } + extras
        do {
            try? FileManager.default.removeItem(at: transaction)
            var disk = POSIXFiles()
            for file in writes {
                try faultInjection?(.staging, file.path)
                try disk.write(file.contents, to: staged(file.path), executable: file.executable)
            }
            let entries = Journal(writes: writes.map(\.path.value), removes: changes.removed.map(\.value))
            try disk.write(Array(try JSONEncoder().encode(entries)), to: journal.path, executable: false)
            // The commit point: from here the run is finished even if this process is not.
            try disk.write([], to: committedMarker.path + ".partial", executable: false)
            try disk.move(committedMarker.path + ".partial", to: committedMarker.path)
        } catch {
            try? FileManager.default.removeItem(at: transaction)
            throw error
        }
        try apply()
        return changes
    }

    // MARK: - Transaction

    private struct Journal: Codable {
        var writes: [String]
        var removes: [String]
    }

    private func staged(_ path: OutputPath) -> String {
        transaction.path + "/files/" + path.value
    }

    /// Finishes a committed run an earlier process left, or discards an uncommitted one.
    public func recover() throws {
        guard FileManager.default.fileExists(atPath: transaction.path) else { return }
        if FileManager.default.fileExists(atPath: committedMarker.path) {
            try apply()
        } else {
            try FileManager.default.removeItem(at: transaction)
        }
    }

    /// Moves staged files into place (the manifest last, so it never names a file not yet there),
    /// removes orphans, and ends the transaction. Safe to repeat.
    private func apply() throws {
        let entries = try JSONDecoder().decode(Journal.self, from: Data(contentsOf: journal))
        let writes = entries.writes.compactMap { try? OutputPath($0) }
        let ordered = writes.filter { $0 != Manifest.path } + writes.filter { $0 == Manifest.path }
        var disk = POSIXFiles()
        for path in ordered {
            try faultInjection?(.applying, path)
            let source = staged(path)
            // Moved already by an earlier, interrupted apply.
            guard access(source, F_OK) == 0 else { continue }
            try disk.move(source, to: location(path))
        }
        for path in entries.removes.compactMap({ try? OutputPath($0) }) {
            try faultInjection?(.applying, path)
            if unlink(location(path)) != 0 && errno != ENOENT {
                throw Failure.io("cannot remove \(path): \(String(cString: strerror(errno)))")
            }
            removeEmptyParents(of: path)
        }
        try FileManager.default.removeItem(at: transaction)
    }

    private func removeEmptyParents(of path: OutputPath) {
        var directory = path.directory
        // rmdir refuses a folder that still holds anything, which is where this stops.
        while let current = directory, rmdir(root.path + "/" + current) == 0 {
            directory = OutputPath.parent(of: current)
        }
    }
}
