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
        ] + platforms)
    }

    /// Runs every emitter; two emitters claiming one path is an error.
    public func emit(_ plan: StackPlan, context: EmitContext) throws -> FileSet {
        var files = FileSet()
        for emitter in emitters {
            for file in try emitter.emit(plan, context: context) { try files.insert(file) }
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

    /// The CI secrets deploying `target` reads, sorted.
    public func secretNames(for target: DeployTarget, plan: StackPlan) throws -> [String] {
        var names: Set<String> = []
        for step in try steps(for: target, plan: plan) {
            if case .awsCredentials(let role, _) = step.action { names.insert(role) }
            for variable in step.environment {
                if case .secret(let name) = variable.value { names.insert(name) }
            }
        }
        return names.sorted()
    }

    public func steps(for target: DeployTarget, plan: StackPlan) throws -> [CIStep] {
        guard let environment = plan.environment(target.environment) else {
            throw EmitError("deploy target \(target.environment) has no environment plan")
        }
        guard let platform = platforms[target.platform] else {
            throw EmitError("no emitter renders the \(target.platform) platform that \(target.environment) runs on")
        }
        return platform.deploySteps(for: target, environment: environment, plan: plan)
    }
}
