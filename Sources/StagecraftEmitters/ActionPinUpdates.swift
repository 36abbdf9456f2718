/// Releases of pinned actions newer than Stagecraft's own pins that the committed workflows
/// already use — a Dependabot pull request's, typically. Generating keeps them (and records the
/// files anew in the manifest), so a later `stagecraft generate` does not undo the update; an
/// older or unknown pin in a committed workflow is replaced by Stagecraft's.
public struct ActionPinUpdates: Sendable, Equatable {
    /// Newer pins by repository (`actions/checkout`).
    public private(set) var pins: [String: ActionPin] = [:]

    public init() {}

    /// Reads the pins of `workflows` (the texts of committed workflow files), as Stagecraft
    /// writes them: `uses: owner/name[/path]@<40 hex> # vX.Y.Z`.
    public init(workflows: [String]) {
        for text in workflows {
            for line in text.split(separator: "\n") {
                guard let match = line.firstMatch(of: /uses: ([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)(?:\/[^@\s]*)?@([0-9a-f]{40}) # (v\d+(?:\.\d+)*)\s*$/) else { continue }
                let repository = String(match.output.1)
                guard let builtIn = ActionPins.all.first(where: { $0.repository.lowercased() == repository.lowercased() }) else { continue }
                let pin = ActionPin(builtIn.repository, sha: String(match.output.2), version: String(match.output.3))
                if Self.isNewer(pin.version, than: pins[builtIn.repository]?.version ?? builtIn.version) { pins[builtIn.repository] = pin }
            }
        }
    }

    /// `text` (a workflow as Stagecraft renders it) with each built-in pin that has a newer one replaced.
    public func apply(to text: String) -> String {
        var result = text
        for builtIn in ActionPins.all {
            guard let newer = pins[builtIn.repository] else { continue }
            result = result.replacing("@\(builtIn.sha) # \(builtIn.version)", with: "@\(newer.sha) # \(newer.version)")
        }
        return result
    }

    /// Compares `v1.2.3`-style versions number by number (a missing number counts as 0).
    static func isNewer(_ version: String, than other: String) -> Bool {
        func numbers(_ version: String) -> [Int] { version.dropFirst().split(separator: ".").map { Int($0) ?? 0 } }
        let (left, right) = (numbers(version), numbers(other))
        for index in 0..<max(left.count, right.count) {
            let (a, b) = (index < left.count ? left[index] : 0, index < right.count ? right[index] : 0)
            if a != b { return a > b }
        }
        return false
    }
}
