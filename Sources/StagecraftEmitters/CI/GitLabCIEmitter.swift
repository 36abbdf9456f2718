import StagecraftOutput
import StagecraftPlanner
import StagecraftSpec

/// GitLab CI: `.gitlab-ci.yml` rendered from the same `PipelineGraph` as the GitHub
/// workflows. Merge requests and pushes to the default branch run the checks; the default
/// branch also builds images and deploys, each environment in its own `resource_group`, the
/// ones that need approval as manual jobs. Secrets are CI/CD variables of the same name,
/// scoped to the environment in the project's settings.
public struct GitLabCIEmitter: Emitter {
    let deploySteps: DeployStepCatalog

    public init(deploySteps: DeployStepCatalog) {
        self.deploySteps = deploySteps
    }

    public static let path = ".gitlab-ci.yml"

    public func emit(_ plan: StackPlan, context: EmitContext) throws -> [GeneratedFile] {
        guard plan.pipeline.providers.contains(.gitlab) else { return [] }
        let graph = try PipelineGraph(plan: plan, deploySteps: deploySteps)
        let text = variablesComment(graph) + (try document(graph).serialized())
        return [try GeneratedFile(path: Self.path, text: text, commentStyle: .hash)]
    }

    func document(_ graph: PipelineGraph) -> YAML {
        var document = YAMLMap()
        let rollbacks = graph.allJobs.compactMap { GitLabJob(job: $0, graph: graph).rollback }
        document.set("stages", .list(CIJob.Stage.allCases.filter { stage in graph.allJobs.contains { $0.stage == stage } }.map { .string($0.rawValue) }
            + (rollbacks.isEmpty ? [] : [.string(GitLabJob.rollbackStage)])))
        let templates = graph.allJobs.compactMap(GitLabJob.template)
        if !templates.isEmpty { document.set("include", .list(templates.map { .map([("template", .string($0))]) })) }
        document.set("workflow", .map([("rules", .list([
            .map([("if", .string(GitLabJob.mergeRequest))]),
            .map([("if", .string(GitLabJob.onBranch(graph.defaultBranch)))]),
        ]))]))
        document.set("default", .map([
            // A newer pipeline for the same branch makes a running check pointless; deploys opt out.
            ("interruptible", true),
            ("retry", .map([("max", 1), ("when", .list(["runner_system_failure", "stuck_or_timeout_failure"]))])),
        ]))
        for job in graph.allJobs where GitLabJob.template(job) == nil {
            document.set(job.id, GitLabJob(job: job, graph: graph).yaml)
        }
        for rollback in rollbacks { document.set(rollback.id, rollback.yaml) }
        return document.yaml
    }

    /// The CI/CD variables the pipeline reads, so whoever sets up the project knows what to create.
    private func variablesComment(_ graph: PipelineGraph) -> String {
        var lines: [String] = []
        for job in graph.allJobs {
            let secrets = GitLabJob(job: job, graph: graph).secretNames
            guard !secrets.isEmpty else { continue }
            let scope = job.deployment.map { "environment \($0.environment)" } ?? "all environments"
            lines.append("#   \(job.id) (\(scope)): \(secrets.joined(separator: ", "))")
        }
        guard !lines.isEmpty else { return "" }
        return "# CI/CD variables to define (Settings → CI/CD → Variables, masked and protected):\n" + lines.joined(separator: "\n") + "\n\n"
    }
}
