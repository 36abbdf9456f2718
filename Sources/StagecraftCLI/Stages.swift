import ArgumentParser
import Foundation
import StagecraftPlanner
import StagecraftSpec

struct Stages: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the stage policy: what each growth stage asks for when the stack does not say."
    )

    @Option(help: "text, markdown or json.")
    var format: Format = .text

    enum Format: String, ExpressibleByArgument { case text, markdown, json }

    func run() throws {
        let console = Console()
        let rows = StagePolicy.rows
        switch format {
        case .json:
            let table = rows.map { row in
                ["concern": row.concern] .merging(zip(Stage.allCases.map(\.rawValue), row.values).map { ($0, $1) }) { a, _ in a }
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            console.print(String(decoding: try encoder.encode(table), as: UTF8.self))
        case .markdown:
            console.print(Self.markdown(rows))
        case .text:
            console.print(TextTable(header: ["concern"] + Stage.allCases.map(\.rawValue), rows: rows.map { [$0.concern] + $0.values })
                .render(console: console))
        }
    }
}

extension Stages {
    /// The policy as a Markdown table (the README carries this very table).
    static func markdown(_ rows: [StagePolicy.Row]) -> String {
        let header = "| concern | " + Stage.allCases.map(\.rawValue).joined(separator: " | ") + " |"
        let rule = "|---|" + String(repeating: "---|", count: Stage.allCases.count)
        return ([header, rule] + rows.map { "| \($0.concern) | " + $0.values.joined(separator: " | ") + " |" }).joined(separator: "\n")
    }
}

/// A plain table whose last columns wrap to fit the terminal.
struct TextTable {
    var header: [String]
    var rows: [[String]]

    func render(console: Console, width: Int = TextTable.terminalWidth()) -> String {
        let firstWidth = ([header[0]] + rows.map { $0[0] }).map(\.count).max()!
        let columns = header.count - 1
        let rest = max(16, (width - firstWidth - 3 * columns) / columns)
        var out: [String] = []
        func emit(_ cells: [String], bold: Bool) {
            let wrapped = cells.dropFirst().map { wrap($0, to: rest) }
            let height = wrapped.map(\.count).max() ?? 1
            for line in 0..<height {
                var text = (line == 0 ? cells[0] : "").padding(toLength: firstWidth, withPad: " ", startingAt: 0)
                for column in wrapped { text += " | " + (line < column.count ? column[line] : "").padding(toLength: rest, withPad: " ", startingAt: 0) }
                let trimmed = String(text.reversed().drop { $0 == " " }.reversed())
                out.append(bold ? console.paint(trimmed, .bold) : trimmed)
            }
        }
        emit(header, bold: true)
        out.append(String(repeating: "-", count: firstWidth) + String(repeating: "-+-" + String(repeating: "-", count: rest), count: columns))
        for row in rows { emit(row, bold: false) }
        return out.joined(separator: "\n")
    }

    private func wrap(_ text: String, to width: Int) -> [String] {
        var lines: [String] = [], current = ""
        for word in text.split(separator: " ") {
            if current.isEmpty { current = String(word) }
            else if current.count + 1 + word.count <= width { current += " " + word }
            else { lines.append(current); current = String(word) }
        }
        if !current.isEmpty { lines.append(current) }
        return lines.isEmpty ? [""] : lines
    }

    static func terminalWidth() -> Int {
        var size = winsize()
        if isatty(STDOUT_FILENO) == 1, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 40 { return Int(size.ws_col) }
        return 120
    }
}
