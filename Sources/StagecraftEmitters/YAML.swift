import Yams

/// A YAML document built as data, in the order it should read, and serialized by Yams:
/// strings are quoted by the serializer whenever they would read back as anything else.
public indirect enum YAML: Equatable, Sendable {
    case string(String)
    /// A multi-line string, written as a `|` block.
    case block(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case null
    case list([YAML])
    case map([(String, YAML)])

    public static func == (lhs: YAML, rhs: YAML) -> Bool { lhs.node == rhs.node }

    var node: Node {
        switch self {
        case .string(let value):
            // A string that would read back as a number, bool or null must be quoted.
            let plain = Node(value)
            if Resolver.default.resolveTag(of: plain) != .str {
                return Node(value, Tag(.str), .singleQuoted)
            }
            return Node(value, Tag(.str), .any)
        case .block(let value): return Node(value.hasSuffix("\n") ? value : value + "\n", Tag(.str), .literal)
        case .int(let value): return Node(String(value), Tag(.int))
        case .double(let value): return Node(String(value), Tag(.float))
        case .bool(let value): return Node(value ? "true" : "false", Tag(.bool))
        case .null: return Node("null", Tag(.null))
        case .list(let items): return Node(items.map(\.node))
        case .map(let pairs): return Node(pairs.map { (YAML.string($0.0).node, $0.1.node) })
        }
    }

    /// The document as text, ending with a newline.
    public func serialized() throws -> String {
        try Yams.serialize(node: node, width: -1, allowUnicode: true, sortKeys: false)
    }
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
