/// A path inside an output folder: relative, no `..`, no empty or hidden-by-accident
/// components, no control characters. Every generated path is one of these before it
/// touches a disk or a git tree.
public struct OutputPath: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let value: String

    public enum Invalid: Error, CustomStringConvertible, Equatable {
        case empty
        case absolute(String)
        case parentReference(String)
        case emptyComponent(String)
        case controlCharacter(String)
        case backslash(String)

        public var description: String {
            switch self {
            case .empty: "an output path is empty"
            case .absolute(let p): "output path '\(p)' is absolute; it must stay inside the output folder"
            case .parentReference(let p): "output path '\(p)' climbs out with '..' or '.'"
            case .emptyComponent(let p): "output path '\(p)' has an empty component"
            case .controlCharacter(let p): "output path '\(p.debugDescription)' contains a control character"
            case .backslash(let p): "output path '\(p)' contains a backslash"
            }
        }
    }

    public init(_ value: String) throws {
        guard !value.isEmpty else { throw Invalid.empty }
        guard !value.hasPrefix("/") else { throw Invalid.absolute(value) }
        guard !value.contains("\\") else { throw Invalid.backslash(value) }
        guard !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw Invalid.controlCharacter(value)
        }
        for component in value.split(separator: "/", omittingEmptySubsequences: false) {
            if component.isEmpty { throw Invalid.emptyComponent(value) }
            if component == ".." || component == "." { throw Invalid.parentReference(value) }
        }
        self.value = value
    }

    /// This path placed under `prefix` (itself validated).
    public func prefixed(by prefix: OutputPath?) -> OutputPath {
        guard let prefix else { return self }
        // Both sides are valid, so their join is too.
        return try! OutputPath("\(prefix.value)/\(value)")
    }

    public var components: [Substring] { value.split(separator: "/") }
    public var directory: String? {
        guard let slash = value.lastIndex(of: "/") else { return nil }
        return String(value[..<slash])
    }

    public static func < (lhs: OutputPath, rhs: OutputPath) -> Bool { lhs.value.utf8.lexicographicallyPrecedes(rhs.value.utf8) }
    public var description: String { value }

    public init(from decoder: Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

extension OutputPath {
    /// The folder above `directory` ("a/b" → "a"), or nil at the top.
    public static func parent(of directory: String) -> String? {
        guard let slash = directory.lastIndex(of: "/") else { return nil }
        return String(directory[..<slash])
    }
}
