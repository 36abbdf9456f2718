/// Writes HCL exactly as `terraform fmt` would: two-space indents, one space around `=`, the
/// `=` of consecutive one-line attributes aligned (a comment, blank line, block or multi-line
/// value ends the run, as in hclwrite), and a blank line between top-level blocks.
enum HCLWriter {
    static func render(_ file: HCLFile) -> String {
        var lines: [String] = []
        var previous: HCLItem?
        var run: [HCLAttribute] = []
        for item in file.items {
            if case .block = previous, item != .blank { flush(&run, into: &lines, indent: 0); lines.append("") }
            append(item, to: &lines, run: &run, indent: 0)
            previous = item
        }
        flush(&run, into: &lines, indent: 0)
        return lines.joined(separator: "\n") + "\n"
    }

    private static func body(_ items: [HCLItem], indent: Int) -> [String] {
        var lines: [String] = []
        var run: [HCLAttribute] = []
        for item in items { append(item, to: &lines, run: &run, indent: indent) }
        flush(&run, into: &lines, indent: indent)
        return lines
    }

    /// Collects one-line attributes into `run` so their `=` can be aligned, and writes anything else at once.
    private static func append(_ item: HCLItem, to lines: inout [String], run: inout [HCLAttribute], indent: Int) {
        if case .attribute(let attribute) = item, !value(attribute.value, indent: indent).contains("\n") {
            run.append(attribute)
            return
        }
        flush(&run, into: &lines, indent: indent)
        let pad = String(repeating: "  ", count: indent)
        switch item {
        case .attribute(let attribute):
            lines.append(pad + key(attribute.name) + " = " + value(attribute.value, indent: indent))
        case .block(let block):
            let head = pad + ([block.type] + block.labels.map(FormatQuoting.hcl)).joined(separator: " ")
            if block.body.isEmpty {
                lines.append(head + " {}")
            } else {
                lines.append(head + " {")
                lines += body(block.body, indent: indent + 1)
                lines.append(pad + "}")
            }
        case .comment(let text):
            lines.append(pad + (text.isEmpty ? "#" : "# " + text))
        case .blank:
            lines.append("")
        }
    }

    private static func flush(_ run: inout [HCLAttribute], into lines: inout [String], indent: Int) {
        guard !run.isEmpty else { return }
        let pad = String(repeating: "  ", count: indent)
        let width = run.map { key($0.name).count }.max() ?? 0
        for attribute in run {
            let name = key(attribute.name)
            lines.append(pad + name + String(repeating: " ", count: width - name.count) + " = " + value(attribute.value, indent: indent))
        }
        run.removeAll()
    }

    /// A bare identifier when it is one, otherwise a quoted key (object keys only).
    private static func key(_ name: String) -> String {
        func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        let underscore = UInt8(ascii: "_")
        let isIdentifier = name.utf8.first.map { isLetter($0) || $0 == underscore } == true
            && name.utf8.allSatisfy { isLetter($0) || isDigit($0) || $0 == underscore }
        return isIdentifier ? name : FormatQuoting.hcl(name)
    }

    /// The expression's text; continuation lines are indented for a value that starts at `indent`.
    static func value(_ value: HCLValue, indent: Int) -> String {
        let pad = String(repeating: "  ", count: indent)
        switch value {
        case .string(let text): return FormatQuoting.hcl(text)
        case .expression(let expression): return expression
        case .int(let number): return String(number)
        case .number(let number): return number == number.rounded() ? String(Int(number)) : String(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "null"
        case .list(let elements):
            let inline = elements.map { Self.value($0, indent: indent) }
            if elements.allSatisfy(isScalar), !inline.contains(where: { $0.contains("\n") }) {
                return "[" + inline.joined(separator: ", ") + "]"
            }
            let inner = elements.map { pad + "  " + Self.value($0, indent: indent + 1) + "," }
            return (["["] + inner + [pad + "]"]).joined(separator: "\n")
        case .object(let attributes):
            if attributes.isEmpty { return "{}" }
            let inner = body(attributes.map(HCLItem.attribute), indent: indent + 1)
            return (["{"] + inner + [pad + "}"]).joined(separator: "\n")
        case .call(let name, let arguments):
            return name + "(" + arguments.map { Self.value($0, indent: indent) }.joined(separator: ", ") + ")"
        }
    }

    private static func isScalar(_ value: HCLValue) -> Bool {
        switch value {
        case .list, .object, .call: false
        default: true
        }
    }
}

extension HCLFile {
    /// The file's text, `terraform fmt`-clean.
    public var rendered: String { HCLWriter.render(self) }
}
