import StagecraftOutput
import StagecraftPlanner
import StagecraftSpec

/// The output's `README.md`: each environment's stage, platform and architecture diagram
/// (Mermaid, which GitHub and GitLab render), what the folders hold, and how to regenerate.
public struct ReadmeEmitter: Emitter {
    public init() {}

    public static let path = "README.md"

    /// How each CI provider makes a deploy wait for a reviewer, and what to set up for it: the
    /// workflow names the environment, the repository's settings say who approves.
    private func approval(_ environment: EnvironmentPlan, providers: [CIProvider]) -> String {
        let name = MarkdownCode.inline(environment.name)
        var ways: [String] = []
        if providers.contains(.githubActions) {
            ways.append("on GitHub, give the \(name) environment required reviewers (Settings → Environments, or `\(GitHubRepositorySettings.path) OWNER/REPOSITORY REVIEWER…`, which also limits each environment to its branch and protects the default branch)")
        }
        if providers.contains(.gitlab) {
            ways.append("on GitLab, make \(name) a protected environment with required approvals (Settings → CI/CD → Protected environments): its deploy job is manual, and only the protection decides who may run it")
        }
        let approves = environment.platform == .aws
            ? "deploys after a reviewer approves the release and then its Terraform plan, shown in the first job's summary, which the next job applies as it is (a failed apply's rollback plan is approved the same way): "
            : "deploys after a reviewer approves: "
        return approves + ways.joined(separator: "; ")
    }

    public func emit(_ plan: StackPlan, context: EmitContext) throws -> [GeneratedFile] {
        let approvals = Set(plan.pipeline.deploys.filter(\.requiresApproval).map(\.environment))
        let environments: [[String: Any]] = plan.environments.map { environment in
            let diagram = MermaidDiagram.render(ArchitectureGraph(environment: environment, stack: plan.stack))
            let recovery = recovery(plan, environment)
            let kubernetes = environment.platform == .kubernetes ? KubernetesPrerequisites(plan: plan, environment: environment) : nil
            let prerequisites = switch environment.platform {
            case .aws: AWSPrerequisites(environment: environment, stack: plan.stack).lines
            case .kubernetes: kubernetes?.lines ?? []
            case .compose: [String]()
            }
            return [
                "name": environment.name,
                // GitHub's heading anchor: names are `[a-z][a-z0-9-]*`, so the name itself.
                "anchor": environment.name,
                "stage": environment.stage.rawValue,
                "platform": environment.platform.rawValue,
                "domain": environment.domain,
                "approval": approvals.contains(environment.name) ? approval(environment, providers: plan.pipeline.providers) : false,
                "diagram": diagram,
                "diagramFence": MarkdownCode.fence(for: diagram),
                "recovery": recovery,
                "hasRecovery": !recovery.isEmpty,
                "prerequisites": prerequisites,
                "hasPrerequisites": !prerequisites.isEmpty,
                "prerequisitesHeading": environment.platform == .kubernetes
                    ? "Before the first deploy, in this order, the cluster and the account need:" : "Before the first apply, the account needs:",
                "deployOrder": kubernetes?.deployOrder ?? false,
            ]
        }
        let migrations = migrations(plan)
        let text = try context.templates.render("readme/README.md", [
            "stack": plan.stack,
            "version": context.toolVersion,
            "driftCheck": plan.pipeline.driftCheck,
            "stackFileCode": MarkdownCode.inline(plan.stackFile),
            "environments": environments,
            "commands": MarkdownCode.block(commands(plan), language: "sh"),
            "contents": OutputContents(plan: plan).entries.map { ["path": $0.path, "about": $0.about] },
            "migrations": migrations,
            "hasMigrations": !migrations.isEmpty,
        ])
        return [try GeneratedFile(path: Self.path, text: text, commentStyle: .html)]
    }

    /// What a restore of each backed-up database achieves, in the environment's region and in
    /// the copy region where the platform copies the backups there too (compose's second
    /// pgBackRest repository, RDS's replicated automated backups, S3 replication of the
    /// Kubernetes backups' bucket); how the restore is proven; and what a cache's failure costs.
    private func recovery(_ plan: StackPlan, _ environment: EnvironmentPlan) -> [String] {
        var lines: [String] = environment.databases.compactMap { database in
            guard let backups = database.backups else { return nil }
            let rto = backups.rto.map { " and takes at most \($0)" } ?? ""
            var line = "`\(database.name)`: a restore in \(environment.region) loses at most \(backups.rpo) of data (RPO)\(rto), "
                + "from backups kept \(backups.retentionDays) days"
            if let copy = backups.crossRegionCopy {
                if environment.platform == .kubernetes {
                    line += "; in \(copy), S3 replicates the backups' bucket to `\(KubernetesNames.backupCopyBucket(plan, environment))` as they are written,"
                        + " so a cluster there recovers from it (`externalClusters` pointing at that bucket) and loses at most \(backups.rpo) plus the replication delay, usually under 15 minutes."
                        + " A replica cluster in \(copy) would lose less, but needs a second Kubernetes cluster running all the time; the replicated bucket costs only its storage"
                } else {
                    line += "; in \(copy), where the backups and the WAL are copied as they are made, a restore loses at most \(backups.rpo) too"
                }
            }
            if environment.platform == .kubernetes, backups.restoreTestSchedule != nil {
                line += ". The `\(RestoreTestManifests.runner(database))` CronJob proves it on schedule: it recovers a throwaway cluster from the backups, checks a marker written just before, and fails when the restore takes longer than the declared recovery time"
            }
            return line + "."
        }
        if environment.platform == .kubernetes {
            for cache in environment.caches where cache.replica {
                lines.append("`\(cache.name)`: one Redis primary with a replica in another zone, and no automatic failover: when the primary's node fails, the cache is down until it is rescheduled, or until the replica is promoted by hand (`REPLICAOF NO ONE`, then point `\(cache.envPrefix)_HOST` at it). Where that is not acceptable, run the environment on AWS (`Platform(scale: .aws)`), whose ElastiCache fails over by itself.")
            }
        }
        return lines
    }

    /// Each migrated database once (every environment migrates it the same way).
    private func migrations(_ plan: StackPlan) -> [[String: Any]] {
        (plan.environments.last?.databases ?? []).compactMap { database in
            database.migrations.map { migrations in
                var entry: [String: Any] = [
                    "database": database.name, "workload": migrations.workload, "commandCode": MarkdownCode.inline(migrations.command),
                ]
                if let folder = migrations.folder { entry["folderCode"] = MarkdownCode.inline(folder + "/") }
                return entry
            }
        }
    }

    private func commands(_ plan: StackPlan) -> String {
        let stackFile = ShellWord.quote(plan.stackFile)
        let output = ShellWord.quote(plan.pipeline.outputDirectory)
        let production = plan.environments.first(where: \.isProduction)?.name ?? plan.environments.last?.name ?? "production"
        return """
            stagecraft generate \(stackFile) --out \(output)   # regenerate after changing the stack file
            stagecraft verify \(output)                          # run every validator on the output
            stagecraft graph \(stackFile) --environment \(production) --format dot | dot -Tsvg > \(production).svg

            """
    }
}

/// A shell word for a command a reader copies: as it is when it holds only characters the
/// shell leaves alone, otherwise single-quoted.
enum ShellWord {
    static func quote(_ value: String) -> String {
        let plain = !value.isEmpty && value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._/-+=:,@".contains($0)) }
        return plain ? value : FormatQuoting.shell(value)
    }
}
