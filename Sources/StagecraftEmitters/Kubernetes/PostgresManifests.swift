import StagecraftPlanner

/// A CloudNativePG cluster per Postgres: the `Cluster` (primary + read replicas, each in its
/// own zone when it can be), its barman backups to object storage with WAL archiving,
/// `ScheduledBackup`s for the base backups, and a PgBouncer `Pooler` when the plan pools.
enum PostgresManifests {
    static let apiVersion = "postgresql.cnpg.io/v1"
    static let port = 5432

    /// CloudNativePG's image of the database's major version: the operator's instances, and the
    /// jobs that need its psql and Python.
    static func image(_ database: DatabasePlan) -> String { "ghcr.io/cloudnative-pg/postgresql:\(database.version)" }

    /// The database and its owner: `-` is not valid in an unquoted SQL identifier.
    static func databaseName(_ database: DatabasePlan) -> String {
        String(database.name.map { $0 == "-" ? "_" : $0 })
    }

    /// The part of the Cluster that is the same in every environment; `instances` is a
    /// required field, so the base says 1 and each overlay sets its own count.
    static func baseCluster(_ database: DatabasePlan) -> KubernetesObject {
        KubernetesObject(
            apiVersion: apiVersion, kind: "Cluster", name: database.name,
            labels: [(KubernetesNames.nameLabel, .string(database.name)), (KubernetesNames.componentLabel, "database")],
            body: [("spec", kubeMap(
                ("instances", 1),
                ("imageName", .string(image(database))),
                // Replicas are updated first, then the primary is switched over without a person.
                ("primaryUpdateStrategy", "unsupervised"),
                ("enableSuperuserAccess", false),
                ("bootstrap", kubeMap(("initdb", kubeMap(
                    ("database", .string(databaseName(database))),
                    ("owner", .string(databaseName(database)))
                ))))
            ))]
        )
    }

    /// What the environment's plan decides about the Cluster, as a merge patch.
    static func clusterPatch(_ database: DatabasePlan, bucket: String, backupRole: String, zones: Int) -> KubernetesObject {
        let instances = 1 + database.readReplicas
        var parameters: [(String, YAML)] = [("log_lock_waits", "on")]
        if let slow = database.slowQueryMilliseconds {
            parameters.append(("log_min_duration_statement", .string(String(slow))))
            // Any pg_stat_statements setting makes CloudNativePG preload the extension.
            parameters.append(("pg_stat_statements.track", "top"))
        }
        if let timeout = database.backups?.archiveTimeoutSeconds {
            // A WAL segment is archived at least this often, so an idle database still meets the RPO.
            parameters.append(("archive_timeout", .string("\(timeout)s")))
        }
        // One instance per zone is a hard rule only while there are enough zones for it.
        let affinity = database.multiZone
            ? kubeMap(("enablePodAntiAffinity", true), ("topologyKey", "topology.kubernetes.io/zone"), ("podAntiAffinityType", .string(instances <= zones ? "required" : "preferred")))
            : kubeMap(("enablePodAntiAffinity", true), ("topologyKey", "kubernetes.io/hostname"), ("podAntiAffinityType", "preferred"))
        return KubernetesObject(apiVersion: apiVersion, kind: "Cluster", name: database.name, body: [("spec", kubeMap(
            ("instances", .int(instances)),
            ("storage", kubeMap(("size", Quantity.storage(database.storageGiB)))),
            // Memory is both request and limit: PostgreSQL sizes its caches to what it is promised.
            ("resources", kubeMap(
                ("requests", kubeMap(("cpu", .string("\(database.resources.cpuMillicores)m")), ("memory", Quantity.memory(database.resources.memoryMiB)))),
                ("limits", kubeMap(("memory", Quantity.memory(database.resources.memoryMiB))))
            )),
            ("postgresql", kubeMap(("parameters", .map(parameters)))),
            ("affinity", affinity),
            // The instances' ServiceAccount takes the role that may write the backups.
            ("serviceAccountTemplate", database.backups == nil ? nil : serviceAccountTemplate(role: backupRole)),
            ("backup", database.backups.map { backup(database, $0, bucket: bucket) })
        ))])
    }

    static func serviceAccountTemplate(role: String) -> YAML {
        kubeMap(("metadata", kubeMap(("annotations", .map([(KubernetesNames.roleAnnotation, .string(role))])))))
    }

    /// Where barman keeps a cluster's base backups and WAL, read with the pods' IAM role:
    /// no access key exists to leak or rotate.
    static func objectStore(bucket: String) -> [(String, YAML)] {
        [
            // barman keeps each cluster under its own server name (the cluster's) inside the bucket.
            ("destinationPath", .string("s3://\(bucket)/")),
            ("s3Credentials", kubeMap(("inheritFromIAMRole", true))),
        ]
    }

    private static func backup(_ database: DatabasePlan, _ plan: BackupPlan, bucket: String) -> YAML {
        kubeMap(
            ("retentionPolicy", .string("\(plan.retentionDays)d")),
            ("target", .string(database.readReplicas > 0 ? "prefer-standby" : "primary")),
            ("barmanObjectStore", .map(objectStore(bucket: bucket) + [
                ("wal", plan.walArchiving ? kubeMap(("compression", "gzip"), ("maxParallel", 4)) : nil),
                ("data", kubeMap(("compression", "gzip"), ("jobs", 2))),
            ].compactMap { key, value in value.map { (key, $0) } }))
        )
    }

    /// Base backups on the plan's schedules. CloudNativePG's cron has a leading seconds field.
    /// barman-cloud only takes full backups, so the plan's differential slots take full ones
    /// too (a restore then replays at most a day of WAL); its hourly incrementals are left out:
    /// continuous WAL archiving already meets the RPO between base backups.
    static func scheduledBackups(_ database: DatabasePlan) -> [KubernetesObject] {
        guard let plan = database.backups else { return [] }
        var schedules: [(suffix: String, cron: String, note: String)] = [
            ("full", plan.fullSchedule, "the plan's full backups; the first runs when the cluster is created"),
        ]
        if let differential = plan.differentialSchedule {
            schedules.append(("differential", differential, "full backups in the plan's differential slots (barman-cloud has no differential backups)"))
        }
        return schedules.enumerated().map { index, schedule in
            KubernetesObject(
                apiVersion: apiVersion, kind: "ScheduledBackup", name: "\(database.name)-\(schedule.suffix)",
                labels: [(KubernetesNames.nameLabel, .string(database.name))],
                annotations: [("stagecraft.io/note", .string(schedule.note))],
                body: [("spec", kubeMap(
                    ("schedule", .string("0 \(schedule.cron)")),
                    ("immediate", index == 0 ? true : nil),
                    ("backupOwnerReference", "self"),
                    ("method", "barmanObjectStore"),
                    ("cluster", kubeMap(("name", .string(database.name))))
                ))]
            )
        }
    }

    /// PgBouncer in transaction mode in front of the primary: many short-lived app connections
    /// share a few server connections. Two instances when there are zones to spread them over.
    static func pooler(_ database: DatabasePlan) -> KubernetesObject? {
        guard database.pooling else { return nil }
        return KubernetesObject(
            apiVersion: apiVersion, kind: "Pooler", name: KubernetesNames.pooler(database.name),
            labels: [(KubernetesNames.nameLabel, .string(database.name))],
            body: [("spec", kubeMap(
                ("cluster", kubeMap(("name", .string(database.name)))),
                ("instances", .int(database.multiZone ? 2 : 1)),
                ("type", "rw"),
                ("pgbouncer", kubeMap(
                    ("poolMode", "transaction"),
                    ("parameters", kubeMap(
                        ("max_client_conn", "1000"),
                        ("default_pool_size", "20"),
                        // Lets drivers that prepare statements work in transaction mode.
                        ("max_prepared_statements", "200")
                    ))
                ))
            ))]
        )
    }
}
