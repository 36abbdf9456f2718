import Foundation
import StagecraftPlanner

/// Where commands print. Colour only on a terminal, and never when NO_COLOR is set.
struct Console {
    var colored: Bool

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        colored = isatty(STDOUT_FILENO) == 1 && isatty(STDERR_FILENO) == 1 && environment["NO_COLOR"] == nil
    }

    enum Color: String {
        case red = "31", green = "32", yellow = "33", cyan = "36", bold = "1", dim = "2"
    }

    func paint(_ text: String, _ color: Color) -> String {
        colored ? "\u{1B}[\(color.rawValue)m\(text)\u{1B}[0m" : text
    }

    func print(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    func error(_ text: String) {
        FileHandle.standardError.write(Data((paint("error:", .red) + " " + text + "\n").utf8))
    }

    func warning(_ text: String) {
        FileHandle.standardError.write(Data((paint("warning:", .yellow) + " " + text + "\n").utf8))
    }

    /// Text for standard error exactly as given (another tool's diagnostics).
    func raw(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    func note(_ text: String) {
        FileHandle.standardError.write(Data((paint(text, .dim) + "\n").utf8))
    }

    func diagnostic(_ diagnostic: Diagnostic) {
        let color: Color = diagnostic.severity == .error ? .red : diagnostic.severity == .warning ? .yellow : .cyan
        let line = "\(diagnostic.location.file):\(diagnostic.location.line): \(paint(diagnostic.severity.rawValue + ":", color)) \(diagnostic.message)"
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
