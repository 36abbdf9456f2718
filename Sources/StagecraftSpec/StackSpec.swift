/// Everything a stack file declares, as declared: no defaults applied, every
/// declaration with the line that wrote it. The DSL builds it; the planner reads it.
public struct StackSpec: Codable, Sendable, Equatable {
    public var name: String
    public var stage: Stage
    public var location: SourceLocation
    public var services: [WorkloadSpec] = []
    public var workers: [WorkloadSpec] = []
    public var databases: [PostgresSpec] = []
    public var caches: [RedisSpec] = []
    public var buckets: [BucketSpec] = []
    public var loadBalancer: LoadBalancerSpec?
    public var cdn: CDNSpec?
    public var environments: [EnvironmentSpec] = []
    public var environmentsLocation: SourceLocation?
    public var pipeline: PipelineSpec?
    public var monitoring: MonitoringSpec?
    public var platform: Located<Staged<PlatformKind>>?
    public var regions: [Located<RegionSpec>] = []
    /// The AWS account the stack's Kubernetes clusters run in (`Account`).
    public var account: Located<String>?
    /// The cluster's own External Secrets store (`SecretStore(cluster:)`), by name.
    public var secretStore: Located<String>?

    public init(name: String, stage: Stage, location: SourceLocation) {
        self.name = name
        self.stage = stage
        self.location = location
    }
}

/// A web/API service (`Service`) or a background worker (`Worker`).
public struct WorkloadSpec: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case service, worker }

    public var kind: Kind
    public var name: String
    public var location: SourceLocation
    public var image: Located<String>?
    public var build: Located<BuildSpec>?
    public var port: Located<Int>?
    public var healthCheck: Located<String>?
    /// A worker's health: a command that exits 0 while it is well (`HealthCommand`).
    public var healthCommand: Located<String>?
    /// Where the workload serves its own Prometheus metrics (`ServesMetrics`).
    public var metrics: Located<MetricsSpec>?
    public var replicas: Located<Staged<Instances>>?
    public var config: [ConfigSpec] = []
    public var secrets: [Located<String>] = []
    public var sessions: Located<SessionStore>?
    public var uploads: Located<UploadStore>?
    public var staticPaths: [Located<String>] = []
    public var route: Located<String>?
    public var uses: [Located<String>] = []
    public var queue: Located<String>?
    public var command: Located<[String]>?
    public var resources: Located<ResourcesSpec>?
    /// What the service promises its users (`Objective`); the plan's objective when absent.
    public var objective: Located<ObjectiveSpec>?
    /// Declared heavy work done inside requests (`InlineJobs`), which the stage policy moves to workers.
    public var inlineJobs: Located<[String]>?

    public init(kind: Kind, name: String, location: SourceLocation) {
        self.kind = kind
        self.name = name
        self.location = location
    }
}

public struct BuildSpec: Codable, Sendable, Equatable {
    public var dockerfile: String
    public var context: String

    public init(dockerfile: String, context: String) {
        self.dockerfile = dockerfile
        self.context = context
    }
}

/// A workload's own Prometheus metrics: the path, and the port when it is not the service's.
public struct MetricsSpec: Codable, Sendable, Equatable {
    public var path: String
    public var port: Int?

    public init(path: String, port: Int?) {
        self.path = path
        self.port = port
    }
}

public struct ResourcesSpec: Codable, Sendable, Equatable {
    /// CPU in thousandths of a core.
    public var cpuMillicores: Int
    public var memoryMiB: Int

    public init(cpuMillicores: Int, memoryMiB: Int) {
        self.cpuMillicores = cpuMillicores
        self.memoryMiB = memoryMiB
    }
}

/// A non-secret configuration value, with optional per-environment values.
public struct ConfigSpec: Codable, Sendable, Equatable {
    public var key: String
    public var value: String
    public var perEnvironment: [String: String]
    public var location: SourceLocation

    public init(key: String, value: String, perEnvironment: [String: String], location: SourceLocation) {
        self.key = key
        self.value = value
        self.perEnvironment = perEnvironment
        self.location = location
    }
}

public struct PostgresSpec: Codable, Sendable, Equatable {
    public var name: String
    public var version: Int
    public var location: SourceLocation
    public var readReplicas: Located<Staged<Int>>?
    public var rpo: Located<Staged<TimeSpan>>?
    public var retention: Located<Staged<TimeSpan>>?
    public var restoreTest: Located<Staged<TimeSpan>>?
    public var rto: Located<TimeSpan>?
    public var pooling: Located<Staged<Bool>>?
    public var storageGiB: Located<Int>?
    public var largeTables: [LargeTableSpec] = []
    public var migrations: Located<MigrationsSpec>?

    public init(name: String, version: Int, location: SourceLocation) {
        self.name = name
        self.version = version
        self.location = location
    }
}

/// How a database's schema is migrated before a new release serves: a command run in the
/// image of one of the stack's workloads.
public struct MigrationsSpec: Codable, Sendable, Equatable {
    /// A shell command (`sh -c`), run in the workload's image from its working directory.
    public var command: String
    /// The workload whose image has the migrations.
    public var workload: String
    /// The repository folder of the SQL migration files, linted on pull requests.
    public var folder: String?

    public init(command: String, workload: String, folder: String? = nil) {
        self.command = command
        self.workload = workload
        self.folder = folder
    }
}

/// A table expected to grow large, and, when it has a partition key, how it is partitioned.
public struct LargeTableSpec: Codable, Sendable, Equatable {
    public var name: Located<String>
    public var partitionKey: String?
    public var interval: PartitionInterval?
    /// Partitions entirely older than this are detached and dropped; nil keeps them all.
    public var retention: TimeSpan?

    public init(name: Located<String>, partitionKey: String? = nil, interval: PartitionInterval? = nil, retention: TimeSpan? = nil) {
        self.name = name
        self.partitionKey = partitionKey
        self.interval = interval
        self.retention = retention
    }
}

/// How much time one partition of a large table covers.
public enum PartitionInterval: String, Codable, Sendable, CaseIterable {
    case day, week, month

    /// The most days one partition covers.
    public var longestDays: Int {
        switch self {
        case .day: 1
        case .week: 7
        case .month: 31
        }
    }
}

public struct RedisSpec: Codable, Sendable, Equatable {
    public var name: String
    public var version: Int
    public var location: SourceLocation
    public var replica: Located<Staged<Bool>>?
    public var persistence: Located<Bool>?

    public init(name: String, version: Int, location: SourceLocation) {
        self.name = name
        self.version = version
        self.location = location
    }
}

public struct BucketSpec: Codable, Sendable, Equatable {
    public var name: String
    public var location: SourceLocation

    public init(name: String, location: SourceLocation) {
        self.name = name
        self.location = location
    }
}

public struct RateLimitSpec: Codable, Sendable, Equatable {
    public var requests: Int
    public var periodSeconds: Int
    public var burst: Int?
    public var path: String?
    public var location: SourceLocation

    public init(requests: Int, periodSeconds: Int, burst: Int?, path: String?, location: SourceLocation) {
        self.requests = requests
        self.periodSeconds = periodSeconds
        self.burst = burst
        self.path = path
        self.location = location
    }
}

public struct LoadBalancerSpec: Codable, Sendable, Equatable {
    public var domain: String
    public var location: SourceLocation
    public var tls: Located<Bool>?
    public var rateLimits: [RateLimitSpec] = []
    public var maxBodyMiB: Located<Int>?
    public var timeoutSeconds: Located<Int>?
    /// The public DNS zone that holds the domains, where the platform can manage it (Route 53 on AWS).
    public var dnsZone: Located<String>?

    public init(domain: String, location: SourceLocation) {
        self.domain = domain
        self.location = location
    }
}

public struct CDNSpec: Codable, Sendable, Equatable {
    public var location: SourceLocation
    public var enabled: Staged<Bool>
    public var cacheablePaths: [Located<String>] = []

    public init(location: SourceLocation, enabled: Staged<Bool>) {
        self.location = location
        self.enabled = enabled
    }
}

public struct EnvironmentSpec: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable { case development, staging, production }

    public var kind: Kind
    public var location: SourceLocation
    public var stage: Located<Stage>?
    public var branch: Located<String>?
    public var approval: Located<Approval>?
    public var domain: Located<String>?
    /// This environment's AWS account, when it is not the stack's.
    public var account: Located<String>?
    /// This environment's External Secrets store, when it is not the stack's.
    public var secretStore: Located<String>?
    public var overrides: [WorkloadOverrideSpec] = []
    /// Changes to the generated output that the DSL has no declaration for, in declaration order.
    public var escapeHatches: [EscapeHatchSpec] = []

    public init(kind: Kind, location: SourceLocation) {
        self.kind = kind
        self.location = location
    }

    public var name: String { kind.rawValue }
}

/// A change to one environment's generated output that the DSL has no declaration for,
/// applied by the tool that reads that output (kustomize, Compose, Terraform, the CI provider).
public struct EscapeHatchSpec: Codable, Sendable, Equatable {
    public enum Change: Codable, Sendable, Equatable {
        /// A strategic-merge patch (YAML) of one object of the environment's overlay, `Kind/name`.
        case kubernetesMerge(target: String, patch: String)
        /// RFC 6902 JSON Patch operations (a YAML or JSON list) on one object, `Kind/name`.
        case kubernetesOperations(target: String, operations: String)
        /// YAML merged into the environment's compose.yaml.
        case composeOverride(String)
        /// A Terraform file of its own in the environment's root module.
        case terraformFile(name: String, contents: String)
        /// A step the environment's deploy job runs once the release is rolled out.
        case deployStep(name: String, run: String)
    }

    public var change: Change
    public var location: SourceLocation

    public init(_ change: Change, location: SourceLocation) {
        self.change = change
        self.location = location
    }
}

/// What an environment changes about one service or worker.
public struct WorkloadOverrideSpec: Codable, Sendable, Equatable {
    public var target: String
    public var location: SourceLocation
    /// Only the fields the override declares are set.
    public var changes: WorkloadSpec

    public init(target: String, location: SourceLocation, changes: WorkloadSpec) {
        self.target = target
        self.location = location
        self.changes = changes
    }
}

public struct PipelineSpec: Codable, Sendable, Equatable {
    public var providers: [CIProvider]
    public var location: SourceLocation
    public var toolchain: Located<Toolchain>?
    public var buildCommand: Located<String>?
    public var testCommand: Located<String>?
    public var lintCommand: Located<String>?
    public var securityScan: Located<Bool>?
    public var outputDirectory: Located<String>?

    public init(providers: [CIProvider], location: SourceLocation) {
        self.providers = providers
        self.location = location
    }
}

public struct MonitoringSpec: Codable, Sendable, Equatable {
    public var location: SourceLocation
    public var errorTrackingSecret: Located<String>?
    public var uptimePath: Located<String>?
    public var slowQueryMilliseconds: Located<Int>?
    public var availabilityTarget: Located<Double>?
    /// Metrics asked for explicitly (`Metrics()`), whatever the stage.
    public var metrics: Located<Bool>?
    /// Tracing asked for or turned off (`Tracing(…)`), whatever the stage.
    public var tracing: Located<Bool>?
    /// Where alerts go (`Alerts { … }`).
    public var alerts: AlertsSpec?

    public init(location: SourceLocation) {
        self.location = location
    }
}

public struct AlertsSpec: Codable, Sendable, Equatable {
    public var location: SourceLocation
    public var receivers: [Located<AlertReceiverSpec>] = []

    public init(location: SourceLocation) {
        self.location = location
    }
}

/// Somewhere alerts are sent. Credentials are secrets' names, never values.
public enum AlertReceiverSpec: Codable, Sendable, Equatable {
    /// `smarthost` is `host:port`; the password, when the server needs one, is a secret.
    case email(address: String, smarthost: String, from: String, passwordSecret: String?)
    /// The incoming-webhook URL is the secret.
    case slack(webhookSecret: String)
    /// The Events API v2 routing (integration) key is the secret.
    case pagerDuty(routingKeySecret: String)
}

/// A service's objective: the share of requests that succeed, and how fast 99 % of them answer.
public struct ObjectiveSpec: Codable, Sendable, Equatable {
    public var availability: Double?
    public var latencyMilliseconds: Int?

    public init(availability: Double?, latencyMilliseconds: Int?) {
        self.availability = availability
        self.latencyMilliseconds = latencyMilliseconds
    }
}

public struct RegionSpec: Codable, Sendable, Equatable {
    public var name: String
    public var backupCopy: String?

    public init(name: String, backupCopy: String?) {
        self.name = name
        self.backupCopy = backupCopy
    }
}
