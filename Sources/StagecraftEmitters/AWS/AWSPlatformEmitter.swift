import StagecraftOutput
import StagecraftPlanner
import StagecraftSpec

/// Amazon Web Services through Terraform: the stack module once, a root module per AWS
/// environment, and deploy steps that plan, apply and wait for ECS.
public struct AWSPlatformEmitter: PlatformEmitter {
    public init() {}

    public var platform: PlatformKind { .aws }

    public func emit(_ plan: StackPlan, context: EmitContext) throws -> [GeneratedFile] {
        let environments = plan.environments.filter { $0.platform == .aws }
        guard !environments.isEmpty else { return [] }
        let crossRegion = environments.contains { AWSEnvironmentValues(environment: $0, stack: plan.stack).backupCopyRegion != nil }
        var files = try AWSModule.files(plan, crossRegion: crossRegion, templates: context.templates)
        for environment in environments {
            files += try AWSRootModule.files(environment, plan: plan, crossRegion: crossRegion)
        }
        return files
    }

    public func deploySteps(for target: DeployTarget, environment: EnvironmentPlan, plan: StackPlan) -> [CIStep] {
        AWSDeploySteps(target: target, environment: environment, plan: plan).steps
    }

    public func deployPhases(for target: DeployTarget, environment: EnvironmentPlan, plan: StackPlan) -> [DeployPhase] {
        AWSDeploySteps(target: target, environment: environment, plan: plan).phases
    }

    public func reviewSteps(for target: DeployTarget, environment: EnvironmentPlan, plan: StackPlan) -> [CIStep] {
        AWSDeploySteps(target: target, environment: environment, plan: plan).reviewSteps
    }
}
