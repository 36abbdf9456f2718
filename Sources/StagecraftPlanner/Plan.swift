import StagecraftSpec

/// Everything decided for a stack: one plan per environment and the CI/CD pipeline.
/// Emitters render it and consult nothing else.
public struct StackPlan: Codable, Sendable, Equatable {
    public var stack: String
    public var stackFile: String
    public var stage: Stage
    public var environments: [EnvironmentPlan]
    public var pipeline: PipelinePlan
    public var warnings: [Diagnostic]

    public func environment(_ name: String) -> EnvironmentPlan? { environments.first { $0.name == name } }
}

public struct EnvironmentPlan: Codable, Sendable, Equatable {
    public var name: String
    public var kind: EnvironmentSpec.Kind
    public var stage: Stage
    public var platform: PlatformKind
    public var zones: Int
    public var region: String
    public var domain: String
    /// The public DNS zone the platform issues certificates and writes records in (AWS only);
    /// nil leaves both to whoever runs the environment.
    public var dnsZone: String?
    /// The AWS account whose IAM roles the environment's pods take (Kubernetes only).
    public var account: String? = nil
    /// The cluster's own External Secrets store the environment reads from; nil: its own (Kubernetes only).
    public var secretStore: String? = nil
    public var services: [WorkloadPlan]
    public var workers: [WorkloadPlan]
    public var databases: [DatabasePlan]
    public var caches: [CachePlan]
    public var buckets: [BucketPlan]
    public var loadBalancer: LoadBalancerPlan?
    public var cdn: CDNPlan?
    public var monitoring: MonitoringPlan
    /// What the stack changes in this environment's output beyond the DSL, in declaration order.
    public var escapeHatches: [EscapeHatch] = []

    public var workloads: [WorkloadPlan] { services + workers }
    public var isProduction: Bool { kind == .production }
}

/// An autoscaling range or a fixed count (min == max, no CPU target).
public struct Scaling: Codable, Sendable, Equatable {
    public var min: Int
    public var max: Int
    public var cpuTarget: Int?

    public init(_ instances: Instances) {
        switch instances {
        case .fixed(let n): (min, max, cpuTarget) = (n, n, nil)
        case .autoscale(let lo, let hi, let cpu): (min, max, cpuTarget) = (lo, hi, cpu)
        }
    }

    public var autoscales: Bool { cpuTarget != nil }
}

public struct ImagePlan: Codable, Sendable, Equatable {
    public var repository: String
    /// Built and pushed by CI (tagged with the commit SHA) rather than used as given.
    public var build: BuildSpec?
    /// The build CI pushes the image from (the first workload that runs it), when CI builds it.
    public var buildName: String?

    /// The variable a deploy reads the pushed image's digest from, when CI builds the image.
    public var digestVariable: String? { buildName.map(ImageBuild.digestVariable) }

    /// The image reference a deployment uses: `repository@digest` for an image CI builds, where
    /// `digest` is the text that yields the pushed image's digest; the reference as given otherwise.
    public func reference(digest: String) -> String { build == nil ? repository : "\(repository)@\(digest)" }
}

public struct MetricsEndpoint: Codable, Sendable, Equatable {
    public var path: String
    public var port: Int
}

public struct ConfigEntry: Codable, Sendable, Equatable {
    public var key: String
    public var value: String
}

public struct SecretRef: Codable, Sendable, Equatable {
    public enum Purpose: String, Codable, Sendable { case declared, databasePassword, cachePassword, errorTracking }
    public var name: String
    public var purpose: Purpose
}

public struct WorkloadPlan: Codable, Sendable, Equatable {
    public var name: String
    public var kind: WorkloadSpec.Kind
    public var image: ImagePlan
    public var port: Int?
    public var healthCheck: String?
    /// A worker's health check: a shell command run in its container, 0 while it is well.
    public var healthCommand: String? = nil
    /// Where the workload serves its own Prometheus metrics, the port resolved.
    public var metrics: MetricsEndpoint? = nil
    public var scaling: Scaling
    public var resources: ResourcesSpec
    public var command: [String]?
    /// The user's non-secret configuration for this environment, sorted by key.
    public var config: [ConfigEntry]
    /// Names of the secrets the workload expects, sorted.
    public var secrets: [SecretRef]
    public var sessions: SessionStore
    public var uploads: UploadStore?
    public var staticPaths: [String]
    public var route: String?
    public var databases: [String]
    public var caches: [String]
    public var buckets: [String]
    public var queue: String?
}

public struct BackupPlan: Codable, Sendable, Equatable {
    public var rpo: TimeSpan
    public var retentionDays: Int
    public var walArchiving: Bool
    /// Cron expressions (UTC).
    public var fullSchedule: String
    public var differentialSchedule: String?
    public var incrementalSchedule: String?
    /// Longest time a WAL segment waits before it is archived.
    public var archiveTimeoutSeconds: Int?
    public var restoreTestSchedule: String?
    public var crossRegionCopy: String?
    public var rto: TimeSpan?
}

public struct DatabasePlan: Codable, Sendable, Equatable {
    public var name: String
    /// The prefix of the variables that carry its connection settings (`DB` → `DB_HOST`).
    public var envPrefix: String
    public var version: Int
    public var readReplicas: Int
    public var pooling: Bool
    public var storageGiB: Int
    /// CPU and memory of each instance (primary and replicas alike).
    public var resources: ResourcesSpec
    public var multiZone: Bool
    public var backups: BackupPlan?
    public var slowQueryMilliseconds: Int?
    public var largeTables: [LargeTablePlan]
    /// Run before every rollout, when declared.
    public var migrations: MigrationPlan?
    public var passwordSecret: String
}

/// How a database is migrated by each deploy, before a container of the new release starts.
public struct MigrationPlan: Codable, Sendable, Equatable {
    /// A shell command run in the workload's image.
    public var command: String
    public var workload: String
    /// The repository folder of the SQL migration files, when named.
    public var folder: String?
    /// The PostgreSQL advisory lock a migration holds while it runs.
    public var lockKey: Int64

    public init(command: String, workload: String, folder: String?, lockKey: Int64) {
        self.command = command
        self.workload = workload
        self.folder = folder
        self.lockKey = lockKey
    }

    /// A positive 63-bit FNV-1a hash of the stack's and database's names: stable across
    /// releases and platforms, where `hashtext()` is an internal of PostgreSQL.
    public static func lockKey(stack: String, database: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "stagecraft-migrations:\(stack):\(database)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash & 0x7fff_ffff_ffff_ffff)
    }
}

/// A table expected to grow large, and its partitioning when it has a key.
public struct LargeTablePlan: Codable, Sendable, Equatable {
    public struct Partitioning: Codable, Sendable, Equatable {
        public var key: String
        public var interval: PartitionInterval
        /// Partitions kept ready beyond the current one.
        public var ahead: Int
        /// Partitions entirely older than this many days are detached and dropped; nil keeps all.
        public var retentionDays: Int?
    }

    public var name: String
    public var partitioning: Partitioning?

    public init(name: String, partitioning: Partitioning? = nil) {
        self.name = name
        self.partitioning = partitioning
    }
}

public struct CachePlan: Codable, Sendable, Equatable {
    public var name: String
    public var envPrefix: String
    public var version: Int
    public var replica: Bool
    public var persistence: Bool
    public var memoryMiB: Int
    public var multiZone: Bool
    public var passwordSecret: String
}

public struct BucketPlan: Codable, Sendable, Equatable {
    public var name: String
    public var versioned: Bool
}

public struct RateLimitPlan: Codable, Sendable, Equatable {
    public var requests: Int
    public var periodSeconds: Int
    public var burst: Int
    /// A path prefix, or nil for every request.
    public var path: String?

    /// nginx expresses rates per second or per minute.
    public var perMinute: Int { periodSeconds == 1 ? requests * 60 : requests }
}

public struct LoadBalancerPlan: Codable, Sendable, Equatable {
    public var domain: String
    public var tls: Bool
    public var rateLimits: [RateLimitPlan]
    public var maxBodyMiB: Int
    public var timeoutSeconds: Int
    public var drainSeconds: Int
    public var edgeFirewall: Bool
    public var multiZone: Bool
    public var deletionProtection: Bool
}

public struct CDNPlan: Codable, Sendable, Equatable {
    /// The name the CDN fetches from. The CDN answers for the public domain, so the origin needs
    /// a name of its own (`origin.<domain>`): it resolves to the load balancer, whose server names
    /// and certificate cover it.
    public var originDomain: String
    public var staticPaths: [String]
    public var cacheablePaths: [String]
    /// How the origin tells the CDN's requests from others, where its load balancer can check:
    /// it refuses the rest, and trusts the client address only in the CDN's requests.
    public var originVerification: OriginVerificationPlan?
}

/// A header the CDN adds to every request to the origin, with a secret value both share.
public struct OriginVerificationPlan: Codable, Sendable, Equatable {
    public var header: String
    /// The name of the secret with the value (never the value).
    public var secret: String
}

public struct MonitoringPlan: Codable, Sendable, Equatable {
    public var errorTrackingSecret: String?
    public var uptimeURL: String?
    /// Metrics are collected and kept this many days; alert rules need them.
    public var metrics: Bool
    public var metricsRetentionDays: Int
    /// Alert rules evaluated and sent to `receivers`.
    public var alerting: Bool
    public var receivers: [AlertReceiverPlan]
    public var tracing: Bool
    public var availabilityTarget: Double?
    public var slowQueryMilliseconds: Int?
    /// One per service that answers requests, when metrics are on.
    public var objectives: [ServiceObjectivePlan]
}

/// Where alerts go; credentials by secret name.
public struct AlertReceiverPlan: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case email, slack, pagerDuty }
    public var kind: Kind
    /// The email address (email only).
    public var address: String?
    /// `host:port` and sender (email only).
    public var smarthost: String?
    public var from: String?
    /// The secret with the webhook URL, routing key or SMTP password.
    public var secret: String?

    public init(kind: Kind, address: String? = nil, smarthost: String? = nil, from: String? = nil, secret: String? = nil) {
        (self.kind, self.address, self.smarthost, self.from, self.secret) = (kind, address, smarthost, from, secret)
    }
}

/// What a service promises. With an availability, its error budget is guarded by burn-rate
/// alerts; the latency is the 99th percentile it must stay under.
public struct ServiceObjectivePlan: Codable, Sendable, Equatable {
    public var service: String
    public var availability: Double?
    public var latencyMilliseconds: Int
}
