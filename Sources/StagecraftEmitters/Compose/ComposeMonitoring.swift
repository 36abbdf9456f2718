import StagecraftPlanner
import StagecraftSpec

/// Metrics and alerts on the host, when the plan collects metrics: Prometheus with the alert
/// catalogue, Alertmanager sending to the stack's receivers, and the exporters it scrapes
/// (node_exporter with the cron jobs' outcomes, mtail reading nginx's requests, postgres_exporter
/// per PostgreSQL instance, the PgBouncer and Redis exporters, blackbox_exporter for the health
/// checks, the uptime URL and the served certificate). All run from one image of Debian's
/// packages (`monitoring/Dockerfile`). Nothing listens beyond the host's loopback:
/// `ssh -L 9090:127.0.0.1:9090` reaches Prometheus.
struct ComposeMonitoring {
    let layout: ComposeLayout
    var environment: EnvironmentPlan { layout.environment }
    var monitoring: MonitoringPlan { environment.monitoring }

    static let folder = "monitoring"
    static let prometheusConfig = "\(folder)/prometheus.yml"
    static let rulesFile = "\(folder)/rules.yml"
    static let alertmanagerConfig = "\(folder)/alertmanager.yml"
    static let alertmanagerEntrypoint = "\(folder)/alertmanager-entrypoint.sh"
    static let blackboxConfig = "\(folder)/blackbox.yml"
    static let mtailProgram = "\(folder)/mtail/nginx.mtail"
    static let pgbouncerExporterScript = "\(folder)/pgbouncer-exporter.py"
    static let pgbouncerExporterPort = 9127
    static let dockerfile = "\(folder)/Dockerfile"
    /// The cron jobs' outcomes (ops/cron-job.sh writes them), read by node_exporter.
    static let textfileDirectory = "ops/status"
    /// The datagram socket nginx sends its request log to and mtail reads, in a shared volume.
    static let mtailSocketVolume = "mtail-socket"
    static let mtailSocketDirectory = "/run/mtail"
    static let mtailSocket = "\(mtailSocketDirectory)/nginx.sock"
    /// Where Alertmanager's entrypoint writes the receivers' secrets: a tmpfs, never a disk.
    static let alertmanagerSecrets = "/run/alertmanager-secrets"
    /// The role the exporters log in to PostgreSQL and PgBouncer as (pg_monitor, stats_users).
    static let metricsUser = "metrics"

    static let prometheusPort = 9090
    static let alertmanagerPort = 9093
    static let mtailPort = 3903

    var enabled: Bool { monitoring.metrics }
    var alerting: Bool { monitoring.alerting }

    static func postgresExporter(_ instance: String) -> String { "\(instance)-exporter" }
    static func pgbouncerExporter(_ database: ComposeDatabase) -> String { "\(database.pooler)-exporter" }
    static func redisExporter(_ cache: String) -> String { "\(cache)-exporter" }
    static func metricsPasswordSecret(_ database: DatabasePlan) -> String { "\(database.envPrefix)_METRICS_PASSWORD" }

    /// The receivers' secrets Alertmanager's container gets (variable = secret name).
    var alertmanagerSecretNames: [String] {
        monitoring.receivers.compactMap(\.secret).reduce(into: [String]()) { names, secret in
            if !names.contains(secret) { names.append(secret) }
        }
    }

    // MARK: - Services

    var image: String { "\(layout.project)-monitoring:bookworm" }

    func services() -> [(String, YAML)] {
        guard enabled else { return [] }
        var services: [(String, YAML)] = [("prometheus", prometheus())]
        if alerting { services.append(("alertmanager", alertmanager())) }
        services.append(("node-exporter", nodeExporter()))
        services.append(("blackbox-exporter", .map(service(["/usr/bin/prometheus-blackbox-exporter", "--config.file=/etc/blackbox/blackbox.yml"],
                                                           volumes: [.string("./\(Self.blackboxConfig):/etc/blackbox/blackbox.yml:ro")], memory: "64M"))))
        if MonitoringFiles(layout: layout).readsRequests {
            // The socket a previous run left in the volume would stop it binding; umask 000: the
            // socket it creates must be writable by nginx's workers, another user.
            services.append(("mtail", .map(service([
                "/bin/sh", "-c",
                .string("rm -f \(Self.mtailSocket) && umask 000 && exec mtail --logtostderr --progs /etc/mtail --logs unixgram://\(Self.mtailSocket) --port \(Self.mtailPort)"),
            ], volumes: [.string("./\(Self.mtailProgram):/etc/mtail/nginx.mtail:ro"), .string("\(Self.mtailSocketVolume):\(Self.mtailSocketDirectory)")], memory: "64M"))))
        }
        for database in environment.databases.map(ComposeDatabase.init) {
            for instance in [database.service] + database.replicaServices {
                services.append((Self.postgresExporter(instance), .map(postgresExporter(database, instance: instance))))
            }
            if database.plan.pooling {
                var exporter = service(["python3", "/usr/local/bin/pgbouncer-exporter.py"],
                                       volumes: [.string("./\(Self.pgbouncerExporterScript):/usr/local/bin/pgbouncer-exporter.py:ro")], memory: "64M")
                // libpq reads the password from PGPASSWORD (the env file).
                exporter.append(("environment", .map([
                    ("PGBOUNCER_HOST", .string(database.pooler)), ("PGBOUNCER_PORT", .string("\(ComposeLayout.poolerPort)")),
                    ("PGBOUNCER_USER", .string(Self.metricsUser)),
                ])))
                exporter.append(("env_file", .list([.string(ComposeLayout.secretsFile(Self.pgbouncerExporter(database)))])))
                exporter.append(("depends_on", .map([(database.pooler, .map([("condition", "service_healthy")]))])))
                services.append((Self.pgbouncerExporter(database), .map(exporter)))
            }
        }
        for cache in environment.caches {
            for instance in [cache.name] + (cache.replica ? [ComposeFile.redisReplica(cache.name)] : []) {
                var exporter = service(["/usr/bin/prometheus-redis-exporter"], volumes: [], memory: "32M")
                exporter.append(("environment", .map([("REDIS_ADDR", .string("redis://\(instance):\(ComposeLayout.redisPort)"))])))
                exporter.append(("env_file", .list([.string(ComposeLayout.secretsFile(Self.redisExporter(instance)))])))
                services.append((Self.redisExporter(instance), .map(exporter)))
            }
        }
        return services
    }

    var volumes: [String] {
        guard enabled else { return [] }
        var volumes = ["prometheus-data"]
        if alerting { volumes.append("alertmanager-data") }
        if MonitoringFiles(layout: layout).readsRequests { volumes.append(Self.mtailSocketVolume) }
        return volumes
    }

    private func prometheus() -> YAML {
        var prometheus = service([
            "/usr/bin/prometheus",
            "--config.file=/etc/prometheus/prometheus.yml",
            "--storage.tsdb.path=/prometheus",
            .string("--storage.tsdb.retention.time=\(monitoring.metricsRetentionDays)d"),
            // A bound in bytes too, so a burst of series cannot fill the disk PostgreSQL needs.
            "--storage.tsdb.retention.size=5GB",
        ], volumes: [
            .string("./\(Self.prometheusConfig):/etc/prometheus/prometheus.yml:ro"),
            .string("./\(Self.rulesFile):/etc/prometheus/rules.yml:ro"),
            "prometheus-data:/prometheus",
        ], memory: "1024M", builds: true)
        prometheus.append(("ports", .list([.string("127.0.0.1:\(Self.prometheusPort):\(Self.prometheusPort)")])))
        return .map(prometheus)
    }

    private func alertmanager() -> YAML {
        var alertmanager = service(["/bin/sh", "/usr/local/bin/alertmanager-entrypoint.sh"], volumes: [
            .string("./\(Self.alertmanagerConfig):/etc/alertmanager/alertmanager.yml:ro"),
            .string("./\(Self.alertmanagerEntrypoint):/usr/local/bin/alertmanager-entrypoint.sh:ro"),
            "alertmanager-data:/alertmanager",
        ], memory: "128M")
        alertmanager.append(("env_file", .list([.string(ComposeLayout.secretsFile("alertmanager"))])))
        // Sticky and world-writable like /tmp (podman refuses a tmpfs owner); the entrypoint writes
        // each file with mode 0600 as the image's user.
        alertmanager.append(("tmpfs", .list([.string("\(Self.alertmanagerSecrets):size=64k,mode=1777")])))
        alertmanager.append(("ports", .list([.string("127.0.0.1:\(Self.alertmanagerPort):\(Self.alertmanagerPort)")])))
        return .map(alertmanager)
    }

    private func nodeExporter() -> YAML {
        var exporter = service([
            "/usr/bin/prometheus-node-exporter",
            "--path.rootfs=/host",
            "--collector.textfile.directory=/textfile",
            // Debian turns it on; a container has no systemd to ask.
            "--no-collector.systemd",
        ], volumes: [
            // The host's filesystems, read-only, for the disk alerts.
            "/:/host:ro,rslave",
            .string("./\(Self.textfileDirectory):/textfile:ro"),
        ], memory: "64M")
        exporter.append(("pid", "host"))
        return .map(exporter)
    }

    private func postgresExporter(_ database: ComposeDatabase, instance: String) -> [(String, YAML)] {
        var exporter = service(["/usr/bin/prometheus-postgres-exporter"], volumes: [], memory: "64M")
        // lib/pq reads the password from PGPASSWORD (the env file): it is in no URL or argument.
        exporter.append(("environment", .map([
            ("DATA_SOURCE_NAME", .string("host=\(instance) port=\(ComposeLayout.postgresPort) dbname=\(database.plan.name) user=\(Self.metricsUser) sslmode=disable")),
        ])))
        exporter.append(("env_file", .list([.string(ComposeLayout.secretsFile(Self.postgresExporter(instance)))])))
        exporter.append(("depends_on", .map([(instance, .map([("condition", "service_healthy")]))])))
        return exporter
    }

    /// A service of the monitoring image running `command`. Prometheus' service builds the
    /// image (once a deploy); the others use it as built and never pull it, since it is in no
    /// registry (`docker compose pull` skips them).
    private func service(_ command: [YAML], volumes: [YAML], memory: String, builds: Bool = false) -> [(String, YAML)] {
        var service: [(String, YAML)] = [("image", .string(image))]
        service.append(builds ? ("build", .map([("context", .string("./\(Self.folder)"))])) : ("pull_policy", "never"))
        service += [
            ("restart", "unless-stopped"),
            ("entrypoint", .list(command)),
        ]
        if !volumes.isEmpty { service.append(("volumes", .list(volumes))) }
        service.append(("deploy", .map([("resources", .map([("limits", .map([("cpus", "0.5"), ("memory", .string(memory))]))]))])))
        service.append(("logging", ComposeFile.logging))
        return service
    }

    // MARK: - Secrets

    /// The exporters' and Alertmanager's env files (variable, secret).
    var secretFiles: [(service: String, entries: [(variable: String, secret: String)])] {
        guard enabled else { return [] }
        var files: [(service: String, entries: [(variable: String, secret: String)])] = []
        for database in environment.databases.map(ComposeDatabase.init) {
            let password = Self.metricsPasswordSecret(database.plan)
            for instance in [database.service] + database.replicaServices {
                files.append((Self.postgresExporter(instance), [("PGPASSWORD", password)]))
            }
            if database.plan.pooling { files.append((Self.pgbouncerExporter(database), [("PGPASSWORD", password)])) }
        }
        for cache in environment.caches {
            for instance in [cache.name] + (cache.replica ? [ComposeFile.redisReplica(cache.name)] : []) {
                files.append((Self.redisExporter(instance), [("REDIS_PASSWORD", cache.passwordSecret)]))
            }
        }
        if alerting { files.append(("alertmanager", alertmanagerSecretNames.map { ($0, $0) })) }
        return files
    }
}
