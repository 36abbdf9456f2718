import StagecraftPlanner

/// One environment's plan as the values of the stack module's variables.
struct AWSEnvironmentValues {
    let environment: EnvironmentPlan
    let stack: String

    var name: String { "\(stack)-\(environment.name)" }
    var secretParameterPrefix: String { "/\(stack)/\(environment.name)/" }
    var backupCopyRegion: String? { environment.databases.lazy.compactMap { $0.backups?.crossRegionCopy }.first }

    /// Logs are evidence in production (a year); elsewhere a month is plenty.
    var logRetentionDays: Int { environment.isProduction ? 365 : 30 }

    var loadBalancer: HCLValue {
        let lb = environment.loadBalancer
        return [
            "idle_timeout": .int(lb?.timeoutSeconds ?? 60),
            "drain_seconds": .int(lb?.drainSeconds ?? 30),
            "deletion_protection": .bool(lb?.deletionProtection ?? environment.isProduction),
            "edge_firewall": .bool(lb?.edgeFirewall ?? false),
            "max_body_bytes": .int(maxBodyBytes),
            "content_length_over_limit": .string(AWSFirewall.contentLengthPattern(over: maxBodyBytes)),
            "rate_limits": .list((lb?.rateLimits ?? []).map(AWSEnvironmentValues.rateLimit)),
        ]
    }

    private var maxBodyBytes: Int { (environment.loadBalancer?.maxBodyMiB ?? 10) * 1024 * 1024 }

    /// WAF counts requests per client over a window of 1, 2, 5 or 10 minutes, and limits
    /// to no fewer than 10. A declared rate becomes the most it admits in a window, a full
    /// burst included (as nginx's `limit_req` admits them), over the shortest window that
    /// is no shorter than the declared period and holds at least 10.
    static func rateLimit(_ limit: RateLimitPlan) -> HCLValue {
        let admitted = { (window: Int) in limit.requests * window / limit.periodSeconds + limit.burst }
        let window = [60, 120, 300, 600].first { $0 >= limit.periodSeconds && admitted($0) >= 10 } ?? 600
        var fields: [HCLAttribute] = [
            HCLAttribute("limit", .int(max(10, admitted(window)))),
            HCLAttribute("window_seconds", .int(window)),
        ]
        if let path = limit.path { fields.append(HCLAttribute("path", .string(path))) }
        return .object(fields)
    }

    /// An image CI builds is pushed to the stack's registry; outside ECR (whose images the
    /// execution role pulls), ECS needs that registry's credentials to pull it.
    static func pullsWithCredentials(_ workload: WorkloadPlan) -> Bool {
        guard workload.image.build != nil else { return false }
        let host = workload.image.repository.split(separator: "/").first.map(String.init) ?? ""
        return !(host.contains(".dkr.ecr.") && host.hasSuffix(".amazonaws.com"))
    }

    /// The registries ECS pulls built images from with credentials, for the deploy and the README.
    var registriesNeedingCredentials: [String] {
        var hosts: [String] = []
        for workload in environment.workloads where Self.pullsWithCredentials(workload) {
            let host = String(workload.image.repository.split(separator: "/").first ?? "")
            if !hosts.contains(host) { hosts.append(host) }
        }
        return hosts
    }

    var workloads: HCLValue {
        let routed = environment.services.filter { $0.port != nil && $0.route != nil }
            .sorted { ($0.route!.count, $1.name) > ($1.route!.count, $0.name) }
        let priorities = Dictionary(uniqueKeysWithValues: routed.enumerated().map { ($1.name, 10 * ($0 + 1)) })
        return .object(environment.workloads.map { workload in
            HCLAttribute(workload.name, values(workload, priority: priorities[workload.name]))
        })
    }

    private func values(_ workload: WorkloadPlan, priority: Int?) -> HCLValue {
        let size = FargateSize(workload.resources)
        var fields: [HCLAttribute] = [
            HCLAttribute("image", .string(workload.image.repository)),
            HCLAttribute("tagged", .bool(workload.image.build != nil)),
            HCLAttribute("registry_login", .bool(Self.pullsWithCredentials(workload))),
        ]
        if let command = workload.command { fields.append(HCLAttribute("command", .strings(command))) }
        if let port = workload.port, let priority {
            fields += [
                HCLAttribute("port", .int(port)),
                HCLAttribute("health_check", .string(workload.healthCheck ?? "/")),
                HCLAttribute("path_pattern", .string(CDNOrigin.pattern(workload.route ?? "/"))),
                HCLAttribute("priority", .int(priority)),
            ]
        }
        if let command = workload.healthCommand { fields.append(HCLAttribute("health_command", .string(command))) }
        fields += [
            HCLAttribute("cpu", .int(size.cpu)),
            HCLAttribute("memory", .int(size.memory)),
            HCLAttribute("desired_count", .int(workload.scaling.min)),
            HCLAttribute("min_count", .int(workload.scaling.min)),
            HCLAttribute("max_count", .int(workload.scaling.max)),
        ]
        if let target = workload.scaling.cpuTarget { fields.append(HCLAttribute("cpu_target", .int(target))) }
        fields += [
            HCLAttribute("environment", .object(environmentVariables(workload).map { HCLAttribute($0.key, .string($0.value)) })),
            HCLAttribute("secrets", .strings(workload.secrets.filter { $0.purpose == .declared || $0.purpose == .errorTracking }.map(\.name))),
            HCLAttribute("databases", .strings(workload.databases)),
            HCLAttribute("caches", .strings(workload.caches)),
            HCLAttribute("buckets", .strings(workload.buckets)),
        ]
        return .object(fields)
    }

    /// The workload's config, after the tracing settings (for the collector beside it in the
    /// task) that the config does not set itself.
    private func environmentVariables(_ workload: WorkloadPlan) -> [(key: String, value: String)] {
        let declared = Set(workload.config.map(\.key))
        let tracing = TracingSettings.environment(service: workload.name, in: environment, collector: "http://127.0.0.1:4317")
        return tracing.filter { !declared.contains($0.key) } + workload.config.map { ($0.key, $0.value) }
    }

    var databases: HCLValue {
        .object(environment.databases.map { database in
            var fields: [HCLAttribute] = [
                HCLAttribute("version", .int(database.version)),
                HCLAttribute("env_prefix", .string(database.envPrefix)),
                HCLAttribute("instance_class", .string(Self.databaseClass(memoryMiB: database.resources.memoryMiB))),
                HCLAttribute("storage_gib", .int(database.storageGiB)),
                HCLAttribute("max_connections", .int(Self.maxConnections(memoryMiB: database.resources.memoryMiB))),
                HCLAttribute("multi_az", .bool(database.multiZone)),
                HCLAttribute("read_replicas", .int(database.readReplicas)),
                // Through an RDS Proxy.
                HCLAttribute("pooling", .bool(database.pooling)),
                // RDS keeps automated backups (and so point-in-time recovery) for 1 to 35 days.
                HCLAttribute("backup_retention_days", .int(database.backups.map { min(35, max(1, $0.retentionDays)) } ?? 0)),
                HCLAttribute("deletion_protection", .bool(environment.isProduction)),
                // -1 turns PostgreSQL's slow-query log off.
                HCLAttribute("slow_query_ms", .int(database.slowQueryMilliseconds ?? -1)),
            ]
            if let migrations = database.migrations {
                fields.append(HCLAttribute("migrate_in", .string(migrations.workload)))
            }
            if !PartitionMaintenance.tables(database).isEmpty {
                fields.append(HCLAttribute("partition_schedule", .string(AWSCron.expression(PartitionMaintenance.schedule(database)))))
            }
            if let backups = database.backups {
                var schedules: [HCLAttribute] = [HCLAttribute("full", .string(AWSCron.expression(backups.fullSchedule)))]
                if let differential = backups.differentialSchedule {
                    schedules.append(HCLAttribute("daily", .string(AWSCron.expression(differential))))
                }
                var backup = [
                    HCLAttribute("schedules", .object(schedules)),
                    HCLAttribute("retention_days", .int(backups.retentionDays)),
                    HCLAttribute("max_age_hours", .int(AlertCatalogue.backupAgeLimitSeconds(backups) / 3600)),
                ]
                if let restoreTest = backups.restoreTestSchedule {
                    backup.append(HCLAttribute("restore_test_schedule", .string(AWSCron.expression(restoreTest))))
                }
                fields.append(HCLAttribute("backup", .object(backup)))
            }
            return HCLAttribute(database.name, .object(fields))
        })
    }

    var caches: HCLValue {
        .object(environment.caches.map { cache in
            HCLAttribute(cache.name, [
                "engine_version": .string(cache.version >= 7 ? "7.1" : "6.2"),
                "env_prefix": .string(cache.envPrefix),
                "node_type": .string(Self.cacheNode(memoryMiB: cache.memoryMiB)),
                "replica": .bool(cache.replica),
                "multi_az": .bool(cache.multiZone),
                "persistence": .bool(cache.persistence),
            ])
        })
    }

    var buckets: HCLValue {
        .object(environment.buckets.map { HCLAttribute($0.name, ["versioned": .bool($0.versioned)]) })
    }

    var cdn: HCLValue {
        guard let cdn = environment.cdn else { return .null }
        var fields: [HCLAttribute] = [
            HCLAttribute("origin_domain", .string(cdn.originDomain)),
            HCLAttribute("aliases", .strings([environment.domain])),
            HCLAttribute("static_paths", .strings(cdn.staticPaths.map(CDNOrigin.pattern))),
            HCLAttribute("cacheable_paths", .strings(cdn.cacheablePaths.map(CDNOrigin.pattern))),
        ]
        let uploads = environment.services.lazy.compactMap { service -> String? in
            if case .bucket(let bucket)? = service.uploads { return bucket }
            return nil
        }.first
        if let uploads { fields.append(HCLAttribute("bucket", .string(uploads))) }
        if let verify = cdn.originVerification {
            fields.append(HCLAttribute("origin_verify", .object([
                HCLAttribute("header", .string(verify.header)),
                HCLAttribute("secret", .string(verify.secret)),
            ])))
        }
        return .object(fields)
    }

    /// Where alerts go, what the uptime check requests, and each routed service's objective.
    /// Secrets are named, never valued: the module reads them from Parameter Store at run time.
    /// The SecureString parameters the module makes as placeholders (parameters.tf), by name:
    /// the workloads' secrets and the alert receivers' (the first Slack and PagerDuty one).
    var secretParameters: [String] {
        let workloads = environment.workloads.flatMap(\.secrets).filter { $0.purpose == .declared || $0.purpose == .errorTracking }.map(\.name)
        let receivers = [AlertReceiverPlan.Kind.slack, .pagerDuty].compactMap { kind in
            environment.monitoring.receivers.first { $0.kind == kind }?.secret
        }
        return Set(workloads + receivers).sorted()
    }

    var monitoring: HCLValue {
        let monitoring = environment.monitoring
        let routed = Set(environment.services.filter { $0.port != nil && $0.route != nil }.map(\.name))
        func secret(_ kind: AlertReceiverPlan.Kind) -> HCLValue {
            monitoring.receivers.first { $0.kind == kind }?.secret.map(HCLValue.string) ?? .null
        }
        var uptime: HCLValue = .null
        if let url = monitoring.uptimeURL, let rest = url.split(separator: "://", maxSplits: 1).last {
            let host = rest.prefix { $0 != "/" }
            uptime = ["fqdn": .string(String(host)), "path": .string(rest.dropFirst(host.count).isEmpty ? "/" : String(rest.dropFirst(host.count)))]
        }
        return [
            "alerting": .bool(monitoring.alerting),
            "emails": .strings(monitoring.receivers.compactMap { $0.kind == .email ? $0.address : nil }),
            "slack_secret": secret(.slack),
            "pagerduty_secret": secret(.pagerDuty),
            "uptime": uptime,
            "tracing": .bool(monitoring.tracing),
            "objectives": .object(monitoring.objectives.filter { routed.contains($0.service) }.map { objective in
                var fields = [HCLAttribute("latency_ms", .int(objective.latencyMilliseconds))]
                if let availability = objective.availability { fields.append(HCLAttribute("availability", .number(availability))) }
                return HCLAttribute(objective.service, .object(fields))
            }),
        ]
    }

    /// `max_connections`, set rather than left to RDS's formula (memory / 9,531,392 bytes, of
    /// the memory left after the operating system's share) so the connection alarm's 80 % is
    /// exact; 70 % of the class's memory keeps it at or below what RDS would choose.
    static func maxConnections(memoryMiB: Int) -> Int {
        let classMemoryMiB = [1024, 2048, 4096, 8192, 16384, 32768, 65536, 131_072].first { memoryMiB <= $0 } ?? 131_072
        return min(5000, classMemoryMiB * 1_048_576 * 7 / 10 / 9_531_392)
    }

    /// The smallest RDS class with the memory the plan sizes the database for: burstable ones
    /// for small sizes, general-purpose and memory-optimised ones where the load is real.
    static func databaseClass(memoryMiB: Int) -> String {
        let classes: [(Int, String)] = [
            (1024, "db.t4g.micro"), (2048, "db.t4g.small"), (4096, "db.t4g.medium"), (8192, "db.m6g.large"),
            (16384, "db.r6g.large"), (32768, "db.r6g.xlarge"), (65536, "db.r6g.2xlarge"),
        ]
        return classes.first { memoryMiB <= $0.0 }?.1 ?? "db.r6g.4xlarge"
    }

    /// The smallest ElastiCache node with the memory the plan sizes the cache for.
    static func cacheNode(memoryMiB: Int) -> String {
        let nodes: [(Int, String)] = [
            (512, "cache.t4g.micro"), (1400, "cache.t4g.small"), (3160, "cache.t4g.medium"), (6530, "cache.m7g.large"),
            (13380, "cache.r7g.large"), (26930, "cache.r7g.xlarge"),
        ]
        return nodes.first { memoryMiB <= $0.0 }?.1 ?? "cache.r7g.2xlarge"
    }
}

/// AWS Backup's schedule syntax from a five-field cron expression: a sixth field for the
/// year, `?` in whichever day field is unused, and days of the week counted from 1 (Sunday).
enum AWSCron {
    static func expression(_ cron: String) -> String {
        var fields = cron.split(separator: " ").map(String.init)
        guard fields.count == 5 else { return "cron(\(cron))" }
        if fields[4] == "*" {
            fields[4] = "?"
        } else {
            fields[2] = "?"
            fields[4] = fields[4].split(separator: ",").map { part in
                part.split(separator: "-").map { Int($0).map { String($0 + 1) } ?? String($0) }.joined(separator: "-")
            }.joined(separator: ",")
        }
        return "cron(\(fields.joined(separator: " ")) *)"
    }
}
