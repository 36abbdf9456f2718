import StagecraftOutput
import StagecraftPlanner
import StagecraftSpec

/// What every emitter may use besides the plan.
public struct EmitContext: Sendable {
    public var templates: TemplateLibrary
    public var toolVersion: String
    /// Newer releases of pinned actions that the committed workflows already use.
    public var actionPinUpdates: ActionPinUpdates

    public init(templates: TemplateLibrary, toolVersion: String, actionPinUpdates: ActionPinUpdates = ActionPinUpdates()) {
        self.templates = templates
        self.toolVersion = toolVersion
        self.actionPinUpdates = actionPinUpdates
    }
}

/// Renders one family of output files from a plan. Pure: no I/O, no stage policy.
public protocol Emitter: Sendable {
    func emit(_ plan: StackPlan, context: EmitContext) throws -> [GeneratedFile]
}

/// An emitter for a platform (compose, Kubernetes, AWS): it renders the files of the
/// environments that run on it, and tells the CI emitters how to deploy them.
public protocol PlatformEmitter: Emitter {
    var platform: PlatformKind { get }
    /// The steps that deploy `environment` from the checked-out commit `IMAGE_TAG` names, running
    /// each image CI built by the digest its push reported, and roll back when the deploy fails.
    func deploySteps(for target: DeployTarget, environment: EnvironmentPlan, plan: StackPlan) -> [CIStep]
    /// Steps that show on a pull request what deploying `environment` would change, changing
    /// nothing, with read-only credentials from repository secrets (a pull request does not
    /// run in the environment). None by default.
    func reviewSteps(for target: DeployTarget, environment: EnvironmentPlan, plan: StackPlan) -> [CIStep]
    /// The jobs that deploy `environment`, in order; by default one, of `deploySteps`.
    func deployPhases(for target: DeployTarget, environment: EnvironmentPlan, plan: StackPlan) -> [DeployPhase]
}

extension PlatformEmitter {
    public func reviewSteps(for target: DeployTarget, environment: EnvironmentPlan, plan: StackPlan) -> [CIStep] { [] }

    public func deployPhases(for target: DeployTarget, environment: EnvironmentPlan, plan: StackPlan) -> [DeployPhase] {
        [DeployPhase(steps: deploySteps(for: target, environment: environment, plan: plan))]
    }
}

/// An emitter failed for a reason the stack cannot fix (a missing template, a broken override).
public struct EmitError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
