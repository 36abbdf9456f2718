import StagecraftOutput
import StagecraftWriters

/// What a generation commit says: which stack, for which stage and environments, by which
/// tool version, and which files it added, changed and removed.
public struct GitCommitMessage: Sendable, Equatable {
    public var stack: String
    public var stage: String
    public var environments: [String]
    public var toolVersion: String
    /// Replaces the generated subject line when given (--message).
    public var customSubject: String?

    public init(stack: String, stage: String, environments: [String], toolVersion: String, customSubject: String? = nil) {
        self.stack = stack
        self.stage = stage
        self.environments = environments
        self.toolVersion = toolVersion
        self.customSubject = customSubject
    }

    public var subject: String {
        if let customSubject, !customSubject.isEmpty { return customSubject }
        let environmentList = environments.isEmpty ? "" : " (\(environments.joined(separator: ", ")))"
        return "\(stack): generate for \(stage)\(environmentList)"
    }

    /// The full message; listed paths include `prefix`.
    public func text(for changes: ChangeSet, under prefix: OutputPath?) -> String {
        var sections: [String] = [subject]
        let lists = [("Added", changes.added), ("Changed", changes.changed), ("Removed", changes.removed)]
        let body = lists.filter { !$0.1.isEmpty }.map { title, paths in
            ([title + ":"] + paths.map { "  " + $0.prefixed(by: prefix).value }).joined(separator: "\n")
        }
        if !body.isEmpty { sections.append(body.joined(separator: "\n")) }
        sections.append([
            "Stagecraft-Stack: \(stack)",
            "Stagecraft-Stage: \(stage)",
            "Stagecraft-Version: \(toolVersion)",
        ].joined(separator: "\n"))
        return sections.joined(separator: "\n\n") + "\n"
    }
}
