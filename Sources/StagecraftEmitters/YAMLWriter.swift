/// Writes block-style YAML straight from a ``YAML`` value, choosing each scalar's style by
/// libyaml's own rules (plain where libyaml writes plain, single-quoted otherwise), so the text
/// is byte for byte what Yams writes — without building a node tree, which dominated the time
/// of large generations. A document with anything outside that common ground (control or
/// non-ASCII characters, multi-line strings, block scalars libyaml would mark or quote, nested
/// sequences, very long keys) gets nil, and Yams writes it.
enum YAMLWriter {
    static func write(_ document: YAML) -> String? {
        var out = ""
        switch document {
        case .map(let pairs) where !pairs.isEmpty:
            guard map(pairs, indent: 0, into: &out) else { return nil }
        case .list(let items) where !items.isEmpty:
            guard list(items, indent: 0, into: &out) else { return nil }
        default:
            return nil
        }
        return out
    }

    private static func map(_ pairs: [(String, YAML)], indent: Int, into out: inout String) -> Bool {
        for (key, value) in pairs {
            guard key.utf8.count <= 128, let keyText = scalar(key) else { return false }
            out += String(repeating: " ", count: indent) + keyText + ":"
            guard entry(value, indent: indent, nestedMapIndent: indent + 2, into: &out) else { return false }
        }
        return true
    }

    /// Sequences are written as libyaml writes them inside a mapping: dashes at the key's indent.
    private static func list(_ items: [YAML], indent: Int, into out: inout String) -> Bool {
        for item in items {
            out += String(repeating: " ", count: indent) + "-"
            if case .map(let pairs) = item, !pairs.isEmpty {
                // The first pair shares the dash's line; the others line up under it.
                var nested = ""
                guard map(pairs, indent: indent + 2, into: &nested) else { return false }
                out += " " + nested.dropFirst(indent + 2)
                continue
            }
            if case .list(let nested) = item, !nested.isEmpty { return false }
            guard entry(item, indent: indent, nestedMapIndent: indent + 2, into: &out) else { return false }
        }
        return true
    }

    /// What follows a key's colon or a dash: the value on that line, or the nested block below it.
    private static func entry(_ value: YAML, indent: Int, nestedMapIndent: Int, into out: inout String) -> Bool {
        switch value {
        case .map(let pairs) where pairs.isEmpty:
            out += " {}\n"
        case .list(let items) where items.isEmpty:
            out += " []\n"
        case .map(let pairs):
            out += "\n"
            return map(pairs, indent: nestedMapIndent, into: &out)
        case .list(let items):
            out += "\n"
            return list(items, indent: indent, into: &out)
        case .block(let text):
            return block(text, indent: indent + 2, into: &out)
        case .string(let text):
            guard let text = scalar(text) else { return false }
            out += " " + text + "\n"
        case .int(let number):
            out += " \(number)\n"
        case .double(let number):
            out += " \(number)\n"
        case .number(let text):
            out += " \(text)\n"
        case .bool(let flag):
            out += flag ? " true\n" : " false\n"
        case .null:
            out += " null\n"
        }
        return true
    }

    /// A literal block scalar with clip chomping (`|`): the only kind written here.
    private static func block(_ text: String, indent: Int, into out: inout String) -> Bool {
        let content = text.hasSuffix("\n") ? text : text + "\n"
        let bytes = Array(content.utf8)
        // A leading space or line break needs an indentation indicator, and a final empty line
        // a keep indicator: libyaml's territory.
        guard let first = bytes.first, first != 0x20, first != 0x0A, !content.hasSuffix("\n\n") else { return false }
        var lines: [Substring] = content.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        for line in lines {
            // Trailing spaces and anything unprintable make libyaml quote the whole value.
            guard line.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }), line.utf8.last != 0x20 else { return false }
        }
        out += " |\n"
        let pad = String(repeating: " ", count: indent)
        for line in lines { out += line.isEmpty ? "\n" : pad + line + "\n" }
        lines.removeAll()
        return true
    }

    /// A string scalar as libyaml writes it: plain when that reads back as the same string,
    /// single-quoted otherwise; nil when neither applies (libyaml would double-quote).
    static func scalar(_ value: String) -> String? {
        let bytes = Array(value.utf8)
        guard bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return nil }
        if YAML.readsAsAnotherType(value) || !plainAllowed(bytes) {
            return "'" + value.replacing("'", with: "''") + "'"
        }
        return value
    }

    /// libyaml's `yaml_emitter_analyze_scalar`, block context, for printable ASCII.
    private static func plainAllowed(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty, bytes.first != 0x20, bytes.last != 0x20 else { return false }
        if bytes.count >= 3, bytes[0] == bytes[1], bytes[1] == bytes[2], bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: ".") {
            return false
        }
        var precededByWhitespace = true
        for index in bytes.indices {
            let byte = bytes[index]
            let followedByWhitespace = index + 1 == bytes.count || bytes[index + 1] == 0x20
            if index == 0 {
                if "#,[]{}&*!|>'\"%@`".utf8.contains(byte) { return false }
                if (byte == UInt8(ascii: "?") || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "-")) && followedByWhitespace { return false }
            } else {
                if byte == UInt8(ascii: ":") && followedByWhitespace { return false }
                if byte == UInt8(ascii: "#") && precededByWhitespace { return false }
            }
            precededByWhitespace = byte == 0x20
        }
        return true
    }
}
