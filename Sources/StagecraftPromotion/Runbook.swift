import StagecraftEmitters
import StagecraftOutput
import StagecraftPlanner
import StagecraftReadiness
import StagecraftSpec

/// The promotion runbook: what changes per environment and the steps, in a safe order, each
/// with how to verify it and how to roll it back. History, not managed output.
public enum Runbook {
    public static func render(_ promotion: Promotion, gates: [Finding], stackFile: String, templates: TemplateLibrary) throws -> GeneratedFile {
        let changed = promotion.changes.filter { !$0.changes.isEmpty }
        let environments: [[String: Any]] = promotion.changes.map { environment in
            var entry: [String: Any] = [
                "name": environment.environment,
                "changes": environment.changes.map { ["symbol": $0.symbol, "text": $0.text] },
            ]
            if let from = environment.from, let to = environment.to, from != to { entry["stages"] = "\(from) → \(to)" }
            return entry
        }
        // Promotions build up in step order; demotions take things down in reverse.
        var kinds = RunbookStep.allCases.filter { kind in changed.contains { $0.changes.contains { $0.step == kind } } }
        if promotion.isDemotion { kinds.reverse() }
        let steps: [[String: Any]] = kinds.enumerated().map { number, kind in
            var step: [String: Any] = [
                "number": number + 1,
                "title": kind.title,
                "changes": changed.flatMap { environment in
                    environment.changes.filter { $0.step == kind }.map {
                        ["symbol": $0.symbol, "environment": environment.environment, "text": $0.text]
                    }
                },
            ]
            step["is_" + kind.rawValue] = true
            return step
        }
        let context: [String: Any] = [
            "stack": promotion.stack,
            "stackFile": stackFile,
            "scope": promotion.environment.map { "\($0) " } ?? "",
            "from": promotion.from.rawValue,
            "to": promotion.to.rawValue,
            "direction_down": promotion.isDemotion,
            "gates": gates.map {
                ["rule": $0.rule, "severity": $0.severity.rawValue, "message": "\($0.location): \($0.message)", "fix": $0.fix.description]
            },
            "environments": environments,
            "steps": steps,
        ]
        let text = try templates.render("runbook/promotion", context)
        return try GeneratedFile(path: promotion.runbookPath, text: text, commentStyle: .html)
    }
}
