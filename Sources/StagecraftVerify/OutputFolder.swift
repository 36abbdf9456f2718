import Foundation

/// The files of a generated output, as relative paths in sorted order. Tool state that
/// validators or deploys leave behind (`.git`, `.terraform`) is not part of it.
public struct OutputFolder: Sendable {
    public let root: URL
    public let files: [String]

    static let ignoredFolders: Set<String> = [".git", ".terraform"]

    public init(root: URL) throws {
        self.root = root.standardizedFileURL
        var files: [String] = []
        let keys: [URLResourceKey] = [.isDirectoryKey, .isRegularFileKey]
        guard let enumerator = FileManager.default.enumerator(at: self.root, includingPropertiesForKeys: keys) else {
            throw VerifyError("cannot read \(root.path)")
        }
        let prefix = self.root.path.hasSuffix("/") ? self.root.path : self.root.path + "/"
        for case let url as URL in enumerator {
            let values = try url.resourceValues(forKeys: Set(keys))
            if values.isDirectory == true, Self.ignoredFolders.contains(url.lastPathComponent) {
                enumerator.skipDescendants()
            } else if values.isRegularFile == true {
                files.append(String(url.standardizedFileURL.path.dropFirst(prefix.count)))
            }
        }
        self.files = files.sorted()
    }

    public func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    func text(_ path: String) -> String? { try? String(contentsOf: url(path), encoding: .utf8) }

    func isExecutable(_ path: String) -> Bool { FileManager.default.isExecutableFile(atPath: url(path).path) }

    static func name(_ path: String) -> String { String(path.split(separator: "/").last ?? "") }

    static func folder(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[...slash])
    }
}

public struct VerifyError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
