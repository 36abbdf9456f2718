/// Quoting functions, one per output format. Every value that comes from a stack file
/// passes through the one for the format it lands in, so no value can change a file's
/// structure. (Names are validated strictly by the planner; free-form values are not.)
public enum FormatQuoting {
    /// An nginx string argument: `"…"` with `\` and `"` escaped. nginx reads `;`, `{`, `}`
    /// and `#` inside quotes as text.
    public static func nginx(_ value: String) -> String {
        "\"" + value.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
    }

    /// A POSIX shell word: `'…'`, with each `'` written as `'\''`.
    public static func shell(_ value: String) -> String {
        "'" + value.replacing("'", with: "'\\''") + "'"
    }

    /// A PostgreSQL configuration value: `'…'` with `'` doubled and `\` escaped.
    public static func postgresConf(_ value: String) -> String {
        "'" + value.replacing("\\", with: "\\\\").replacing("'", with: "''") + "'"
    }

    /// A value in a Compose env file: single-quoted (taken literally) when it can be,
    /// otherwise double-quoted with escapes, and `$` doubled so it is not interpolated.
    public static func dotenv(_ value: String) -> String {
        if !value.contains("'") && !value.contains("\n") && !value.contains("\r") { return "'\(value)'" }
        var out = "\""
        for character in value {
            if let escape = backslashEscape(character) { out += escape } else if character == "$" { out += "$$" } else { out.append(character) }
        }
        return out + "\""
    }

    /// The C-style escape of a character that cannot stand for itself inside double quotes.
    private static func backslashEscape(_ character: Character) -> String? {
        switch character {
        case "\\": "\\\\"
        case "\"": "\\\""
        case "\n": "\\n"
        case "\r": "\\r"
        case "\t": "\\t"
        default: nil
        }
    }

    /// An HCL string literal: `"…"` with escapes, and `${` / `%{` kept from starting a template.
    public static func hcl(_ value: String) -> String {
        var out = "\""
        var previous: Character?
        for character in value {
            if let escape = backslashEscape(character) {
                out += escape
            } else if character == "{" && (previous == "$" || previous == "%") {
                out.append(previous!)
                out.append(character)
            } else {
                out.append(character)
            }
            previous = character
        }
        return out + "\""
    }

    /// A crontab command: `%` would end the command line there.
    public static func crontab(_ value: String) -> String {
        value.replacing("%", with: "\\%")
    }

    /// A value on one line of an INI-style file that has no quoting (pgBackRest).
    /// Line breaks are the only way to change its structure, and they are replaced.
    public static func iniLine(_ value: String) -> String {
        String(value.map { $0.isNewline ? " " : $0 })
    }

    /// Markdown text on one line: characters that would start inline markup are escaped, and a
    /// leading one that would start a heading, list or quote.
    public static func markdown(_ value: String) -> String {
        var out = ""
        for character in value {
            if "\\`*_[]<>|".contains(character) || (out.isEmpty && "#+->".contains(character)) { out.append("\\") }
            out.append(character.isNewline ? " " : character)
        }
        return out
    }
}
