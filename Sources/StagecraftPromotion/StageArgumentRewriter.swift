import StagecraftSpec

/// Changes the `stage:` argument of one declaration in a stack file and nothing else, byte
/// for byte: the call is found at the line the declaration recorded, and only the tokens of
/// the argument's value (or the argument itself, when it is added or dropped) change.
public struct StageArgumentRewriter {
    public enum Failure: Error, CustomStringConvertible, Equatable {
        case callNotFound(callee: String, line: Int)
        case noStageArgument(callee: String, line: Int)
        case notALiteralStage(callee: String, line: Int, text: String)
        case unreadable(String)

        /// The stack-file line the failure is at, when it has one.
        public var line: Int? {
            switch self {
            case .callNotFound(_, let line), .noStageArgument(_, let line), .notALiteralStage(_, let line, _): line
            case .unreadable: nil
            }
        }

        public var description: String {
            switch self {
            case .callNotFound(let callee, let line): "no \(callee)(…) call found at line \(line) of the stack file"
            case .noStageArgument(let callee, let line): "\(callee)(…) at line \(line) has no stage: argument"
            case .notALiteralStage(let callee, let line, let text):
                "the stage: argument of \(callee)(…) at line \(line) is \(text.debugDescription), not .mvp, .growth or .scale; change it by hand"
            case .unreadable(let reason): "the stack file cannot be read as Swift: \(reason)"
            }
        }
    }

    private let source: [UInt8]
    private let tokens: [SwiftLexer.Token]

    public init(source: [UInt8]) throws {
        self.source = source
        do { tokens = try SwiftLexer.tokens(source) } catch { throw Failure.unreadable("\(error)") }
    }

    /// The source with the `stage:` argument of the `callee(…)` call at `line` set to `stage`;
    /// with `stage` nil, the argument is removed. A missing argument is appended.
    public func setting(stage: Stage?, ofCall callee: String, atLine line: Int) throws -> [UInt8] {
        let call = try findCall(callee, line: line)
        guard let open = call.open else {
            // `Staging { … }`: a call without parentheses gains them.
            guard let stage else { return source }
            return splice(call.name.upperBound..<call.name.upperBound, "(stage: .\(stage))")
        }
        let arguments = self.arguments(from: open)
        guard let index = arguments.list.firstIndex(where: { label(of: $0) == "stage" }) else {
            guard let stage else { return source }
            let close = tokens[arguments.close].range.lowerBound
            return splice(close..<close, arguments.list.isEmpty ? "stage: .\(stage)" : ", stage: .\(stage)")
        }
        let argument = arguments.list[index]
        guard let stage else {
            // The argument and one separator go: the comma before it, or the one after when it is first.
            let start = index > 0 ? separatorStart(before: argument.lowerBound) : tokens[argument.lowerBound].range.lowerBound
            let end = index > 0 || arguments.list.count == 1
                ? tokens[argument.upperBound - 1].range.upperBound
                : tokens[arguments.list[index + 1].lowerBound].range.lowerBound
            return splice(start..<end, "")
        }
        let value = try stageToken(in: argument, callee: callee, line: line)
        return splice(tokens[value].range, stage.rawValue)
    }

    // MARK: - Finding the call

    private struct Call {
        var name: Range<Int>
        /// The index of the `(` token; nil for a call written with a trailing closure only.
        var open: Int?
    }

    private func findCall(_ callee: String, line: Int) throws -> Call {
        let lineStart = offset(ofLine: line)
        let lineEnd = offset(ofLine: line + 1)
        for (index, token) in tokens.enumerated() where token.range.lowerBound >= lineStart && token.range.lowerBound < lineEnd {
            guard token.kind == .identifier, text(token.range) == callee else { continue }
            let previous = significant(before: index)
            // Not a member (`x.Stack`) of something else, unless qualified by the module.
            if let previous, tokens[previous].kind == .punctuation(UInt8(ascii: ".")),
               let qualifier = significant(before: previous), text(tokens[qualifier].range) != "Stagecraft" { continue }
            guard let next = significant(after: index) else { continue }
            switch tokens[next].kind {
            case .punctuation(UInt8(ascii: "(")): return Call(name: token.range, open: next)
            case .punctuation(UInt8(ascii: "{")): return Call(name: token.range, open: nil)
            default: continue
            }
        }
        throw Failure.callNotFound(callee: callee, line: line)
    }

    /// The call's top-level arguments, each as a range of token indices without surrounding trivia.
    private func arguments(from open: Int) -> (list: [Range<Int>], close: Int) {
        var list: [Range<Int>] = []
        var depth = 0
        var start: Int?
        var last: Int?
        var index = open
        while index < tokens.count {
            let token = tokens[index]
            switch token.kind {
            case .punctuation(UInt8(ascii: "(")), .punctuation(UInt8(ascii: "[")), .punctuation(UInt8(ascii: "{")):
                depth += 1
            case .punctuation(UInt8(ascii: ")")), .punctuation(UInt8(ascii: "]")), .punctuation(UInt8(ascii: "}")):
                depth -= 1
            default: break
            }
            if depth == 0 {
                if let start, let last { list.append(start..<last + 1) }
                return (list, index)
            }
            if index > open && !token.isTrivia {
                if depth == 1 && token.kind == .punctuation(UInt8(ascii: ",")) {
                    if let start, let last { list.append(start..<last + 1) }
                    start = nil
                    last = nil
                } else {
                    if start == nil { start = index }
                    last = index
                }
            }
            index += 1
        }
        return (list, tokens.count - 1)
    }

    private func label(of argument: Range<Int>) -> String? {
        let first = argument.lowerBound
        guard tokens[first].kind == .identifier, let colon = significant(after: first), colon < argument.upperBound,
              tokens[colon].kind == .punctuation(UInt8(ascii: ":")) else { return nil }
        return text(tokens[first].range)
    }

    /// `.mvp` or `Stage.mvp`: the one token naming the stage.
    private func stageToken(in argument: Range<Int>, callee: String, line: Int) throws -> Int {
        let value = argument.dropFirst().filter { !tokens[$0].isTrivia }.dropFirst() // past `stage` and `:`
        let words = value.map { text(tokens[$0].range) }
        guard let last = value.last, tokens[last].kind == .identifier, Stage(rawValue: words.last!) != nil,
              words == [".", words.last!] || words == ["Stage", ".", words.last!] else {
            let text = value.isEmpty ? "" : self.text(tokens[value.first!].range.lowerBound..<tokens[value.last!].range.upperBound)
            throw Failure.notALiteralStage(callee: callee, line: line, text: text)
        }
        return last
    }

    // MARK: - Tokens and text

    private func significant(before index: Int) -> Int? {
        var i = index - 1
        while i >= 0 {
            if !tokens[i].isTrivia { return i }
            i -= 1
        }
        return nil
    }

    private func significant(after index: Int) -> Int? {
        var i = index + 1
        while i < tokens.count {
            if !tokens[i].isTrivia { return i }
            i += 1
        }
        return nil
    }

    /// Where the comma before an argument starts.
    private func separatorStart(before index: Int) -> Int {
        significant(before: index).map { tokens[$0].range.lowerBound } ?? 0
    }

    private func text(_ range: Range<Int>) -> String { String(decoding: source[range], as: UTF8.self) }

    private func offset(ofLine line: Int) -> Int {
        var current = 1
        var index = 0
        while current < line && index < source.count {
            if source[index] == 0x0A { current += 1 }
            index += 1
        }
        return current < line ? source.count : index
    }

    private func splice(_ range: Range<Int>, _ replacement: String) -> [UInt8] {
        Array(source[..<range.lowerBound]) + Array(replacement.utf8) + Array(source[range.upperBound...])
    }
}
