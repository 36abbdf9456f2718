import Foundation
import StagecraftOutput
import StagecraftWriters

/// What `plan` prints: the files added, changed and removed, with their diffs.
struct PlanDiff {
    var changes: ChangeSet
    var new: FileSet
    var old: (OutputPath) -> [UInt8]?
    /// What the stack changes beyond the DSL, listed whether or not it changed.
    var escapeHatches: [String] = []

    func diff(_ path: OutputPath) -> String {
        let before = old(path).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let after = new[path].map(\.text) ?? ""
        return UnifiedDiff.render(
            old: before, new: after,
            oldName: changes.added.contains(path) ? "/dev/null" : "a/\(path)",
            newName: changes.removed.contains(path) ? "/dev/null" : "b/\(path)"
        )
    }

    func text(console: Console, destination: String) -> String {
        var hatches: [String] = []
        if !escapeHatches.isEmpty {
            hatches = ["", "escape hatches (changes the DSL has no declaration for):"] + escapeHatches.map { "  " + $0 }
        }
        guard !changes.isEmpty else { return (["no changes: \(destination) is up to date"] + hatches).joined(separator: "\n") }
        var out: [String] = []
        for path in changes.added + changes.changed + changes.removed {
            for line in diff(path).split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                let text = String(line)
                if text.hasPrefix("+++") || text.hasPrefix("---") { out.append(console.paint(text, .bold)) }
                else if text.hasPrefix("+") { out.append(console.paint(text, .green)) }
                else if text.hasPrefix("-") { out.append(console.paint(text, .red)) }
                else if text.hasPrefix("@@") { out.append(console.paint(text, .cyan)) }
                else { out.append(text) }
            }
        }
        out.append("\(destination): \(changes.added.count) to add, \(changes.changed.count) to change, \(changes.removed.count) to remove")
        return (out + hatches).joined(separator: "\n")
    }

    func json() -> String {
        struct Report: Encodable {
            var added: [String], changed: [String], removed: [String]
            var diffs: [String: String]
            var escapeHatches: [String]
        }
        let paths = changes.added + changes.changed + changes.removed
        let report = Report(
            added: changes.added.map(\.value), changed: changes.changed.map(\.value), removed: changes.removed.map(\.value),
            diffs: Dictionary(uniqueKeysWithValues: paths.map { ($0.value, diff($0)) }),
            escapeHatches: escapeHatches
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(report), as: UTF8.self)
    }
}
