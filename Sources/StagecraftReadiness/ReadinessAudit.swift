import StagecraftPlanner
import StagecraftSpec

/// The stage each environment runs at.
public struct EnvironmentStage: Codable, Sendable, Equatable {
    public var name: String
    public var stage: Stage
}

/// What a stack lacks (or has too early) for a stage.
public struct ReadinessReport: Codable, Sendable, Equatable {
    public var stack: String
    public var stackFile: String
    /// The stage audited.
    public var stage: Stage
    public var environments: [EnvironmentStage]
    /// Gates first, then warnings, then notes; each by line.
    public var findings: [Finding]

    public var gateFailures: [Finding] { findings.filter(\.isGate) }
    public var passesGates: Bool { gateFailures.isEmpty }
}

/// Runs the readiness rules against a stack at a stage.
public struct ReadinessAudit: Sendable {
    public var planner: Planner
    public var rules: [ReadinessRule]

    public init(planner: Planner, rules: [ReadinessRule] = ReadinessRules.all) {
        self.planner = planner
        self.rules = rules
    }

    /// Audits `spec` as if it declared `stage` (default: the stage it declares). Environments
    /// that declare their own stage keep it.
    public func audit(_ spec: StackSpec, at stage: Stage? = nil) -> ReadinessReport {
        var target = spec
        target.stage = stage ?? spec.stage
        var context = AuditContext(spec: target, stage: target.stage, plan: nil, planningErrors: [])
        do {
            context.plan = try planner.plan(target)
        } catch {
            context.planningErrors = error.errors
        }
        var findings = rules.flatMap { $0.findings(in: context) }
        // A planner refusal a specific rule already explains (same line) is said once, by that rule.
        let explained = Set(findings.filter { $0.rule != ReadinessRules.fitsStage.id && $0.isGate }.map(\.location))
        findings.removeAll { $0.rule == ReadinessRules.fitsStage.id && explained.contains($0.location) }
        findings.sort { ($1.severity, $0.location.line, $0.rule) < ($0.severity, $1.location.line, $1.rule) }

        let environments = context.plan?.environments.map { EnvironmentStage(name: $0.name, stage: $0.stage) }
            ?? target.environments.map { EnvironmentStage(name: $0.name, stage: $0.stage?.value ?? target.stage) }
        return ReadinessReport(
            stack: spec.name, stackFile: spec.location.file, stage: target.stage,
            environments: environments, findings: findings)
    }
}
