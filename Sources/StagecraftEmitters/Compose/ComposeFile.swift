import StagecraftPlanner
import StagecraftSpec

/// `compose.yaml` for one environment: nginx in front of the app services, workers, the
/// Postgres primary with its streaming standbys and PgBouncer, and Redis with its replica,
/// built as data.
struct ComposeFile {
    let layout: ComposeLayout
    var environment: EnvironmentPlan { layout.environment }

    static let nginxImage = "nginx:1.27"

    func document() -> YAML {
        var services = YAMLMap()
        var volumes: [String] = []
        for service in environment.services { services.set(service.name, workload(service)) }
        for worker in environment.workers { services.set(worker.name, workload(worker)) }
        for database in environment.databases.map(ComposeDatabase.init) {
            services.set(database.service, primary(database))
            volumes.append(database.dataVolume)
            if database.plan.backups != nil { volumes.append(database.backupVolume) }
            for index in database.replicaServices.indices.map({ $0 + 1 }) {
                services.set(database.replicaService(index), replica(database, index))
                volumes.append(database.replicaVolume(index))
            }
            if database.plan.pooling { services.set(database.pooler, pooler(database)) }
            if database.plan.backups?.restoreTestSchedule != nil { services.set(database.restoreTestService, restoreTest(database)) }
        }
        for cache in environment.caches {
            services.set(cache.name, redis(cache))
            if cache.persistence { volumes.append(Self.redisVolume(cache.name)) }
            if cache.replica {
                services.set(Self.redisReplica(cache.name), redis(cache, replicaOf: cache.name))
                if cache.persistence { volumes.append(Self.redisVolume(Self.redisReplica(cache.name))) }
            }
        }
        if !environment.services.isEmpty { services.set("nginx", nginx()) }
        if layout.certificateDomain != nil {
            services.set(ComposeLayout.acmeService, acme())
            volumes += [ComposeLayout.certificatesVolume, ComposeLayout.challengesVolume]
        }
        let monitoring = ComposeMonitoring(layout: layout)
        for (name, service) in monitoring.services() { services.set(name, service) }
        volumes += monitoring.volumes

        var document = YAMLMap()
        document.set("name", .string(layout.project))
        document.set("services", services.yaml)
        if !volumes.isEmpty { document.set("volumes", .map(volumes.map { ($0, .map([])) })) }
        // The stack's own ComposeOverride blocks, last and in order, as Compose merges override files.
        return environment.escapeHatches.reduce(document.yaml) { document, hatch in
            guard case .composeOverride(let patch) = hatch.change else { return document }
            return document.merging(patch)
        }
    }

    // MARK: - App services and workers

    private func workload(_ workload: WorkloadPlan) -> YAML {
        var service = YAMLMap()
        // An image CI builds runs by the digest its push reported, which the deploy writes to .env.
        let digest = workload.image.digestVariable.map { "${\($0):?\($0) names the image to run}" } ?? ""
        service.set("image", .string(workload.image.reference(digest: digest)))
        if let command = workload.command { service.set("command", .list(command.map { .string(ComposeText.literal($0)) })) }
        service.set("restart", "unless-stopped")
        service.set("env_file", .list([
            .string(ComposeLayout.configFile(workload.name)),
            .string(ComposeLayout.secretsFile(workload.name)),
        ]))
        let connections = connectionSettings(workload)
        if !connections.isEmpty { service.set("environment", .map(connections)) }
        // Apps reach a pooled database through its pooler, which waits for the primary.
        let databases = environment.databases.filter { workload.databases.contains($0.name) }.map { ComposeDatabase(plan: $0).clientHost }
        let dependencies = databases + workload.caches
        if !dependencies.isEmpty {
            service.set("depends_on", .map(dependencies.map { ($0, .map([("condition", "service_healthy")])) }))
        }
        if let port = workload.port, let path = workload.healthCheck {
            service.set("healthcheck", healthCheck(["CMD-SHELL", ComposeText.literal(httpProbe(port: port, path: path))], startPeriod: 30))
        } else if let command = workload.healthCommand {
            service.set("healthcheck", healthCheck(["CMD-SHELL", ComposeText.literal(command)], startPeriod: 30))
        }
        if workload.kind == .service, let lb = environment.loadBalancer {
            // Time for in-flight requests to finish after nginx stops sending new ones.
            service.set("stop_grace_period", .string("\(lb.drainSeconds)s"))
        }
        service.set("deploy", .map([
            ("replicas", .int(workload.scaling.min)),
            ("resources", .map([("limits", limits(workload.resources))])),
        ]))
        service.set("logging", Self.logging)
        return service.yaml
    }

    /// Probes the health path from inside the container with whichever HTTP client the image has.
    private func httpProbe(port: Int, path: String) -> String {
        let url = FormatQuoting.shell("http://127.0.0.1:\(port)\(path)")
        return "wget -q -O /dev/null \(url) 2>/dev/null || curl -fsS -o /dev/null \(url)"
    }

    /// Where each database and cache the workload uses is; passwords arrive through its secrets file.
    private func connectionSettings(_ workload: WorkloadPlan) -> [(String, YAML)] {
        var settings: [(String, YAML)] = []
        for database in environment.databases.filter({ workload.databases.contains($0.name) }).map(ComposeDatabase.init) {
            let prefix = database.plan.envPrefix
            settings += [
                ("\(prefix)_HOST", .string(database.clientHost)),
                ("\(prefix)_PORT", .string("\(database.clientPort)")),
                // Standbys are not pooled: reads keep their own port.
                ("\(prefix)_READ_HOST", .string(database.readHost)),
                ("\(prefix)_READ_PORT", .string("\(ComposeLayout.postgresPort)")),
                ("\(prefix)_NAME", .string(database.plan.name)),
                ("\(prefix)_USER", .string(database.appUser)),
            ]
        }
        if !workload.buckets.isEmpty {
            // The buckets' region; their names and the key arrive through the secrets file.
            settings.append(("AWS_REGION", .string(environment.region)))
        }
        for cache in environment.caches where workload.caches.contains(cache.name) {
            settings += [
                ("\(cache.envPrefix)_HOST", .string(cache.name)),
                ("\(cache.envPrefix)_PORT", .string("\(ComposeLayout.redisPort)")),
                ("\(cache.envPrefix)_READ_HOST", .string(cache.replica ? Self.redisReplica(cache.name) : cache.name)),
            ]
        }
        return settings
    }

    // MARK: - Postgres

    private func primary(_ database: ComposeDatabase) -> YAML {
        var volumes: [YAML] = [
            .string("\(database.dataVolume):\(ComposeLayout.postgresData)"),
            .string("./\(database.configFolder)/primary.conf:\(ComposeLayout.postgresConfig):ro"),
            .string("./\(database.configFolder)/pg_hba.conf:\(ComposeLayout.postgresHBA):ro"),
            .string("./\(database.configFolder)/roles.sh:\(ComposeLayout.rolesScriptMount):ro"),
        ]
        volumes += backupMounts(database)
        var service = postgresBase(database)
        service.set("command", postgresCommand)
        service.set("environment", .map([("POSTGRES_USER", .string(database.superuser)), ("POSTGRES_DB", .string(database.plan.name))] + backupCopyStore(database)))
        service.set("volumes", .list(volumes))
        service.set("healthcheck", healthCheck(postgresReady(database), startPeriod: 60))
        service.set("shm_size", "256mb")
        service.set("stop_grace_period", "60s")
        service.set("deploy", .map([("resources", .map([("limits", limits(database.plan.resources))]))]))
        service.set("logging", Self.logging)
        return service.yaml
    }

    private func replica(_ database: ComposeDatabase, _ index: Int) -> YAML {
        let entrypoint = "/usr/local/bin/replica-entrypoint.sh"
        var volumes: [YAML] = [
            .string("\(database.replicaVolume(index)):\(ComposeLayout.postgresData)"),
            .string("./\(database.configFolder)/replica-\(index).conf:\(ComposeLayout.postgresConfig):ro"),
            .string("./\(database.configFolder)/pg_hba.conf:\(ComposeLayout.postgresHBA):ro"),
            .string("./\(database.configFolder)/replica-entrypoint.sh:\(entrypoint):ro"),
        ]
        if database.plan.backups?.walArchiving == true {
            // A standby that fell behind its slot's retained WAL catches up from the archive.
            volumes.append(.string("./pgbackrest/pgbackrest.conf:\(ComposeLayout.pgbackrestConfig):ro"))
            volumes.append(.string("\(database.backupVolume):\(ComposeLayout.pgbackrestRepository):ro"))
        }
        var service = postgresBase(database)
        service.set("user", "postgres")
        service.set("entrypoint", .list(["bash", .string(entrypoint)]))
        service.set("command", postgresCommand)
        service.set("environment", .map([("REPLICATION_SLOT", .string(database.slot(index)))]
            + (database.plan.backups?.walArchiving == true ? backupCopyStore(database) : [])))
        service.set("volumes", .list(volumes))
        service.set("networks", .map([("default", .map([("aliases", .list([.string(database.readAlias)]))]))]))
        service.set("depends_on", .map([(database.service, .map([("condition", "service_healthy")]))]))
        service.set("healthcheck", healthCheck(postgresReady(database), startPeriod: 300))
        service.set("shm_size", "256mb")
        service.set("stop_grace_period", "60s")
        service.set("deploy", .map([("resources", .map([("limits", limits(database.plan.resources))]))]))
        service.set("logging", Self.logging)
        return service.yaml
    }

    /// Ready once the server answers on TCP: the image's first-start server (which runs the init
    /// folder) listens on the socket only, and a standby answers only once it accepts reads.
    /// pg_isready needs no password; the pg_hba.conf refusal still proves the server is up.
    private func postgresReady(_ database: ComposeDatabase) -> [String] {
        ["CMD", "pg_isready", "--host", "127.0.0.1", "--port", "\(ComposeLayout.postgresPort)", "--username", database.appUser, "--dbname", database.plan.name]
    }

    private func postgresBase(_ database: ComposeDatabase) -> YAMLMap {
        var service = YAMLMap()
        service.set("image", .string(database.image))
        if database.plan.backups != nil {
            service.set("build", .map([
                ("context", .string("./postgres")),
                ("args", .map([("POSTGRES_VERSION", .string("\(database.plan.version)"))])),
            ]))
        }
        service.set("restart", "unless-stopped")
        service.set("env_file", .list([.string(ComposeLayout.secretsFile(database.service))]))
        return service
    }

    private var postgresCommand: YAML {
        .list(["postgres", "-c", .string("config_file=\(ComposeLayout.postgresConfig)"), "-c", .string("hba_file=\(ComposeLayout.postgresHBA)")])
    }

    /// Where pgBackRest's second repository is: AWS's S3 in the copy region unless the deploy's
    /// settings (in .env) name another S3-compatible store.
    private func backupCopyStore(_ database: ComposeDatabase) -> [(String, YAML)] {
        guard let region = database.backupCopyRegion else { return [] }
        return [
            ("PGBACKREST_REPO2_S3_ENDPOINT", .string("${\(ComposeLayout.backupCopyEndpoint):-s3.\(ComposeText.literal(region)).amazonaws.com}")),
            ("PGBACKREST_REPO2_STORAGE_PORT", .string("${\(ComposeLayout.backupCopyPort):-443}")),
            ("PGBACKREST_REPO2_S3_URI_STYLE", .string("${\(ComposeLayout.backupCopyURIStyle):-host}")),
        ]
    }

    private func backupMounts(_ database: ComposeDatabase) -> [YAML] {
        guard database.plan.backups != nil else { return [] }
        return [
            .string("\(database.backupVolume):\(ComposeLayout.pgbackrestRepository)"),
            .string("./pgbackrest/pgbackrest.conf:\(ComposeLayout.pgbackrestConfig):ro"),
        ]
    }

    /// A one-off container of the database image that restores the backups and checks them
    /// (backup/restore-test.sh), run by the crontab; never part of `up` (the `tools` profile).
    private func restoreTest(_ database: ComposeDatabase) -> YAML {
        var service = YAMLMap()
        // The image the database service builds.
        service.set("image", .string(database.image))
        service.set("profiles", .list(["tools"]))
        service.set("env_file", .list([.string(ComposeLayout.secretsFile(database.service))]))
        service.set("user", "postgres")
        service.set("entrypoint", .list(["bash", .string(ComposeLayout.restoreTestScript)]))
        service.set("command", .list([.string(database.stanza)]))
        service.set("volumes", .list([
            .string("\(database.backupVolume):\(ComposeLayout.pgbackrestRepository):ro"),
            .string("./pgbackrest/pgbackrest.conf:\(ComposeLayout.pgbackrestConfig):ro"),
            .string("./backup/restore-test.sh:\(ComposeLayout.restoreTestScript):ro"),
            .string("./\(database.configFolder)/primary.conf:\(ComposeLayout.postgresConfig):ro"),
            .string("./\(database.configFolder)/pg_hba.conf:\(ComposeLayout.postgresHBA):ro"),
            // The scratch copy: a volume of its own (the image's postgres home, so postgres owns it),
            // removed with the container.
            .string(ComposeLayout.restoreScratch),
        ]))
        service.set("environment", .map([("TMPDIR", .string(ComposeLayout.restoreScratch))] + backupCopyStore(database)))
        service.set("shm_size", "256mb")
        service.set("deploy", .map([("resources", .map([("limits", limits(database.plan.resources))]))]))
        service.set("logging", Self.logging)
        return service.yaml
    }

    // MARK: - PgBouncer

    private func pooler(_ database: ComposeDatabase) -> YAML {
        var service = YAMLMap()
        service.set("image", .string(database.poolerImage))
        service.set("build", .map([
            ("context", .string("./\(ComposeLayout.poolerFolder)")),
            ("args", .map([("POSTGRES_VERSION", .string("\(database.plan.version)"))])),
        ]))
        service.set("restart", "unless-stopped")
        service.set("user", "postgres")
        service.set("entrypoint", .list(["bash", .string(ComposeLayout.poolerEntrypoint)]))
        // Only the app role's password (and the exporters'), in a file of its own: the pooler
        // never sees the others.
        service.set("env_file", .list([.string(ComposeLayout.secretsFile(database.pooler))]))
        var users: [(String, YAML)] = [("AUTH_USER", .string(database.appUser))]
        if environment.monitoring.metrics { users.append(("METRICS_USER", .string(ComposeMonitoring.metricsUser))) }
        service.set("environment", .map(users))
        service.set("volumes", .list([
            .string("./\(database.poolerConfigPath):\(ComposeLayout.poolerConfig):ro"),
            .string("./\(ComposeLayout.poolerFolder)/entrypoint.sh:\(ComposeLayout.poolerEntrypoint):ro"),
        ]))
        // Sticky and world-writable, like /tmp: a tmpfs owner (uid=) is not an option every engine
        // takes (podman refuses it), and the entrypoint writes the auth file itself with mode 0600.
        service.set("tmpfs", .list([.string("\(ComposeLayout.poolerAuthDirectory):size=1m,mode=1777")]))
        service.set("depends_on", .map([(database.service, .map([("condition", "service_healthy")]))]))
        // Answers once PgBouncer accepts connections (pg_isready needs no password for that).
        service.set("healthcheck", healthCheck([
            "CMD", "pg_isready", "--host", "127.0.0.1", "--port", "\(ComposeLayout.poolerPort)", "--username", database.appUser, "--dbname", database.plan.name,
        ], startPeriod: 10))
        // SIGINT is PgBouncer's safe shutdown: it waits for running transactions to finish.
        service.set("stop_signal", "SIGINT")
        service.set("stop_grace_period", "30s")
        service.set("deploy", .map([("resources", .map([("limits", .map([("cpus", "1.0"), ("memory", "128M")]))]))]))
        service.set("logging", Self.logging)
        return service.yaml
    }

    // MARK: - Redis

    static func redisReplica(_ cache: String) -> String { "\(cache)-replica" }
    static func redisVolume(_ service: String) -> String { "\(service)-data" }

    /// The primary, or with `primary` a read-only replica of it that authenticates with the
    /// same password (the secret env file is shared) and reports healthy only once in sync.
    private func redis(_ cache: CachePlan, replicaOf primary: String? = nil) -> YAML {
        let name = primary.map(Self.redisReplica) ?? cache.name
        // Redis refuses writes past maxmemory instead of growing until the container's limit kills it;
        // a quarter is left for the copy-on-write of persistence and replication.
        var arguments = ["--requirepass \"$$REDIS_PASSWORD\"", "--maxmemory \(cache.memoryMiB * 3 / 4)mb"]
        arguments += cache.persistence
            ? ["--appendonly yes", "--appendfsync everysec"]
            : ["--appendonly no", "--save ''"]
        if let primary {
            arguments += ["--replicaof \(primary) \(ComposeLayout.redisPort)", "--masterauth \"$$REDIS_PASSWORD\"", "--replica-read-only yes"]
        }
        let ping = "REDISCLI_AUTH=\"$$REDIS_PASSWORD\" redis-cli"
        let probe = primary == nil
            ? "\(ping) ping | grep -q PONG"
            : "\(ping) info replication | grep -q '^master_link_status:up'"
        var service = YAMLMap()
        service.set("image", .string("redis:\(cache.version)"))
        // The image drops root only when its command is redis-server; this one is a shell.
        service.set("user", "redis")
        service.set("restart", "unless-stopped")
        service.set("env_file", .list([.string(ComposeLayout.secretsFile(cache.name))]))
        // Through a shell so the password comes from the environment, not the command line of the file.
        service.set("command", .list(["sh", "-c", .string("exec redis-server " + arguments.joined(separator: " "))]))
        if cache.persistence { service.set("volumes", .list([.string("\(Self.redisVolume(name)):/data")])) }
        if primary != nil {
            service.set("depends_on", .map([(cache.name, .map([("condition", "service_healthy")]))]))
        }
        service.set("healthcheck", healthCheck(["CMD-SHELL", probe], startPeriod: primary == nil ? 10 : 60))
        service.set("deploy", .map([("resources", .map([("limits", .map([("memory", .string("\(cache.memoryMiB)M"))]))]))]))
        service.set("logging", Self.logging)
        return service.yaml
    }

    // MARK: - nginx

    private func nginx() -> YAML {
        var ports: [YAML] = ["80:80"]
        var volumes: [YAML] = [
            "./nginx/nginx.conf:/etc/nginx/nginx.conf:ro",
            .string("./\(ComposeLayout.nginxResolverScript):\(ComposeLayout.nginxResolverScriptMount):ro"),
        ]
        if layout.certificateDomain != nil {
            ports.append("443:443")
            // The certificate the acme service keeps, and the HTTP-01 challenges it leaves for the CA.
            volumes.append(.string("\(ComposeLayout.certificatesVolume):\(ComposeLayout.nginxCertificates):ro"))
            volumes.append(.string("\(ComposeLayout.challengesVolume):\(ComposeLayout.challengesRoot):ro"))
        }
        if environment.monitoring.metrics {
            // Where mtail listens for the request log (nginx.conf's metrics access_log).
            volumes.append(.string("\(ComposeMonitoring.mtailSocketVolume):\(ComposeMonitoring.mtailSocketDirectory)"))
        }
        let verifiesOrigin = environment.cdn?.originVerification != nil
        if verifiesOrigin {
            volumes.append(.string("./\(ComposeLayout.nginxOriginVerifyScript):\(ComposeLayout.nginxOriginVerifyScriptMount):ro"))
        }
        var service = YAMLMap()
        service.set("image", .string(Self.nginxImage))
        service.set("restart", "unless-stopped")
        if verifiesOrigin {
            service.set("env_file", .list([.string(ComposeLayout.secretsFile(ComposeLayout.nginxService))]))
        }
        service.set("ports", .list(ports))
        service.set("volumes", .list(volumes))
        if verifiesOrigin {
            // The CDN's shared secret, written at start by origin-verify.sh, never on a disk.
            service.set("tmpfs", .list([.string("\(ComposeLayout.nginxPrivate):size=64k,mode=0700")]))
        }
        // Waiting for healthy needs a health check; a service without one is waited for until started.
        service.set("depends_on", .map(environment.services.map { app in
            (app.name, .map([("condition", app.port != nil && app.healthCheck != nil ? "service_healthy" : "service_started")]))
        }))
        service.set("healthcheck", healthCheck(["CMD-SHELL", "curl -fsS -o /dev/null http://127.0.0.1/nginx-health"], startPeriod: 10))
        service.set("deploy", .map([("resources", .map([("limits", .map([("cpus", "1.0"), ("memory", "256M")]))]))]))
        service.set("logging", Self.logging)
        return service.yaml
    }

    // MARK: - Certificates

    /// Run by the deploy and the crontab (`docker compose run --rm acme`), never left running:
    /// the `tools` profile keeps it out of `up`.
    private func acme() -> YAML {
        var service = YAMLMap()
        service.set("image", .string(ComposeLayout.acmeImage))
        service.set("profiles", .list(["tools"]))
        service.set("entrypoint", .list(["/bin/sh", .string(ComposeLayout.acmeScriptMount)]))
        service.set("environment", .map([
            // Let's Encrypt unless the deploy's ACME_DIRECTORY setting (in .env) names another CA.
            ("ACME_DIRECTORY", .string("${ACME_DIRECTORY:-\(Self.letsEncrypt)}")),
        ]))
        service.set("volumes", .list([
            .string("\(ComposeLayout.certificatesVolume):\(ComposeLayout.acmeData)"),
            .string("\(ComposeLayout.challengesVolume):\(ComposeLayout.challengesRoot)"),
            .string("./\(ComposeLayout.acmeScript):\(ComposeLayout.acmeScriptMount):ro"),
        ]))
        service.set("logging", Self.logging)
        return service.yaml
    }

    static let letsEncrypt = "https://acme-v02.api.letsencrypt.org/directory"

    // MARK: - Shared pieces

    private func healthCheck(_ test: [String], startPeriod: Int) -> YAML {
        .map([
            ("test", .list(test.map { .string($0) })),
            ("interval", "10s"),
            ("timeout", "5s"),
            ("retries", 3),
            ("start_period", .string("\(startPeriod)s")),
        ])
    }

    private func limits(_ resources: ResourcesSpec) -> YAML {
        .map([("cpus", .string(Self.cores(resources.cpuMillicores))), ("memory", .string("\(resources.memoryMiB)M"))])
    }

    /// Millicores as Compose writes CPUs: 250 → "0.25", 1000 → "1".
    static func cores(_ millicores: Int) -> String {
        let whole = millicores / 1000, fraction = millicores % 1000
        guard fraction != 0 else { return "\(whole)" }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 3 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }

    /// Rotated, so a chatty container cannot fill the host's disk.
    static var logging: YAML {
        .map([("driver", "json-file"), ("options", .map([("max-size", "10m"), ("max-file", "5")]))])
    }
}
