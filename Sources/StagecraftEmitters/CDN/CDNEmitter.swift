import StagecraftOutput
import StagecraftPlanner

/// The shared CloudFront module, whenever an environment has a CDN, and a root module calling
/// it for each such environment that does not run on AWS (the AWS platform's own root modules
/// call the same module).
public struct CDNEmitter: Emitter {
    public init() {}

    public func emit(_ plan: StackPlan, context: EmitContext) throws -> [GeneratedFile] {
        guard plan.environments.contains(where: { $0.cdn != nil }) else { return [] }
        var files = try CDNModule.files()
        for environment in plan.environments where environment.platform != .aws {
            guard let cdn = environment.cdn else { continue }
            files += try CDNRootModule.files(environment, cdn, stack: plan.stack)
        }
        return files
    }
}
