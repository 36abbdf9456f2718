import StagecraftEmitters
import StagecraftOutput
import StagecraftPlanner
import StagecraftSpec

/// A stack's plan and its complete output, ready for a writer.
public struct Generation: Sendable {
    public var plan: StackPlan
    public var files: FileSet
}

/// The middle of the pipeline: spec → plan → emitters → output contract. No I/O.
public struct Renderer: Sendable {
    public var templates: TemplateLibrary
    public var emitters: EmitterSet
    public var toolVersion: String
    /// Newer pins the committed workflows use, kept in the output.
    public var actionPinUpdates = ActionPinUpdates()

    public init(templates: TemplateLibrary, emitters: EmitterSet = .standard, toolVersion: String = StagecraftVersion.current) {
        self.templates = templates
        self.emitters = emitters
        self.toolVersion = toolVersion
    }

    public func plan(_ spec: StackSpec) throws(PlanningFailed) -> StackPlan {
        try Planner(toolVersion: toolVersion).plan(spec)
    }

    public func render(_ spec: StackSpec) throws -> Generation {
        let plan = try plan(spec)
        return Generation(plan: plan, files: try files(for: plan))
    }

    public func files(for plan: StackPlan) throws -> FileSet {
        let emitted = try emitters.emit(plan, context: EmitContext(templates: templates, toolVersion: toolVersion, actionPinUpdates: actionPinUpdates))
        let contract = OutputContract(
            generator: "stagecraft \(toolVersion)",
            stack: plan.stack,
            stackFile: plan.stackFile,
            environments: Dictionary(uniqueKeysWithValues: plan.environments.map { ($0.name, $0.stage.rawValue) }),
            templateOverrides: templates.overridden,
            escapeHatches: plan.escapeHatchSummary
        )
        return try contract.finalize(emitted)
    }
}
