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
            "rate_limits": .list((lb?.rateLimits ?? []).map(rateLimit)),
        ]
    }

    /// WAF counts requests per client IP over a window of 1, 2, 5 or 10 minutes, at least 10 of them.
    private func rateLimit(_ limit: RateLimitPlan) -> HCLValue {
        let window = [60, 120, 300, 600].first { $0 >= limit.periodSeconds } ?? 600
        var fields: [HCLAttribute] = [
            HCLAttribute("limit", .int(max(10, limit.requests * window / limit.periodSeconds))),
            HCLAttribute("window_seconds", .int(window)),
        ]
        if let path = limit.path { fields.append(HCLAttribute("path", .string(path))) }
        return .object(fields)
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
        fields += [
            HCLAttribute("cpu", .int(size.cpu)),
            HCLAttribute("memory", .int(size.memory)),
            HCLAttribute("desired_count", .int(workload.scaling.min)),
            HCLAttribute("min_count", .int(workload.scaling.min)),
            HCLAttribute("max_count", .int(workload.scaling.max)),
        ]
        if let target = workload.scaling.cpuTarget { fields.append(HCLAttribute("cpu_target", .int(target))) }
        fields += [
            HCLAttribute("environment", .object(workload.config.map { HCLAttribute($0.key, .string($0.value)) })),
            HCLAttribute("secrets", .strings(workload.secrets.filter { $0.purpose == .declared || $0.purpose == .errorTracking }.map(\.name))),
            HCLAttribute("databases", .strings(workload.databases)),
            HCLAttribute("caches", .strings(workload.caches)),
            HCLAttribute("buckets", .strings(workload.buckets)),
        ]
        return .object(fields)
    }

    var databases: HCLValue {
        .object(environment.databases.map { database in
            var fields: [HCLAttribute] = [
                HCLAttribute("version", .int(database.version)),
                HCLAttribute("env_prefix", .string(database.envPrefix)),
                HCLAttribute("instance_class", .string(Self.databaseClass(memoryMiB: database.resources.memoryMiB))),
                HCLAttribute("storage_gib", .int(database.storageGiB)),
                HCLAttribute("multi_az", .bool(database.multiZone)),
                HCLAttribute("read_replicas", .int(database.readReplicas)),
                // RDS keeps automated backups (and so point-in-time recovery) for 1 to 35 days.
                HCLAttribute("backup_retention_days", .int(database.backups.map { min(35, max(1, $0.retentionDays)) } ?? 0)),
                HCLAttribute("deletion_protection", .bool(environment.isProduction)),
                // -1 turns PostgreSQL's slow-query log off.
                HCLAttribute("slow_query_ms", .int(database.slowQueryMilliseconds ?? -1)),
            ]
            if let backups = database.backups {
                var schedules: [HCLAttribute] = [HCLAttribute("full", .string(AWSCron.expression(backups.fullSchedule)))]
                if let differential = backups.differentialSchedule {
                    schedules.append(HCLAttribute("daily", .string(AWSCron.expression(differential))))
                }
                fields.append(HCLAttribute("backup", .object([
                    HCLAttribute("schedules", .object(schedules)),
                    HCLAttribute("retention_days", .int(backups.retentionDays)),
                ])))
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
        return .object(fields)
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
