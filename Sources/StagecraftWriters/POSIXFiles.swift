import Foundation

/// The few file operations the writer does per file, straight on POSIX: Foundation's versions
/// stat every path component again and again, which dominates writing thousands of files.
struct POSIXFiles {
    /// Folders known to exist, so each is made (or checked) once per run.
    private var existing: Set<String> = []

    enum Failure: Error, CustomStringConvertible {
        case failed(String, path: String, errno: Int32)
        var description: String {
            switch self {
            case .failed(let what, let path, let code): "cannot \(what) \(path): \(String(cString: strerror(code)))"
            }
        }
    }

    /// A regular file's bytes and whether it is executable; nil when there is none.
    static func read(_ path: String) throws -> (contents: [UInt8], executable: Bool)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT || errno == ENOTDIR || errno == EISDIR { return nil }
            throw Failure.failed("read", path: path, errno: errno)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Failure.failed("read", path: path, errno: errno) }
        guard info.st_mode & S_IFMT == S_IFREG else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress! + offset, $0.count - offset) }
            guard count > 0 else {
                if count < 0 && errno == EINTR { continue }
                if count == 0 { bytes.removeLast(bytes.count - offset); break }
                throw Failure.failed("read", path: path, errno: errno)
            }
            offset += count
        }
        return (bytes, info.st_mode & S_IXUSR != 0)
    }

    /// Writes a whole file (replacing any), making its folder first.
    mutating func write(_ bytes: [UInt8], to path: String, executable: Bool) throws {
        try makeParent(of: path)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, executable ? 0o755 : 0o644)
        guard fd >= 0 else { throw Failure.failed("write", path: path, errno: errno) }
        defer { close(fd) }
        // An existing file keeps its mode through O_TRUNC; set the one the output asks for.
        _ = fchmod(fd, executable ? 0o755 : 0o644)
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            guard count >= 0 else {
                if errno == EINTR { continue }
                throw Failure.failed("write", path: path, errno: errno)
            }
            offset += count
        }
    }

    /// Moves a file into place atomically, making the target's folder first.
    mutating func move(_ source: String, to target: String) throws {
        try makeParent(of: target)
        guard rename(source, target) == 0 else { throw Failure.failed("move into place", path: target, errno: errno) }
    }

    mutating func makeParent(of path: String) throws {
        guard let slash = path.lastIndex(of: "/") else { return }
        try makeDirectory(String(path[..<slash]))
    }

    private mutating func makeDirectory(_ path: String) throws {
        guard !path.isEmpty, !existing.contains(path) else { return }
        if mkdir(path, 0o755) != 0 {
            switch errno {
            case EEXIST: break
            case ENOENT:
                try makeParent(of: path)
                guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw Failure.failed("create folder", path: path, errno: errno) }
            default: throw Failure.failed("create folder", path: path, errno: errno)
            }
        }
        existing.insert(path)
    }
}
