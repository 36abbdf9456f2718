import StagecraftOutput
import StagecraftPlanner

/// The shared CloudFront module, whenever an environment has a CDN or runs on AWS, and a root
/// module calling it for each environment with a CDN that does not run on AWS. The AWS
/// platform's module calls it in every environment (with a count of 0 where there is no CDN),
/// and `terraform init` reads a module's source even then.
public struct CDNEmitter: Emitter {
    public init() {}

    public func emit(_ plan: StackPlan, context: EmitContext) throws -> [GeneratedFile] {
        guard plan.environments.contains(where: { $0.cdn != nil || $0.platform == .aws }) else { return [] }
        var files = try CDNModule.files()
        for environment in plan.environments where environment.platform != .aws {
            guard let cdn = environment.cdn else { continue }
            files += try CDNRootModule.files(environment, cdn, stack: plan.stack)
        }
        return files
    }
}
