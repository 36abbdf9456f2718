import StagecraftSpec

/// What a stage asks for when the stack does not say (DESIGN §3). This file is the
/// whole policy: the planner reads the typed values, `stagecraft stages` prints the rows.
public struct StageDefaults: Sendable {
    public var appInstances: Instances
    public var workerInstances: Instances
    /// The fewest app instances the stage accepts when the stack sets a count itself.
    public var minimumAppInstances: Int
    public var zones: Int
    public var drainSeconds: Int
    public var rateLimitPerMinute: Int
    public var edgeFirewall: Bool
    public var inProcessSessions: Severity
    public var localUploads: Severity
    public var inlineJobs: Severity
    public var cacheReplica: Bool
    public var cdn: Bool
    public var cdnCachesAPI: Bool
    public var readReplicas: Int
    public var pooling: Bool
    public var rpo: TimeSpan
    public var retention: TimeSpan
    public var walArchiving: Bool
    public var restoreTestEvery: TimeSpan?
    public var crossRegionBackupCopy: Bool
    public var requiresRecoveryTime: Bool
    public var environments: [EnvironmentSpec.Kind]
    public var productionApproval: Approval
    public var rollout: Rollout
    public var lint: Bool
    public var dependencyReview: Bool
    public var driftCheck: Bool
    public var codeScanning: Bool
    public var secretScanning: Bool
    public var metrics: Bool
    public var alerting: Bool
    public var tracing: Bool
    public var slos: Bool
    /// How long production keeps its metrics: past the longest burn-rate window (3 days).
    public var metricsRetentionDays: Int
    public var secretRotation: Bool
    public var platform: PlatformKind
    public var resources: ResourcesSpec
    public var databaseStorageGiB: Int
    /// CPU and memory of each database instance.
    public var databaseResources: ResourcesSpec
    /// Memory of each cache instance.
    public var cacheMemoryMiB: Int
}

/// How much a finding matters at a stage.
public enum Severity: String, Codable, Sendable, Comparable {
    case info, warning, error

    public static func < (lhs: Severity, rhs: Severity) -> Bool {
        let order: [Severity] = [.info, .warning, .error]
        return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
    }
}

public enum StagePolicy {
    public static func defaults(for stage: Stage) -> StageDefaults {
        switch stage {
        case .mvp: mvp
        case .growth: growth
        case .scale: scale
        }
    }

    static let mvp = StageDefaults(
        appInstances: 1, workerInstances: 1, minimumAppInstances: 1, zones: 1, drainSeconds: 5,
        rateLimitPerMinute: 600, edgeFirewall: false,
        inProcessSessions: .warning, localUploads: .warning, inlineJobs: .warning,
        cacheReplica: false, cdn: false, cdnCachesAPI: false,
        readReplicas: 0, pooling: false,
        rpo: .hours(24), retention: .days(7), walArchiving: false, restoreTestEvery: nil,
        crossRegionBackupCopy: false, requiresRecoveryTime: false,
        environments: [.development, .production], productionApproval: .none, rollout: .rolling,
        lint: false, dependencyReview: false, driftCheck: true, codeScanning: false, secretScanning: false,
        metrics: false, alerting: false, tracing: false, slos: false, metricsRetentionDays: 15, secretRotation: false,
        platform: .compose, resources: ResourcesSpec(cpuMillicores: 250, memoryMiB: 256), databaseStorageGiB: 10,
        databaseResources: ResourcesSpec(cpuMillicores: 500, memoryMiB: 1024), cacheMemoryMiB: 256
    )

    static let growth = StageDefaults(
        appInstances: 2, workerInstances: 2, minimumAppInstances: 2, zones: 2, drainSeconds: 15,
        rateLimitPerMinute: 600, edgeFirewall: false,
        inProcessSessions: .error, localUploads: .error, inlineJobs: .error,
        cacheReplica: false, cdn: true, cdnCachesAPI: false,
        readReplicas: 1, pooling: true,
        rpo: .hours(1), retention: .days(14), walArchiving: true, restoreTestEvery: .days(30),
        crossRegionBackupCopy: false, requiresRecoveryTime: false,
        environments: [.development, .staging, .production], productionApproval: .required, rollout: .rolling,
        lint: true, dependencyReview: true, driftCheck: true, codeScanning: false, secretScanning: false,
        metrics: true, alerting: true, tracing: false, slos: false, metricsRetentionDays: 15, secretRotation: false,
        platform: .compose, resources: ResourcesSpec(cpuMillicores: 500, memoryMiB: 512), databaseStorageGiB: 50,
        databaseResources: ResourcesSpec(cpuMillicores: 2000, memoryMiB: 4096), cacheMemoryMiB: 1024
    )

    static let scale = StageDefaults(
        appInstances: .autoscale(min: 3, max: 12, cpu: 70), workerInstances: .autoscale(min: 2, max: 10, cpu: 70),
        minimumAppInstances: 3, zones: 3, drainSeconds: 30,
        rateLimitPerMinute: 1200, edgeFirewall: true,
        inProcessSessions: .error, localUploads: .error, inlineJobs: .error,
        cacheReplica: true, cdn: true, cdnCachesAPI: true,
        readReplicas: 2, pooling: true,
        rpo: .minutes(5), retention: .days(35), walArchiving: true, restoreTestEvery: .days(7),
        crossRegionBackupCopy: true, requiresRecoveryTime: true,
        environments: [.development, .staging, .production], productionApproval: .required, rollout: .canary,
        lint: true, dependencyReview: true, driftCheck: true, codeScanning: true, secretScanning: true,
        metrics: true, alerting: true, tracing: true, slos: true, metricsRetentionDays: 30, secretRotation: true,
        platform: .kubernetes, resources: ResourcesSpec(cpuMillicores: 1000, memoryMiB: 1024), databaseStorageGiB: 200,
        databaseResources: ResourcesSpec(cpuMillicores: 4000, memoryMiB: 16384), cacheMemoryMiB: 6144
    )

    /// One printable row of the policy: a concern and what each stage asks for.
    public struct Row: Sendable {
        public var concern: String
        public var values: [String]
    }

    /// The policy as a table, derived from the typed defaults above.
    public static var rows: [Row] {
        func row(_ concern: String, _ render: (StageDefaults, Stage) -> String) -> Row {
            Row(concern: concern, values: Stage.allCases.map { render(defaults(for: $0), $0) })
        }
        func on(_ flag: Bool, _ text: String) -> String { flag ? text : "—" }
        func allowed(_ severity: Severity, _ what: String) -> String {
            severity == .error ? "must not be \(what) (gate)" : "may be \(what) (\(severity.rawValue))"
        }
        return [
            row("app instances") { d, _ in
                switch d.appInstances {
                case .fixed(1): "1"
                case .fixed(let n): "\(n) behind a load balancer"
                case .autoscale(let min, let max, let cpu): "autoscaled \(min)–\(max) at \(cpu)% CPU across \(d.zones) zones"
                }
            },
            row("load balancer") { d, stage in
                stage == .mvp ? "reverse proxy with TLS"
                    : "health checks, rolling deploys, \(d.drainSeconds) s draining" + (d.zones > 2 ? ", multi-zone" : "")
            },
            row("rate limiting") { d, _ in
                "\(d.rateLimitPerMinute)/min per IP" + (d.edgeFirewall ? ", per-client tiers at the edge (WAF)" : " at the proxy")
            },
            row("sessions") { d, _ in allowed(d.inProcessSessions, "in-process") },
            row("uploads") { d, _ in allowed(d.localUploads, "on local disk") },
            row("background jobs") { d, _ in
                allowed(d.inlineJobs, "inline") + (d.workerInstances.minimum > 1 ? "; workers: \(d.workerInstances)" : "")
            },
            row("cache") { d, stage in
                (stage == .mvp ? "optional" : d.cacheReplica ? "Redis with replica" : "Redis for sessions, computed values, hot queries")
                    + ", \(d.cacheMemoryMiB) MiB"
            },
            row("CDN") { d, _ in d.cdnCachesAPI ? "static assets + cacheable API responses" : on(d.cdn, "static assets") },
            row("database") { d, _ in
                "primary" + (d.readReplicas > 0 ? " + \(d.readReplicas) read replica\(d.readReplicas > 1 ? "s" : "")" : "")
                    + (d.pooling ? ", connection pooling" : "")
                    + ", \(Double(d.databaseResources.cpuMillicores) / 1000) CPU / \(d.databaseResources.memoryMiB / 1024) GiB RAM / \(d.databaseStorageGiB) GiB disk each"
            },
            row("backups") { d, _ in
                var parts = ["RPO \(d.rpo)", "kept \(d.retention)"]
                parts.append(d.walArchiving ? "WAL archiving (PITR)" : "daily full")
                if let every = d.restoreTestEvery { parts.append("restore test every \(every)") }
                if d.crossRegionBackupCopy { parts.append("cross-region copy") }
                if d.requiresRecoveryTime { parts.append("RTO declared") }
                return parts.joined(separator: ", ")
            },
            row("environments") { d, _ in
                d.environments.map(\.rawValue).joined(separator: " + ")
                    + (d.productionApproval == .required ? "; production needs approval" : "")
            },
            row("CI") { d, _ in
                var checks = ["build", "test", "drift check"]
                if d.lint { checks.append("lint") }
                if d.dependencyReview { checks.append("dependency review") }
                if d.codeScanning { checks.append("code scanning") }
                if d.secretScanning { checks.append("secret scanning") }
                return checks.joined(separator: ", ")
            },
            row("CD") { d, _ in
                switch (d.environments.contains(.staging), d.rollout) {
                case (false, _): "main → production"
                case (true, .rolling): "main → staging, production by approval"
                case (true, let rollout): "main → staging, production by approval, \(rollout == .canary ? "canary" : "blue-green") with automatic rollback"
                }
            },
            row("monitoring") { d, _ in
                var parts = ["error tracking", "uptime check", "logs"]
                if d.metrics { parts.append("metrics") }
                if d.alerting { parts.append("alerting") }
                if d.metrics { parts.append("slow-query log") }
                if d.tracing { parts.append("tracing") }
                if d.slos { parts.append("SLOs with burn-rate alerts") }
                return parts.joined(separator: ", ")
            },
            row("secrets") { d, _ in "references only, never literals" + (d.secretRotation ? ", rotated" : "") },
            row("platform") { d, _ in d.platform == .compose ? "single host (compose)" : "\(d.platform) or aws, \(d.zones) zones" },
            row("instance size") { d, _ in "\(Double(d.resources.cpuMillicores) / 1000) CPU, \(d.resources.memoryMiB) MiB" },
        ]
    }
}
