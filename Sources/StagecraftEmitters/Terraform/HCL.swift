/// An HCL expression built as data. Strings are always quoted by `FormatQuoting.hcl`, so a
/// value from the stack file can never become code; `.expression` is only for references and
/// expressions Stagecraft writes itself (`var.x`, `aws_lb.main.arn`, `length(local.zones)`).
public indirect enum HCLValue: Sendable, Equatable {
    case string(String)
    case expression(String)
    case int(Int)
    /// A number with a fraction, written without a trailing `.0` when it has none.
    case number(Double)
    case bool(Bool)
    case null
    case list([HCLValue])
    case object([HCLAttribute])
    /// A function call, e.g. `jsonencode({ … })`.
    case call(String, [HCLValue])

    public static func ref(_ expression: String) -> HCLValue { .expression(expression) }

    public static func strings(_ values: [String]) -> HCLValue { .list(values.map(HCLValue.string)) }
}

extension HCLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: HCLValue...) { self = .list(elements) }
    /// Keeps the literal's order: an HCL object reads in the order it was written.
    public init(dictionaryLiteral elements: (String, HCLValue)...) {
        self = .object(elements.map { HCLAttribute($0.0, $0.1) })
    }
}

/// `name = value`, in a block body or an object.
public struct HCLAttribute: Sendable, Equatable {
    public var name: String
    public var value: HCLValue

    public init(_ name: String, _ value: HCLValue) {
        self.name = name
        self.value = value
    }
}

/// A block: `type "label" … { body }`.
public struct HCLBlock: Sendable, Equatable {
    public var type: String
    public var labels: [String]
    public var body: [HCLItem]

    public init(_ type: String, _ labels: String..., @HCLBodyBuilder body: () -> [HCLItem] = { [] }) {
        self.type = type
        self.labels = labels
        self.body = body()
    }
}

/// One line-level element of a body.
public enum HCLItem: Sendable, Equatable {
    case attribute(HCLAttribute)
    case block(HCLBlock)
    case comment(String)
    case blank
}

@resultBuilder
public enum HCLBodyBuilder {
    public static func buildExpression(_ item: HCLItem) -> [HCLItem] { [item] }
    public static func buildExpression(_ block: HCLBlock) -> [HCLItem] { [.block(block)] }
    public static func buildExpression(_ attribute: HCLAttribute) -> [HCLItem] { [.attribute(attribute)] }
    public static func buildExpression(_ items: [HCLItem]) -> [HCLItem] { items }
    public static func buildExpression(_ blocks: [HCLBlock]) -> [HCLItem] { blocks.map(HCLItem.block) }
    public static func buildBlock(_ parts: [HCLItem]...) -> [HCLItem] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [HCLItem]?) -> [HCLItem] { part ?? [] }
    public static func buildEither(first: [HCLItem]) -> [HCLItem] { first }
    public static func buildEither(second: [HCLItem]) -> [HCLItem] { second }
    public static func buildArray(_ parts: [[HCLItem]]) -> [HCLItem] { parts.flatMap { $0 } }
}

/// Shorthand for an attribute inside a body builder.
public func attr(_ name: String, _ value: HCLValue) -> HCLAttribute { HCLAttribute(name, value) }

/// Shorthand for a comment line inside a body builder; each line of `text` becomes one `#` line.
public func comment(_ text: String) -> [HCLItem] {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { .comment(String($0)) }
}

/// A whole `.tf` file: top-level items separated by blank lines.
public struct HCLFile: Sendable {
    public var items: [HCLItem]

    public init(@HCLBodyBuilder _ items: () -> [HCLItem]) {
        self.items = items()
    }

    public init(items: [HCLItem]) {
        self.items = items
    }
}
