import StagecraftOutput
import StagecraftPlanner
import StagecraftSpec

/// The emitters a generation runs. A new output family or platform is one more entry here.
public struct EmitterSet: Sendable {
    public var emitters: [any Emitter]

    public init(emitters: [any Emitter]) {
        self.emitters = emitters
    }

    /// Every emitter Stagecraft ships.
    public static var standard: EmitterSet {
        let platforms: [any PlatformEmitter] = [ComposePlatformEmitter(), KubernetesPlatformEmitter(), AWSPlatformEmitter()]
        let deploySteps = DeployStepCatalog(platforms: platforms)
        return EmitterSet(emitters: [
            EnvironmentConfigEmitter(deploySteps: deploySteps),
            GitHubActionsEmitter(deploySteps: deploySteps),
            GitLabCIEmitter(deploySteps: deploySteps),
            CDNEmitter(),
            ReadmeEmitter(),
            PartitioningPlanEmitter(),
        ] + platforms)
    }

    /// Runs every emitter, concurrently (they are pure), and collects their files in the
    /// emitters' order so the output does not depend on timing. Two emitters claiming one
    /// path is an error.
    public func emit(_ plan: StackPlan, context: EmitContext) throws -> FileSet {
        var files = FileSet()
        for emitted in try emitters.concurrentMap({ try $0.emit(plan, context: context) }) {
            for file in emitted { try files.insert(file) }
        }
        return files
    }
}

/// Looks up a platform's deploy steps for the CI emitters.
public struct DeployStepCatalog: Sendable {
    private let platforms: [PlatformKind: any PlatformEmitter]

    public init(platforms: [any PlatformEmitter]) {
        self.platforms = Dictionary(platforms.map { ($0.platform, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The CI secrets `steps` read, sorted.
    public static func secretNames(in steps: [CIStep]) -> [String] {
        var names: Set<String> = []
        for step in steps {
            if case .awsCredentials(let role, _) = step.action { names.insert(role) }
            for variable in step.environment {
                if case .secret(let name) = variable.value { names.insert(name) }
            }
        }
        return names.sorted()
    }

    public func reviewSteps(for target: DeployTarget, plan: StackPlan) throws -> [CIStep] {
        guard let environment = plan.environment(target.environment), let platform = platforms[target.platform] else { return [] }
        return platform.reviewSteps(for: target, environment: environment, plan: plan)
    }

    public func phases(for target: DeployTarget, plan: StackPlan) throws -> [DeployPhase] {
        guard let environment = plan.environment(target.environment) else {
            throw EmitError("deploy target \(target.environment) has no environment plan")
        }
        guard let platform = platforms[target.platform] else {
            throw EmitError("no emitter renders the \(target.platform) platform that \(target.environment) runs on")
        }
        return platform.deployPhases(for: target, environment: environment, plan: plan)
    }
}

