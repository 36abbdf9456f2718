import StagecraftPlanner
import StagecraftSpec

/// Databases and caches: recoverability first (restore tests, RPO, RTO, off-site copies), then capacity.
enum DataRules {
    static let all = [restoreTest, recoveryPoint, pooling, readReplicas, recoveryTime, crossRegionBackup, cacheReplica, largeTablePartitioned, migrations]

    /// Each database once, with its production plan when there is one.
    private static func databases(_ context: AuditContext) -> [(PostgresSpec, DatabasePlan?)] {
        context.spec.databases.map { spec in (spec, context.production?.databases.first { $0.name == spec.name }) }
    }

    static let restoreTest = ReadinessRule(
        id: "SC110-restore-test",
        summary: "Backups are proven by a scheduled restore test",
        severity: Staged(mvp: .info, growth: .error, scale: .error)
    ) { context in
        databases(context).compactMap { database, plan in
            guard let backups = plan?.backups, backups.restoreTestSchedule == nil else { return nil }
            return Violation(
                "backups of \(database.name) are never restored on a schedule: a backup nobody has restored is a hope, not a backup",
                at: database.restoreTest?.location ?? database.location,
                fix: Fix(
                    DSL.staged("RestoreTest", baseLabel: "every", database.restoreTest?.value, setting: context.stage, to: context.policy.restoreTestEvery ?? .days(30), render: DSL.timeSpan),
                    database.restoreTest.map { DSL.replacing(at: $0.location) } ?? DSL.inside(DSL.database(database), database.location)))
        }
    }

    static let recoveryPoint = ReadinessRule(
        id: "SC111-recovery-point",
        summary: "Backups meet the stage's recovery point objective (RPO)",
        severity: Staged(mvp: .warning, growth: .error, scale: .error)
    ) { context in
        databases(context).compactMap { database, plan in
            let target = context.policy.rpo
            // The planned RPO when the stack plans at this stage; otherwise the declared one the planner refused.
            guard let rpo = plan?.backups?.rpo ?? database.rpo?.value[context.stage], rpo > target else { return nil }
            return Violation(
                "\(database.name) can lose \(rpo) of data (its RPO), more than \(context.stage) accepts (\(target)); WAL archiving can bring it to minutes",
                at: database.rpo?.location ?? database.location,
                fix: Fix(
                    DSL.staged("Backups", baseLabel: "rpo", database.rpo?.value, setting: context.stage, to: target, render: DSL.timeSpan),
                    database.rpo.map { DSL.replacing(at: $0.location) } ?? DSL.inside(DSL.database(database), database.location)))
        }
    }

    static let pooling = ReadinessRule(
        id: "SC112-connection-pooling",
        summary: "Database connections go through a pooler",
        severity: Staged(growth: .warning, scale: .error)
    ) { context in
        databases(context).compactMap { database, plan in
            guard (plan?.pooling ?? database.pooling?.value[context.stage]) == false else { return nil }
            return Violation(
                "\(database.name) takes connections without a pooler: every app instance and worker opens its own, and PostgreSQL runs out long before the CPU does",
                at: database.pooling?.location ?? database.location,
                fix: Fix(
                    DSL.staged("Pooling", baseLabel: nil, database.pooling?.value, setting: context.stage, to: true, render: DSL.bool),
                    database.pooling.map { DSL.replacing(at: $0.location) } ?? DSL.inside(DSL.database(database), database.location)))
        }
    }

    static let readReplicas = ReadinessRule(
        id: "SC113-read-replicas",
        summary: "Reads are spread over the stage's read replicas",
        severity: Staged(growth: .warning, scale: .error)
    ) { context in
        databases(context).compactMap { database, plan in
            let wanted = context.policy.readReplicas
            guard let replicas = plan?.readReplicas ?? database.readReplicas?.value[context.stage], replicas < wanted else { return nil }
            return Violation(
                "\(database.name) has \(replicas) read replica\(replicas == 1 ? "" : "s") in production; \(context.stage) needs \(wanted) to take read traffic off the primary and to fail over to",
                at: database.readReplicas?.location ?? database.location,
                fix: Fix(
                    DSL.staged("ReadReplicas", baseLabel: nil, database.readReplicas?.value, setting: context.stage, to: wanted, render: { "\($0)" }),
                    database.readReplicas.map { DSL.replacing(at: $0.location) } ?? DSL.inside(DSL.database(database), database.location)))
        }
    }

    static let recoveryTime = ReadinessRule(
        id: "SC114-recovery-time",
        summary: "Each database declares its recovery time objective (RTO)",
        severity: Staged(growth: .info, scale: .error)
    ) { context in
        context.spec.databases.filter { $0.rto == nil }.map { database in
            Violation(
                "\(database.name) declares no recovery time: nobody knows how long a restore may take, so nobody has checked that it fits",
                at: database.location,
                fix: Fix("RecoveryTime(.hours(1))", DSL.inside(DSL.database(database), database.location)))
        }
    }

    static let crossRegionBackup = ReadinessRule(
        id: "SC115-cross-region-backup",
        summary: "Backups are copied to a second region",
        severity: Staged(scale: .warning)
    ) { context in
        guard !context.spec.databases.isEmpty, context.spec.regions.first?.value.backupCopy == nil else { return [] }
        let region = context.spec.regions.first
        let name = region?.value.name ?? "us-east-1"
        let copy = name.hasPrefix("eu-") ? "eu-central-1" : name == "us-west-2" ? "us-east-1" : "us-west-2"
        return [Violation(
            "backups stay in \(name): losing the region loses the data and its backups together",
            at: region?.location ?? context.spec.location,
            fix: Fix("Region(\(DSL.string(name)), backupCopy: \(DSL.string(copy)))",
                     region.map { DSL.replacing(at: $0.location) } ?? DSL.inStack(context.spec)))]
    }

    static let cacheReplica = ReadinessRule(
        id: "SC116-cache-replica",
        summary: "The cache has a replica, so sessions and queues survive losing one node",
        severity: Staged(scale: .warning)
    ) { context in
        context.spec.caches.compactMap { cache in
            guard context.production?.caches.first(where: { $0.name == cache.name })?.replica == false else { return nil }
            return Violation(
                "\(cache.name) runs without a replica: sessions and queued jobs go with its one node",
                at: cache.replica?.location ?? cache.location,
                fix: Fix(
                    DSL.staged("CacheReplica", baseLabel: nil, cache.replica?.value, setting: context.stage, to: true, render: DSL.bool),
                    cache.replica.map { DSL.replacing(at: $0.location) } ?? DSL.inside(DSL.cache(cache), cache.location)))
        }
    }

    static let largeTablePartitioned = ReadinessRule(
        id: "SC117-large-table-partitioned",
        summary: "A table declared large has a partition key, so old data leaves by dropping a partition",
        severity: Staged(scale: .warning)
    ) { context in
        context.spec.databases.flatMap { database in
            database.largeTables.filter { $0.partitionKey == nil }.map { table in
                Violation(
                    "\(table.name.value) of \(database.name) is declared large but has no partition key: its indexes and vacuums grow with it, and deleting old rows rewrites it",
                    at: table.name.location,
                    fix: Fix(#"LargeTable("\#(table.name.value)", partitionBy: "created_at", every: .month, keep: .days(365))"#,
                             DSL.replacing(at: table.name.location) + " (with the table's own timestamp column)"))
            }
        }
    }

    static let migrations = ReadinessRule(
        id: "SC118-database-migrations",
        summary: "Each database is migrated by the deploy, before the new release serves",
        severity: Staged(growth: .warning)
    ) { context in
        context.spec.databases.filter { $0.migrations == nil }.map { database in
            let workload = (context.spec.services + context.spec.workers).first { $0.uses.isEmpty || $0.uses.contains { $0.value == database.name } }
            return Violation(
                "\(database.name) has no migration command: each release starts against whatever schema the last one left, and a schema change is a manual step outside the deploy",
                at: database.location,
                fix: Fix(#"Migrations("bin/migrate", in: "\#(workload?.name ?? "web")")"#,
                         DSL.inside(DSL.database(database), database.location) + " (with your migration command)"))
        }
    }
}
