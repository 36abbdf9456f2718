import StagecraftPlanner
import StagecraftSpec

/// The architecture of one environment at its stage, as boxes and arrows: what a reader
/// needs to see the shape (edge, app, data, backups), not every setting. Built from the
/// plan alone; `MermaidDiagram` and `DotDiagram` draw it.
public struct ArchitectureGraph: Sendable, Equatable {
    public var title: String
    public var groups: [Group]
    public var edges: [Edge]

    public struct Group: Sendable, Equatable {
        public var id: String
        public var title: String
        public var nodes: [Node]
    }

    public struct Node: Sendable, Equatable {
        /// An identifier safe in both formats: letters, digits and `_`.
        public var id: String
        /// The label's lines, as text: each renderer escapes them for its format.
        public var lines: [String]
        public var shape: Shape
    }

    public enum Shape: Sendable, Equatable {
        /// People and the internet.
        case actor
        /// Edge and routing components.
        case gateway
        /// Services and workers.
        case process
        /// Databases and object stores.
        case store
        /// Caches and poolers.
        case memory
        /// Backup repositories.
        case archive
    }

    public struct Edge: Sendable, Equatable {
        public var from: String
        public var to: String
        public var label: String?
        /// Background traffic (replication, backups) rather than requests.
        public var dashed: Bool

        init(_ from: String, _ to: String, _ label: String? = nil, dashed: Bool = false) {
            (self.from, self.to, self.label, self.dashed) = (from, to, label, dashed)
        }
    }

    public init(environment: EnvironmentPlan, stack: String) {
        var builder = Builder(environment: environment)
        builder.build()
        title = "\(stack) · \(environment.name) (\(environment.stage.rawValue), \(environment.platform))"
        groups = builder.groups.filter { !$0.nodes.isEmpty }
        edges = builder.edges
    }
}

/// Lays out one environment's components; each `add…` step owns one layer.
private struct Builder {
    let environment: EnvironmentPlan
    var groups: [ArchitectureGraph.Group] = []
    var edges: [ArchitectureGraph.Edge] = []

    init(environment: EnvironmentPlan) { self.environment = environment }

    mutating func build() {
        let entry = addEdge()
        addApplication(entry: entry)
        addData()
        addBackups()
    }

    // MARK: Edge

    /// Returns the node requests reach the services through.
    private mutating func addEdge() -> String {
        var nodes = [ArchitectureGraph.Node(id: "users", lines: ["Users"], shape: .actor)]
        var entry = "users"
        if let cdn = environment.cdn {
            var lines = ["CDN"]
            if !cdn.staticPaths.isEmpty { lines.append("static: " + cdn.staticPaths.joined(separator: ", ")) }
            if !cdn.cacheablePaths.isEmpty { lines.append("cached API: " + cdn.cacheablePaths.joined(separator: ", ")) }
            nodes.append(.init(id: "cdn", lines: lines, shape: .gateway))
            edges.append(.init(entry, "cdn", "HTTPS"))
            entry = "cdn"
        }
        if let balancer = environment.loadBalancer {
            var lines = [Self.balancerKind(environment.platform), balancer.domain]
            var features = [balancer.tls ? "TLS" : "plain HTTP"]
            if balancer.multiZone { features.append("\(environment.zones) zones") }
            if balancer.edgeFirewall { features.append("WAF") }
            lines.append(features.joined(separator: " · "))
            if !balancer.rateLimits.isEmpty {
                lines.append("rate limits: " + balancer.rateLimits.map(Self.rateLimit).joined(separator: ", "))
            }
            nodes.append(.init(id: "lb", lines: lines, shape: .gateway))
            edges.append(.init(entry, "lb", entry == "cdn" ? "origin" : balancer.tls ? "HTTPS" : "HTTP"))
            entry = "lb"
        }
        groups.append(.init(id: "edge", title: "Edge", nodes: nodes))
        return entry
    }

    private static func balancerKind(_ platform: PlatformKind) -> String {
        switch platform {
        case .compose: "nginx load balancer"
        case .kubernetes: "Ingress load balancer"
        case .aws: "Application Load Balancer"
        }
    }

    private static func rateLimit(_ limit: RateLimitPlan) -> String {
        let rate = limit.periodSeconds == 1 ? "\(limit.requests)/s" : "\(limit.perMinute)/min"
        return (limit.path.map { "\($0) " } ?? "") + rate
    }

    // MARK: Application

    private mutating func addApplication(entry: String) {
        var nodes: [ArchitectureGraph.Node] = []
        for service in environment.services {
            nodes.append(.init(id: Self.id("svc", service.name), lines: [service.name, Self.instances(service.scaling)], shape: .process))
            edges.append(.init(entry, Self.id("svc", service.name), service.route ?? "/"))
        }
        for worker in environment.workers {
            nodes.append(.init(id: Self.id("wrk", worker.name), lines: ["\(worker.name) (worker)", Self.instances(worker.scaling)], shape: .process))
        }
        groups.append(.init(id: "app", title: "Application", nodes: nodes))

        for workload in environment.workloads {
            let from = Self.id(workload.kind == .worker ? "wrk" : "svc", workload.name)
            for cache in workload.caches {
                edges.append(.init(from, Self.id("cache", cache), workload.queue == cache ? "queue" : nil))
            }
            if let queue = workload.queue, !workload.caches.contains(queue) {
                edges.append(.init(from, Self.id("cache", queue), "queue"))
            }
            for database in workload.databases {
                let pooled = environment.databases.first { $0.name == database }?.pooling == true
                edges.append(.init(from, Self.id(pooled ? "pool" : "db", database), "SQL"))
            }
            for bucket in workload.buckets { edges.append(.init(from, Self.id("bucket", bucket))) }
        }
    }

    static func instances(_ scaling: Scaling) -> String {
        if let cpu = scaling.cpuTarget { return "\(scaling.min)–\(scaling.max) instances (CPU \(cpu) %)" }
        return scaling.min == 1 ? "1 instance" : "\(scaling.min) instances"
    }

    // MARK: Data

    private mutating func addData() {
        var nodes: [ArchitectureGraph.Node] = []
        for database in environment.databases {
            let primary = Self.id("db", database.name)
            if database.pooling {
                nodes.append(.init(id: Self.id("pool", database.name), lines: ["\(database.name) pooler", Self.poolerKind(environment.platform)], shape: .memory))
                edges.append(.init(Self.id("pool", database.name), primary))
            }
            var lines = [database.name, "PostgreSQL \(database.version) primary", "\(database.storageGiB) GiB"]
            if database.multiZone { lines[2] += " · multi-zone" }
            nodes.append(.init(id: primary, lines: lines, shape: .store))
            if database.readReplicas > 0 {
                let replicas = Self.id("replica", database.name)
                let count = database.readReplicas == 1 ? "1 read replica" : "\(database.readReplicas) read replicas"
                nodes.append(.init(id: replicas, lines: ["\(database.name) replicas", count], shape: .store))
                edges.append(.init(primary, replicas, "streaming replication", dashed: true))
            }
        }
        for cache in environment.caches {
            var lines = [cache.name, "Redis \(cache.version)"]
            var features: [String] = []
            if cache.replica { features.append("+ replica") }
            if cache.persistence { features.append("persistent") }
            if !features.isEmpty { lines.append(features.joined(separator: " · ")) }
            nodes.append(.init(id: Self.id("cache", cache.name), lines: lines, shape: .memory))
        }
        for bucket in environment.buckets {
            let lines = [bucket.name, bucket.versioned ? "object storage · versioned" : "object storage"]
            nodes.append(.init(id: Self.id("bucket", bucket.name), lines: lines, shape: .store))
        }
        groups.append(.init(id: "data", title: "Data", nodes: nodes))
    }

    // MARK: Backups

    private mutating func addBackups() {
        var nodes: [ArchitectureGraph.Node] = []
        for database in environment.databases {
            guard let backups = database.backups else { continue }
            let repository = Self.id("backup", database.name)
            var recovery = "RPO \(backups.rpo) · \(backups.retentionDays) days"
            if backups.walArchiving { recovery += " · PITR" }
            var lines = ["\(database.name) backups", Self.backupTarget(environment.platform), recovery]
            if backups.restoreTestSchedule != nil { lines.append("restore tested on a schedule") }
            nodes.append(.init(id: repository, lines: lines, shape: .archive))
            edges.append(.init(Self.id("db", database.name), repository, backups.walArchiving ? "WAL + base backups" : "base backups", dashed: true))
            if let region = backups.crossRegionCopy {
                let copy = Self.id("backup_copy", database.name)
                nodes.append(.init(id: copy, lines: ["\(database.name) backup copy", region], shape: .archive))
                edges.append(.init(repository, copy, "cross-region copy", dashed: true))
            }
        }
        groups.append(.init(id: "backups", title: "Backups", nodes: nodes))
    }

    private static func poolerKind(_ platform: PlatformKind) -> String {
        switch platform {
        case .compose, .kubernetes: "PgBouncer"
        case .aws: "RDS Proxy"
        }
    }

    private static func backupTarget(_ platform: PlatformKind) -> String {
        switch platform {
        case .compose: "pgBackRest repository"
        case .kubernetes: "object store (Barman)"
        case .aws: "RDS automated backups"
        }
    }

    /// Names are `[a-z][a-z0-9-]*`: with `-` as `_` they are identifiers in Mermaid and DOT.
    static func id(_ prefix: String, _ name: String) -> String {
        prefix + "_" + String(name.map { $0 == "-" ? "_" : $0 })
    }
}
