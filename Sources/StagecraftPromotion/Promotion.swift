import StagecraftEmitters
import StagecraftOutput
import StagecraftPlanner
import StagecraftSpec

/// A stage change worked out, nothing written: the new stack file, the plans on both sides,
/// what changes between them and the runbook that records it.
public struct Promotion: Sendable {
    public var stack: String
    /// The environment moved alone, or nil when the whole stack moves.
    public var environment: String?
    public var from: Stage
    public var to: Stage
    public var source: [UInt8]
    public var newSource: [UInt8]
    public var newSpec: StackSpec
    public var before: StackPlan
    /// Nil when the stack does not plan at the target stage; `refusal` says why.
    public var after: StackPlan?
    /// The planner's errors at the target stage, each at its stack-file line; empty when it plans.
    public var refusal: [Diagnostic] = []
    public var changes: [EnvironmentChanges]

    public var isDemotion: Bool { to < from }

    /// `shop: promote mvp → growth`; `shop: promote staging growth → scale` for one environment.
    public var subject: String {
        "\(stack): \(isDemotion ? "demote" : "promote") \(environment.map { "\($0) " } ?? "")\(from) → \(to)"
    }

    /// Where the runbook goes in the output: `docs/promotions/mvp-to-growth.md`.
    public var runbookPath: String {
        "docs/promotions/\(environment.map { "\($0)-" } ?? "")\(from)-to-\(to).md"
    }
}

/// Works out promotions: one stage at a time, for the stack or one environment.
public struct Promoter: Sendable {
    public var planner: Planner

    public init(planner: Planner) {
        self.planner = planner
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case sameStage(Stage)
        case notOneStep(from: Stage, to: Stage)
        case unknownEnvironment(String, declared: [String])
        case developmentHasNoStage

        public var description: String {
            switch self {
            case .sameStage(let stage): "already at \(stage): nothing to promote"
            case .notOneStep(let from, let to):
                "\(from) → \(to) skips a stage; promote one stage at a time (\(from) → \(to < from ? from.previous! : from.next!)) so each step's gates and runbook are seen"
            case .unknownEnvironment(let name, let declared):
                "the stack declares no \(name) environment" + (declared.isEmpty ? "; declare it in Environments { … } first" : " (it declares \(declared.joined(separator: ", ")))")
            case .developmentHasNoStage: "development always runs one of everything; it has no stage of its own to promote"
            }
        }
    }

    /// - Parameters:
    ///   - source: the stack file's bytes, which `spec` was evaluated from.
    public func promote(_ spec: StackSpec, source: [UInt8], to target: Stage, environment name: String? = nil) throws -> Promotion {
        let before = try planner.plan(spec)
        var newSpec = spec
        let from: Stage
        let newSource: [UInt8]
        let rewriter = try StageArgumentRewriter(source: source)
        if let name {
            guard let index = spec.environments.firstIndex(where: { $0.name == name }) else {
                throw Failure.unknownEnvironment(name, declared: spec.environments.map(\.name))
            }
            let declaration = spec.environments[index]
            guard declaration.kind != .development else { throw Failure.developmentHasNoStage }
            from = declaration.stage?.value ?? spec.stage
            try Self.checkOneStep(from: from, to: target)
            // An environment back at the stack's stage drops its own `stage:`, so a demotion undoes a promotion exactly.
            let own = target == spec.stage ? nil : target
            newSpec.environments[index].stage = own.map { Located($0, at: declaration.location) }
            newSource = try rewriter.setting(stage: own, ofCall: declaration.kind == .staging ? "Staging" : "Production", atLine: declaration.location.line)
        } else {
            from = spec.stage
            try Self.checkOneStep(from: from, to: target)
            newSpec.stage = target
            newSource = try rewriter.setting(stage: target, ofCall: "Stack", atLine: spec.location.line)
        }
        let after: StackPlan?
        var refusal: [Diagnostic] = []
        do {
            after = try planner.plan(newSpec)
        } catch {
            after = nil
            refusal = error.errors
        }
        return Promotion(
            stack: spec.name, environment: name, from: from, to: target,
            source: source, newSource: newSource, newSpec: newSpec,
            before: before, after: after, refusal: refusal,
            changes: after.map { PlanChanges.between(before, $0) } ?? []
        )
    }

    private static func checkOneStep(from: Stage, to: Stage) throws {
        if from == to { throw Failure.sameStage(from) }
        if abs(from.rank - to.rank) != 1 { throw Failure.notOneStep(from: from, to: to) }
    }
}
