import StagecraftOutput
import StagecraftPlanner

/// `docs/partitioning.md`: each partitioned large table's scheme and retention, the DDL that
/// converts an existing table, and its risks. Declared once per stack; every environment keeps
/// the same tables, so the plan of the last one is the stack's.
public struct PartitioningPlanEmitter: Emitter {
    public static let path = "docs/partitioning.md"

    public init() {}

    public func emit(_ plan: StackPlan, context: EmitContext) throws -> [GeneratedFile] {
        guard let environment = plan.environments.last else { return [] }
        let databases = environment.databases.filter { !PartitionMaintenance.tables($0).isEmpty }
        guard !databases.isEmpty else { return [] }
        let text = try context.templates.render("docs/partitioning.md", [
            "stack": plan.stack,
            "schedulers": plan.environments.map(Self.scheduler),
            "databases": databases.map { database -> [String: Any] in
                ["tables": PartitionMaintenance.tables(database).map { table -> [String: Any] in
                    var values: [String: Any] = [
                        "database": database.name, "name": table.name, "key": table.partitioning.key,
                        "interval": table.partitioning.interval.rawValue, "ahead": table.partitioning.ahead,
                    ]
                    if let days = table.partitioning.retentionDays { values["retentionDays"] = days }
                    return values
                }]
            },
        ])
        return [try GeneratedFile(path: Self.path, text: text, commentStyle: .html)]
    }

    /// Where an environment runs the maintenance.
    private static func scheduler(_ environment: EnvironmentPlan) -> String {
        let jobs = environment.databases.filter { !PartitionMaintenance.tables($0).isEmpty }.map { "`\($0.name)-partitions`" }.joined(separator: ", ")
        return switch environment.platform {
        case .compose: "\(environment.name): the host's crontab (`ops/crontab`, \(jobs)), with the script in `postgres/<database>/`"
        case .kubernetes: "\(environment.name): the CronJob \(jobs), with the script in the ConfigMap of the same name"
        case .aws: "\(environment.name): an ECS task on an EventBridge schedule (\(jobs))"
        }
    }
}
