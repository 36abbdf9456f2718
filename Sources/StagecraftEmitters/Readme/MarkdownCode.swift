/// Markdown code spans and fences around text that may itself hold backticks: the fence is
/// longer than any backtick run inside (CommonMark), so the text cannot close it.
enum MarkdownCode {
    static func inline(_ text: String) -> String {
        let fence = String(repeating: "`", count: longestBacktickRun(text) + 1)
        let padding = text.hasPrefix("`") || text.hasSuffix("`") ? " " : ""
        return fence + padding + String(text.map { $0.isNewline ? " " : $0 }) + padding + fence
    }

    static func block(_ text: String, language: String) -> String {
        let fence = fence(for: text)
        return fence + language + "\n" + text + (text.hasSuffix("\n") ? "" : "\n") + fence
    }

    /// At least three backticks, and more than the text's longest run.
    static func fence(for text: String) -> String {
        String(repeating: "`", count: max(3, longestBacktickRun(text) + 1))
    }

    private static func longestBacktickRun(_ text: String) -> Int {
        var longest = 0, current = 0
        for character in text {
            current = character == "`" ? current + 1 : 0
            longest = max(longest, current)
        }
        return longest
    }
}
