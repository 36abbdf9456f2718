import StagecraftPlanner
import StagecraftSpec

/// What a rule reads: the stack as declared (with the audited stage), and the planner's
/// decisions for that stage, or why the planner refused to make them.
public struct AuditContext: Sendable {
    public var spec: StackSpec
    public var stage: Stage
    /// Nil when the stack does not plan at this stage; `planningErrors` then says why.
    public var plan: StackPlan?
    public var planningErrors: [Diagnostic]

    public var production: EnvironmentPlan? { plan?.environments.first { $0.kind == .production } }

    /// The environments that run at the audited stage and serve users (not development).
    public var deployed: [EnvironmentPlan] {
        plan?.environments.filter { $0.kind != .development && $0.stage == stage } ?? []
    }

    public var policy: StageDefaults { StagePolicy.defaults(for: stage) }
}

/// A rule's finding before the stage gives it a severity.
public struct Violation: Sendable, Equatable {
    public var message: String
    public var location: SourceLocation
    public var fix: Fix

    public init(_ message: String, at location: SourceLocation, fix: Fix) {
        self.message = message
        self.location = location
        self.fix = fix
    }
}

/// One checkable row of the stage policy, gate or pitfall. Its severity depends on the
/// stage audited; a stage without one does not run the rule.
public struct ReadinessRule: Sendable {
    /// Stable, for suppressions and SARIF: `SC101-health-check`.
    public var id: String
    /// One line saying what the rule wants.
    public var summary: String
    public var severity: Staged<Severity>
    let check: @Sendable (AuditContext) -> [Violation]

    public init(id: String, summary: String, severity: Staged<Severity>, check: @escaping @Sendable (AuditContext) -> [Violation]) {
        self.id = id
        self.summary = summary
        self.severity = severity
        self.check = check
    }

    /// The findings at the context's stage; none when the rule does not apply there.
    public func findings(in context: AuditContext) -> [Finding] {
        guard let severity = severity[context.stage] else { return [] }
        return check(context).map {
            Finding(rule: id, severity: severity, message: $0.message, location: $0.location, fix: $0.fix)
        }
    }
}

extension Staged where Value == Severity {
    /// The severity the stage policy itself gives a concern at each stage.
    static func policy(_ severity: (StageDefaults) -> Severity) -> Staged<Severity> {
        Staged(
            mvp: severity(StagePolicy.defaults(for: .mvp)),
            growth: severity(StagePolicy.defaults(for: .growth)),
            scale: severity(StagePolicy.defaults(for: .scale))
        )
    }
}
