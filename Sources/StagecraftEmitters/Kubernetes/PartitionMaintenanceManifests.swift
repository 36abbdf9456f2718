import StagecraftPlanner

/// The daily partition maintenance of a database with partitioned tables: a CronJob that runs
/// the shared script (in a ConfigMap) with psql from the official image of the database's
/// major version, as the application's role (the tables' owner), against the primary.
enum PartitionMaintenanceManifests {
    static func name(_ database: DatabasePlan) -> String { "\(database.name)-partitions" }

    /// Nothing when no table of the database is partitioned.
    static func objects(_ database: DatabasePlan, sql: String?) -> [KubernetesObject] {
        guard let sql else { return [] }
        let name = name(database)
        let labels: [(String, YAML)] = [(KubernetesNames.nameLabel, .string(name))]
        let secret = KubernetesNames.databaseAppSecret(database.name)
        func fromSecret(_ variable: String, _ key: String) -> YAML {
            kubeMap(("name", .string(variable)), ("valueFrom", kubeMap(("secretKeyRef", kubeMap(("name", .string(secret)), ("key", .string(key)))))))
        }
        let container = kubeMap(
            ("name", "psql"),
            ("image", .string("postgres:\(database.version)")),
            // The tag follows the major version's patch releases.
            ("imagePullPolicy", "Always"),
            ("command", .list(["psql", "--no-psqlrc", "--quiet", "--file", .string("/sql/\(PartitionMaintenance.fileName)")])),
            ("env", .list([
                kubeMap(("name", "PGHOST"), ("value", .string("\(database.name)-rw"))),
                kubeMap(("name", "PGDATABASE"), ("value", .string(PostgresManifests.databaseName(database)))),
                kubeMap(("name", "PGSSLMODE"), ("value", "require")),
                fromSecret("PGUSER", "username"),
                fromSecret("PGPASSWORD", "password"),
            ])),
            ("resources", kubeMap(
                ("requests", kubeMap(("cpu", "50m"), ("memory", "64Mi"))),
                ("limits", kubeMap(("cpu", "500m"), ("memory", "128Mi")))
            )),
            ("securityContext", PodHardening.containerSecurityContext),
            ("volumeMounts", .list([kubeMap(("name", "sql"), ("mountPath", "/sql"), ("readOnly", true)), PodHardening.tmpVolumeMount]))
        )
        let pod = YAML.map(PodHardening.podDefaults + [
            ("restartPolicy", "Never"),
            ("containers", .list([container])),
            ("volumes", .list([kubeMap(("name", "sql"), ("configMap", kubeMap(("name", .string(name))))), PodHardening.tmpVolumeSource])),
        ])
        return [
            KubernetesObject(apiVersion: "v1", kind: "ConfigMap", name: name, labels: labels,
                             body: [("data", .map([(PartitionMaintenance.fileName, .string(sql))]))]),
            // A missed run is made up within the hour; two at once would race for the same partitions.
            KubernetesCronJob.object(name, labels: labels, schedule: PartitionMaintenance.schedule(database), backoffLimit: 2, activeDeadlineSeconds: 900, pod: pod),
        ]
    }
}
