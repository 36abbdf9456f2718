import StagecraftPlanner
import StagecraftSpec

/// Every readiness rule, in id order.
public enum ReadinessRules {
    public static let all: [ReadinessRule] =
        [fitsStage] + WorkloadRules.all + DataRules.all + EnvironmentRules.all + OverEngineeringRules.all + EscapeHatchRules.all

    public static func rule(_ id: String) -> ReadinessRule? { all.first { $0.id == id } }

    /// The planner's own refusal at the audited stage (a declared value the stage rules out),
    /// for what no more specific rule explains.
    static let fitsStage = ReadinessRule(
        id: "SC100-fits-stage",
        summary: "Every value the stack declares fits the stage",
        severity: Staged(base: .error)
    ) { context in
        context.planningErrors.map { error in
            Violation(error.message, at: error.location, fix: Fix("a value \(context.stage) allows", DSL.replacing(at: error.location)))
        }
    }
}
