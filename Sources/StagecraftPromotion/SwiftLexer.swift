/// Just enough of Swift's lexical structure to find a call's arguments without being fooled
/// by comments (nested `/* */` included) or string literals (multi-line `"""`, raw `#"…"#`,
/// interpolations holding strings of their own). Works on UTF-8 bytes: every delimiter is ASCII.
struct SwiftLexer {
    enum Kind: Equatable {
        case identifier
        case punctuation(UInt8)
        case string
        case comment
        case whitespace
    }

    struct Token: Equatable {
        var kind: Kind
        var range: Range<Int>

        var isTrivia: Bool { kind == .comment || kind == .whitespace }
    }

    struct Unterminated: Error, CustomStringConvertible {
        var what: String
        var offset: Int
        var description: String { "unterminated \(what) at byte \(offset)" }
    }

    private let bytes: [UInt8]
    private var position = 0

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    static func tokens(_ source: [UInt8]) throws -> [Token] {
        var lexer = SwiftLexer(source)
        var tokens: [Token] = []
        while lexer.position < source.count {
            tokens.append(try lexer.next())
        }
        return tokens
    }

    private func peek(_ offset: Int = 0) -> UInt8? {
        position + offset < bytes.count ? bytes[position + offset] : nil
    }

    private mutating func next() throws -> Token {
        let start = position
        let byte = bytes[position]
        if Self.isSpace(byte) {
            while let b = peek(), Self.isSpace(b) { position += 1 }
            return Token(kind: .whitespace, range: start..<position)
        }
        if byte == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "/") {
            while let b = peek(), b != 0x0A { position += 1 }
            return Token(kind: .comment, range: start..<position)
        }
        if byte == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "*") {
            try skipBlockComment()
            return Token(kind: .comment, range: start..<position)
        }
        if byte == UInt8(ascii: "\"") || (byte == UInt8(ascii: "#") && startsRawString()) {
            try skipString()
            return Token(kind: .string, range: start..<position)
        }
        if Self.isIdentifierByte(byte) {
            while let b = peek(), Self.isIdentifierByte(b) { position += 1 }
            return Token(kind: .identifier, range: start..<position)
        }
        if byte == UInt8(ascii: "`") {
            position += 1
            while let b = peek(), b != UInt8(ascii: "`"), b != 0x0A { position += 1 }
            if peek() == UInt8(ascii: "`") { position += 1 }
            return Token(kind: .identifier, range: start..<position)
        }
        position += 1
        return Token(kind: .punctuation(byte), range: start..<position)
    }

    private mutating func skipBlockComment() throws {
        let start = position
        var depth = 0
        while position < bytes.count {
            if peek() == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "*") {
                depth += 1
                position += 2
            } else if peek() == UInt8(ascii: "*"), peek(1) == UInt8(ascii: "/") {
                depth -= 1
                position += 2
                if depth == 0 { return }
            } else {
                position += 1
            }
        }
        throw Unterminated(what: "comment", offset: start)
    }

    private func startsRawString() -> Bool {
        var offset = 0
        while peek(offset) == UInt8(ascii: "#") { offset += 1 }
        return peek(offset) == UInt8(ascii: "\"")
    }

    /// Skips `#…#"…"#…#` or `"""…"""` in any combination, with interpolations.
    private mutating func skipString() throws {
        let start = position
        var hashes = 0
        while peek() == UInt8(ascii: "#") {
            hashes += 1
            position += 1
        }
        let multiline = peek(1) == UInt8(ascii: "\"") && peek(2) == UInt8(ascii: "\"")
        let quotes = multiline ? 3 : 1
        position += quotes
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\\") && hashesFollow(hashes, after: position + 1) {
                position += 1 + hashes
                if peek() == UInt8(ascii: "(") {
                    position += 1
                    try skipInterpolation()
                } else {
                    position += 1 // the escaped character
                }
            } else if byte == UInt8(ascii: "\"") && quotesFollow(quotes, at: position) && hashesFollow(hashes, after: position + quotes) {
                position += quotes + hashes
                return
            } else if byte == 0x0A && !multiline {
                break
            } else {
                position += 1
            }
        }
        throw Unterminated(what: "string literal", offset: start)
    }

    private func hashesFollow(_ count: Int, after index: Int) -> Bool {
        (0..<count).allSatisfy { index + $0 < bytes.count && bytes[index + $0] == UInt8(ascii: "#") }
    }

    private func quotesFollow(_ count: Int, at index: Int) -> Bool {
        (0..<count).allSatisfy { index + $0 < bytes.count && bytes[index + $0] == UInt8(ascii: "\"") }
    }

    /// Skips to the `)` that closes an interpolation, over the tokens inside it.
    private mutating func skipInterpolation() throws {
        let start = position
        var depth = 1
        while position < bytes.count {
            let token = try next()
            if token.kind == .punctuation(UInt8(ascii: "(")) { depth += 1 }
            if token.kind == .punctuation(UInt8(ascii: ")")) {
                depth -= 1
                if depth == 0 { return }
            }
        }
        throw Unterminated(what: "string interpolation", offset: start)
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private static func isIdentifierByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_") || byte >= 0x80
    }
}
