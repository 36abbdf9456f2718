import StagecraftPlanner
import StagecraftSpec

/// The top-level parts of a generation's output, for the README: which ones there are
/// follows from the plan (providers, platforms, CDN).
struct OutputContents {
    struct Entry {
        var path: String
        var about: String
    }

    let entries: [Entry]

    init(plan: StackPlan) {
        let platforms = Set(plan.environments.map(\.platform))
        var entries: [Entry] = []
        if plan.pipeline.providers.contains(.githubActions) {
            entries.append(.init(path: ".github/workflows/", about: "GitHub Actions: CI on every pull request and push; deploys from the default branch"))
        }
        if plan.pipeline.providers.contains(.gitlab) {
            entries.append(.init(path: ".gitlab-ci.yml", about: "GitLab CI: the same pipeline for merge requests and the default branch"))
        }
        entries.append(.init(path: "environments/<environment>/", about: "per environment: each workload's settings (`config/*.env`), the secret names it expects (`secrets.yaml`) and the resolved plan (`plan.json`)"
            + (platforms.contains(.compose) ? "; on compose also `compose.yaml`, nginx, the ACME client, PostgreSQL, PgBouncer, pgBackRest, the restore test and the host's crontab (`ops/`)" : "")))
        if platforms.contains(.kubernetes) {
            var expected: [String] = []
            for environment in plan.environments where environment.platform == .kubernetes {
                for component in ClusterPrerequisites.components(environment) where !expected.contains(component) { expected.append(component) }
            }
            entries.append(.init(path: "kubernetes/", about: "Kustomize: a shared `base/` and one overlay per environment. The cluster is expected to run "
                + expected.joined(separator: "; ")))
        }
        if platforms.contains(.aws) || plan.environments.contains(where: { $0.platform != .aws && $0.cdn != nil }) {
            entries.append(.init(path: "terraform/", about: "Terraform modules and one root module per environment"))
        }
        if plan.environments.last?.databases.contains(where: { !PartitionMaintenance.tables($0).isEmpty }) == true {
            entries.append(.init(path: PartitioningPlanEmitter.path, about: "the partitioning plan: each large table's partitions and retention, and how to convert an existing table"))
        }
        entries.append(.init(path: ".stagecraft/manifest.json", about: "every generated file with its hash: how the next generation finds files to remove"))
        self.entries = entries
    }
}
