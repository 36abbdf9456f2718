import StagecraftPlanner

/// The SQL that keeps a database's partitioned tables ready: built once from the plan, run
/// daily by each platform's scheduler (the compose host's crontab).
enum PartitionMaintenance {
    static let fileName = "partition-maintenance.sql"

    /// The database's tables with a partition key.
    static func tables(_ database: DatabasePlan) -> [(name: String, partitioning: LargeTablePlan.Partitioning)] {
        database.largeTables.compactMap { table in table.partitioning.map { (table.name, $0) } }
    }

    /// nil when no table of the database is partitioned.
    static func sql(_ database: DatabasePlan, templates: TemplateLibrary) throws -> String? {
        let tables = tables(database)
        guard !tables.isEmpty else { return nil }
        return try templates.render("postgres/partition-maintenance.sql", [
            "database": database.name,
            "tables": tables.map { table -> [String: Any] in
                var context: [String: Any] = [
                    "name": table.name, "key": table.partitioning.key,
                    "interval": table.partitioning.interval.rawValue, "ahead": table.partitioning.ahead,
                ]
                if let days = table.partitioning.retentionDays { context["retentionDays"] = days }
                return context
            },
        ])
    }

    /// Daily, at a minute of the database's own, shortly after midnight UTC: before the night's backups (02:00).
    static func schedule(_ database: DatabasePlan) -> String {
        let minute = database.name.utf8.reduce(0) { ($0 * 31 + Int($1)) % 60 }
        return "\(minute) 0 * * *"
    }
}
