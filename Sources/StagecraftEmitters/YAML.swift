import Foundation
import Yams

/// A YAML document built as data, in the order it should read, and serialized as Yams (libyaml)
/// writes it: strings are quoted whenever they would read back as anything else.
public indirect enum YAML: Equatable, Sendable {
    case string(String)
    /// A multi-line string, written as a `|` block.
    case block(String)
    case int(Int)
    case double(Double)
    /// A number as written (a patch's `0400` stays octal, `1e3` a float).
    case number(String)
    case bool(Bool)
    case null
    case list([YAML])
    case map([(String, YAML)])

    public static func == (lhs: YAML, rhs: YAML) -> Bool { lhs.node == rhs.node }

    var node: Node {
        switch self {
        case .string(let value):
            // A string that would read back as a number, bool or null must be quoted.
            return Node(value, YAMLTags.str, Self.readsAsAnotherType(value) ? .singleQuoted : .any)
        case .block(let value): return Node(value.hasSuffix("\n") ? value : value + "\n", YAMLTags.str, .literal)
        case .int(let value): return Node(String(value), YAMLTags.int)
        case .double(let value): return Node(String(value), YAMLTags.float)
        case .number(let text): return Node(text, Tag(Resolver.default.resolveTag(of: Node(text, YAMLTags.implicit))))
        case .bool(let value): return Node(value ? "true" : "false", YAMLTags.bool)
        case .null: return Node("null", YAMLTags.null)
        case .list(let items): return Node(items.map(\.node), YAMLTags.seq)
        case .map(let pairs): return Node(pairs.map { (YAML.string($0.0).node, $0.1.node) }, YAMLTags.map)
        }
    }

    /// Whether a YAML 1.1 reader would take `value`, unquoted, for something other than a string.
    /// A string that starts with a letter can only be a bool or null word; anything else (digits,
    /// signs, dots, symbols, the empty string) goes to the resolver's full rules.
    static func readsAsAnotherType(_ value: String) -> Bool {
        guard let first = value.utf8.first else { return true }
        let isLetter = (first | 0x20) >= UInt8(ascii: "a") && (first | 0x20) <= UInt8(ascii: "z")
        if isLetter {
            return value.utf8.count <= 5 && boolAndNullWords.contains(value.lowercased())
        }
        return Resolver.default.resolveTag(of: Node(value, YAMLTags.implicit)) != .str
    }

    private static let boolAndNullWords: Set<String> = ["y", "n", "yes", "no", "true", "false", "on", "off", "null"]

    /// The same value as Foundation's JSON objects, for a document written as JSON (a block
    /// string is a string there; key order is the serializer's).
    var jsonObject: Any {
        switch self {
        case .string(let value), .block(let value): value
        case .int(let value): value
        case .double(let value): value
        case .number(let text): Int(text) ?? Double(text) ?? text
        case .bool(let value): value
        case .null: NSNull()
        case .list(let items): items.map(\.jsonObject)
        case .map(let pairs): Dictionary(pairs.map { ($0.0, $0.1.jsonObject) }, uniquingKeysWith: { _, last in last })
        }
    }

    /// The document as text, ending with a newline.
    public func serialized() throws -> String {
        if let text = YAMLWriter.write(self) { return text }
        return try Yams.serialize(node: node, width: -1, allowUnicode: true, sortKeys: false)
    }
}

/// One tag object per type, shared: building a `Tag` builds Yams' constructor table each time.
private enum YAMLTags {
    nonisolated(unsafe) static let str = Tag(.str)
    nonisolated(unsafe) static let int = Tag(.int)
    nonisolated(unsafe) static let float = Tag(.float)
    nonisolated(unsafe) static let bool = Tag(.bool)
    nonisolated(unsafe) static let null = Tag(.null)
    nonisolated(unsafe) static let seq = Tag(.seq)
    nonisolated(unsafe) static let map = Tag(.map)
    nonisolated(unsafe) static let implicit = Tag(.implicit)
}

extension YAML: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

/// Builds a mapping in declaration order, skipping entries whose value is nil.
public struct YAMLMap {
    public private(set) var pairs: [(String, YAML)] = []

    public init() {}

    public mutating func set(_ key: String, _ value: YAML?) {
        guard let value else { return }
        pairs.append((key, value))
    }

    public var yaml: YAML { .map(pairs) }
}
