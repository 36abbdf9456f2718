import StagecraftPlanner

/// The migration of a database as a Job of the overlay: the workload's image runs the shared
/// migration script with the workload's settings and secrets, against the primary itself
/// (`<db>-rw`, never the pooler), while a psql container beside it holds the advisory lock.
/// The deploy names the Job after the release (`<db>-migrate-<tag>`), applies it before any
/// Deployment, and waits for it.
enum MigrationManifests {
    static let label = "stagecraft.io/migration"
    static let lockVolume = "migration-lock"

    static func name(_ database: DatabasePlan) -> String { "\(database.name)-migrate" }

    /// Nothing when the database declares no migrations.
    static func objects(_ database: DatabasePlan, plan: StackPlan, environment: EnvironmentPlan, templates: TemplateLibrary) throws -> [KubernetesObject] {
        guard let migrations = database.migrations,
              let workload = environment.workloads.first(where: { $0.name == migrations.workload }) else { return [] }
        let name = name(database)
        let labels: [(String, YAML)] = [(KubernetesNames.nameLabel, .string(name)), (label, .string(database.name))]
        let prefix = database.envPrefix
        let primary: [YAML] = [
            variable("\(prefix)_HOST", "\(database.name)-rw"),
            variable("\(prefix)_PORT", String(PostgresManifests.port)),
            variable("MIGRATION_SSLMODE", "require"),
        ]
        let lockMount = kubeMap(("name", .string(lockVolume)), ("mountPath", .string(MigrationScripts.lockDirectory)))
        let migrate = kubeMap(
            ("name", "migrate"),
            ("image", .string(KubernetesNames.logicalImage(workload.name))),
            ("imagePullPolicy", "Always"),
            ("command", .list(["sh", "-c", .block(try MigrationScripts.run(database, migrations, templates: templates))])),
            ("envFrom", .list([kubeMap(("configMapRef", kubeMap(("name", .string(KubernetesNames.configMap(workload.name))))))])),
            // After envFrom, so the primary's address wins over the pooler's.
            ("env", .list(ConnectionSettings(plan: plan, workload: workload, environment: environment).secretEnvironment + primary
                + [variable("MIGRATION_LOCK_DIR", MigrationScripts.lockDirectory)])),
            ("resources", PodHardening.resources(cpuMillicores: workload.resources.cpuMillicores, memoryMiB: workload.resources.memoryMiB)),
            ("securityContext", PodHardening.containerSecurityContext),
            ("volumeMounts", .list([lockMount, PodHardening.tmpVolumeMount]))
        )
        let secret = KubernetesNames.databaseAppSecret(database.name)
        let lock = kubeMap(
            ("name", "lock"),
            ("image", .string("postgres:\(database.version)")),
            ("imagePullPolicy", "Always"),
            ("command", .list(["sh", "-c", .block(try MigrationScripts.lockHolder(database, migrations, templates: templates))])),
            ("env", .list(primary + [
                variable("\(prefix)_NAME", PostgresManifests.databaseName(database)),
                fromSecret("\(prefix)_USER", secret, "username"),
                fromSecret("\(prefix)_PASSWORD", secret, "password"),
            ])),
            ("resources", kubeMap(
                ("requests", kubeMap(("cpu", "10m"), ("memory", "32Mi"))),
                ("limits", kubeMap(("cpu", "100m"), ("memory", "64Mi")))
            )),
            ("securityContext", PodHardening.containerSecurityContext),
            ("volumeMounts", .list([lockMount, PodHardening.tmpVolumeMount]))
        )
        let pod = YAML.map(PodHardening.podDefaults + [
            ("restartPolicy", "Never"),
            ("containers", .list([migrate, lock])),
            ("volumes", .list([
                kubeMap(("name", .string(lockVolume)), ("emptyDir", kubeMap(("medium", "Memory"), ("sizeLimit", "1Mi")))),
                PodHardening.tmpVolumeSource,
            ])),
        ])
        return [KubernetesObject(apiVersion: "batch/v1", kind: "Job", name: name, labels: labels, body: [("spec", kubeMap(
            // A migration is not retried: a half-applied one needs a person, and the deploy stops.
            ("backoffLimit", 0),
            ("activeDeadlineSeconds", 1800),
            // Kept a week, with its logs, then removed; each release's Job has its own name.
            ("ttlSecondsAfterFinished", 604_800),
            ("template", kubeMap(("metadata", kubeMap(("labels", .map(labels)))), ("spec", pod)))
        ))])]
    }

    private static func variable(_ name: String, _ value: String) -> YAML {
        kubeMap(("name", .string(name)), ("value", .string(value)))
    }

    private static func fromSecret(_ variable: String, _ secret: String, _ key: String) -> YAML {
        kubeMap(("name", .string(variable)), ("valueFrom", kubeMap(("secretKeyRef", kubeMap(("name", .string(secret)), ("key", .string(key)))))))
    }
}
