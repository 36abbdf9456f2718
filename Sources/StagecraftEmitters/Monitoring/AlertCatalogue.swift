import StagecraftPlanner

/// The alert rules of an environment, built once from its plan and asked of each platform's
/// metrics: service down, errors, latency, the uptime probe, the certificate, PostgreSQL,
/// its pooler and backups, disks, Redis; and, for a service with an availability objective,
/// SLO recording rules and multiwindow, multi-burn-rate alerts.
public struct AlertCatalogue: Sendable {
    public let groups: [RuleGroup]

    public init(environment: EnvironmentPlan, source: some MetricSource) {
        let builder = Builder(environment: environment, source: source)
        groups = [builder.services(), builder.objectives(), builder.edge(), builder.databases(), builder.caches()]
            .filter { !$0.rules.isEmpty }
    }

    /// The windows of the burn-rate alerts (Google's SRE workbook, chapter 5): a long window that
    /// says the budget burns, a short one that says it still does.
    public struct BurnRateWindow: Sendable {
        public let long: String
        public let short: String
        /// How many times faster than the objective allows the budget is spent.
        public let factor: Double
        public let severity: PrometheusRule.Severity
        /// The share of a 30-day budget spent when it fires.
        public let budgetSpent: String
    }

    public static let burnRateWindows: [BurnRateWindow] = [
        BurnRateWindow(long: "1h", short: "5m", factor: 14.4, severity: .page, budgetSpent: "2 %"),
        BurnRateWindow(long: "6h", short: "30m", factor: 6, severity: .page, budgetSpent: "5 %"),
        BurnRateWindow(long: "1d", short: "2h", factor: 3, severity: .ticket, budgetSpent: "10 %"),
        BurnRateWindow(long: "3d", short: "6h", factor: 1, severity: .ticket, budgetSpent: "10 %"),
    ]

    /// The error ratio of a service over a window, as a recording rule names it.
    public static func errorRatioRecord(_ window: String) -> String { "service:request_errors:ratio_rate\(window)" }

    public static func burnRateAlert(_ window: BurnRateWindow) -> String { "ErrorBudgetBurn\(window.long)" }

    /// The longest a cluster may go without a successful base backup: its most frequent backup
    /// schedule, or without WAL archiving its RPO (the backups are then all there is), and an hour
    /// for the backup to run.
    static func backupAgeLimitSeconds(_ backups: BackupPlan) -> Int {
        let schedules = [backups.fullSchedule, backups.differentialSchedule, backups.incrementalSchedule].compactMap { $0 }
        let every = schedules.map(CronInterval.seconds).min() ?? 86_400
        let limit = backups.walArchiving ? every : min(every, backups.rpo.seconds)
        return limit + 3600
    }
}

private struct Builder<Source: MetricSource> {
    let environment: EnvironmentPlan
    let source: Source

    var env: String { environment.name }

    func services() -> RuleGroup {
        var rules: [PrometheusRule] = []
        for objective in environment.monitoring.objectives {
            let service = objective.service
            rules.append(.alert(
                "ServiceDown", "\(Probes.success(check: "health", service: service, scope: source.scope)) == 0", for: "2m", .page,
                summary: "\(service) does not answer its health check",
                description: "The health check of \(service) in \(env) has failed for 2 minutes: {{ $labels.instance }}.",
                labels: [("service", service)]
            ))
            let (requests, errors) = requestSelectors(service)
            rules.append(.alert(
                "HighErrorRate",
                "sum(rate(\(errors)[5m])) / sum(rate(\(requests)[5m])) > 0.05 and sum(rate(\(requests)[5m])) > 0.1",
                for: "10m", .page,
                summary: "\(service) answers more than 5 % of requests with a server error",
                description: "{{ $value | humanizePercentage }} of the requests to \(service) in \(env) failed (5xx) over the last 5 minutes.",
                labels: [("service", service)]
            ))
            let seconds = Double(objective.latencyMilliseconds) / 1000
            rules.append(.alert(
                "HighLatency",
                "histogram_quantile(0.99, sum by (le) (rate(\(source.requestDurationBuckets(service: service))[5m]))) > \(Self.number(seconds))",
                for: "15m", .ticket,
                summary: "\(service) answers 1 % of requests slower than \(objective.latencyMilliseconds) ms",
                description: "The 99th percentile of \(service)'s response time in \(env) is {{ $value | humanizeDuration }}.",
                labels: [("service", service)]
            ))
        }
        return RuleGroup(name: "\(env)-services", rules: rules)
    }

    /// Recording rules of each service's error ratio over every window, and the four burn-rate alerts.
    func objectives() -> RuleGroup {
        var rules: [PrometheusRule] = []
        let windows = AlertCatalogue.burnRateWindows.flatMap { [$0.short, $0.long] }
        for objective in environment.monitoring.objectives {
            guard let availability = objective.availability else { continue }
            let service = objective.service
            let (requests, errors) = requestSelectors(service)
            for window in Self.unique(windows) {
                rules.append(.record(
                    AlertCatalogue.errorRatioRecord(window),
                    "sum(rate(\(errors)[\(window)])) / sum(rate(\(requests)[\(window)]))",
                    labels: [("service", service)] + source.scope
                ))
            }
            let budget = Self.number((100 - availability) / 100)
            for window in AlertCatalogue.burnRateWindows {
                let threshold = "(\(Self.number(window.factor)) * \(budget))"
                let recorded = "{\(Probes.selector(service: service, scope: source.scope))}"
                let long = AlertCatalogue.errorRatioRecord(window.long) + recorded
                let short = AlertCatalogue.errorRatioRecord(window.short) + recorded
                rules.append(.alert(
                    AlertCatalogue.burnRateAlert(window), "\(long) > \(threshold) and \(short) > \(threshold)",
                    for: window.severity == .page ? "2m" : "15m", window.severity,
                    summary: "\(service) spends its error budget \(Self.number(window.factor))× too fast",
                    description: "At this rate \(service) in \(env) spends \(window.budgetSpent) of its 30-day error budget (objective \(Self.number(availability)) %) within \(window.long).",
                    labels: [("service", service)]
                ))
            }
        }
        return RuleGroup(name: "\(env)-objectives", rules: rules)
    }

    /// A service's requests, and those of them answered with a server error (5xx).
    private func requestSelectors(_ service: String) -> (all: String, errors: String) {
        let all = source.requests(service: service)
        return (all, all.dropLast() + #", \#(source.statusLabel)=~"5.."}"#)
    }

    /// The public uptime probe and the certificate nginx or the load balancer serves.
    func edge() -> RuleGroup {
        var rules: [PrometheusRule] = []
        if let url = environment.monitoring.uptimeURL {
            rules.append(.alert(
                "UptimeCheckFailing", "\(Probes.success(check: "uptime", scope: source.scope)) == 0", for: "5m", .page,
                summary: "\(url) is down",
                description: "The uptime probe of \(url) has failed for 5 minutes."
            ))
        }
        if environment.loadBalancer?.tls == true, !environment.services.isEmpty {
            rules.append(.alert(
                "CertificateExpiringSoon", "\(Probes.certificateExpiry(check: "tls", scope: source.scope)) - time() < 14 * 86400", for: "1h", .ticket,
                summary: "The certificate of \(environment.domain) expires within 14 days",
                description: "It expires in {{ $value | humanizeDuration }}; renewal should have replaced it 30 days before."
            ))
        }
        return RuleGroup(name: "\(env)-edge", rules: rules)
    }

    func databases() -> RuleGroup {
        var rules: [PrometheusRule] = []
        for database in environment.databases {
            let cluster = database.name
            let labels = [("cluster", cluster)]
            rules.append(.alert(
                "PostgresDown", source.postgresDown(cluster: cluster), for: "1m", .page,
                summary: "PostgreSQL \(cluster) is down", description: "{{ $labels.instance }} of \(cluster) in \(env) does not answer.",
                labels: labels
            ))
            if database.readReplicas > 0 {
                rules.append(.alert(
                    "PostgresReplicationLag", "\(source.replicationLagBytes(cluster: cluster)) > 64 * 1024 * 1024", for: "5m", .ticket,
                    summary: "A standby of \(cluster) is more than 64 MiB of WAL behind",
                    description: "The standby on slot {{ $labels.slot_name }} is {{ $value | humanize1024 }}B behind; reads routed to it are stale, and the primary keeps the WAL it has not received.",
                    labels: labels
                ))
                rules.append(.alert(
                    "PostgresStandbyNotStreaming", "\(source.replicationSlotActive(cluster: cluster)) == 0", for: "5m", .ticket,
                    summary: "A standby of \(cluster) does not stream from the primary",
                    description: "Replication slot {{ $labels.slot_name }} has had no standby for 5 minutes: reads go to fewer replicas, and the primary keeps WAL for it.",
                    labels: labels
                ))
            }
            if database.backups?.walArchiving == true {
                rules.append(.alert(
                    "PostgresWALArchivingFailing", "increase(\(source.archiveFailures(cluster: cluster))[15m]) > 0", for: "0s", .page,
                    summary: "\(cluster) fails to archive WAL",
                    description: "WAL archiving of \(cluster) in \(env) failed within the last 15 minutes: point-in-time recovery stops at the last archived segment, and WAL piles up on the primary's disk.",
                    labels: labels
                ))
            }
            rules.append(.alert(
                "PostgresConnectionsNearLimit", "\(source.connectionsRatio(cluster: cluster)) > 0.8", for: "10m", .ticket,
                summary: "\(cluster) uses more than 80 % of its connections",
                description: "{{ $labels.instance }} has {{ $value | humanizePercentage }} of max_connections in use.",
                labels: labels
            ))
            if database.pooling {
                rules.append(.alert(
                    "PgBouncerPoolSaturated", "\(source.poolerWaitingClients(cluster: cluster)) > 0", for: "5m", .ticket,
                    summary: "Clients wait for a connection to \(cluster)",
                    description: "{{ $value }} clients of \(cluster)'s pooler have waited for a server connection for 5 minutes: the pool is too small for the load.",
                    labels: labels
                ))
            }
            if let backups = database.backups {
                let allowed = AlertCatalogue.backupAgeLimitSeconds(backups)
                let timestamp = source.lastBackupTimestamp(cluster: cluster)
                rules.append(.alert(
                    "BackupTooOld", "time() - \(timestamp) > \(allowed)", for: "0s", .page,
                    summary: "The last backup of \(cluster) is older than its schedule allows",
                    description: "The last successful backup of \(cluster) in \(env) finished {{ $value | humanizeDuration }} ago; it should be at most \(allowed / 3600) hours.",
                    labels: labels
                ))
                if let schedule = backups.restoreTestSchedule, let success = source.lastRestoreTestSuccess(cluster: cluster) {
                    // Two scheduled runs and an hour: one failed run is a ticket's worth of doubt,
                    // two mean the backups are not known to restore.
                    let allowedTest = 2 * CronInterval.seconds(schedule) + 3600
                    rules.append(.alert(
                        "RestoreTestOverdue", "time() - \(success) > \(allowedTest)", for: "0s", .page,
                        summary: "No restore test of \(cluster) has passed recently",
                        description: "The last restore test of \(cluster) in \(env) that passed finished {{ $value | humanizeDuration }} ago; it should be at most \(allowedTest / 3600) hours: read the restore test's failed jobs.",
                        labels: labels
                    ))
                    rules.append(.alert(
                        "RestoreTestNeverPassed", "absent(\(success))", for: "\(allowedTest / 3600)h", .page,
                        summary: "No restore test of \(cluster) has passed",
                        description: "No passed restore test of \(cluster) in \(env) is on record after \(allowedTest / 3600) hours.",
                        labels: labels
                    ))
                }
                rules.append(.alert(
                    "BackupNeverSucceeded", "absent(\(timestamp))", for: "\(allowed / 3600)h", .page,
                    summary: "No backup of \(cluster) has succeeded",
                    description: "No successful backup of \(cluster) in \(env) is on record after \(allowed / 3600) hours.",
                    labels: labels
                ))
            }
            rules.append(.alert(
                "DiskFillingUp", "\(source.volumeFreeRatio(cluster: cluster)) < 0.10", for: "15m", .page,
                summary: "Less than 10 % of \(cluster)'s disk is free",
                description: "{{ $labels.instance }} has {{ $value | humanizePercentage }} free; PostgreSQL stops when it is full.",
                labels: labels
            ))
        }
        return RuleGroup(name: "\(env)-databases", rules: rules)
    }

    func caches() -> RuleGroup {
        var rules: [PrometheusRule] = []
        for cache in environment.caches {
            let selector = source.redis(cache: cache.name)
            let labels = [("cluster", cache.name)]
            rules.append(.alert(
                "RedisDown", "redis_up\(selector) == 0", for: "1m", .page,
                summary: "Redis \(cache.name) is down", description: "{{ $labels.instance }} of \(cache.name) in \(env) does not answer.",
                labels: labels
            ))
            rules.append(.alert(
                "RedisMemoryHigh", "redis_memory_used_bytes\(selector) / (redis_memory_max_bytes\(selector) > 0) > 0.9", for: "15m", .ticket,
                summary: "Redis \(cache.name) uses more than 90 % of its memory",
                description: "{{ $labels.instance }} uses {{ $value | humanizePercentage }} of maxmemory.",
                labels: labels
            ))
            // A queue's keys are work: an eviction loses it. A cache's are copies.
            rules.append(.alert(
                "RedisEvictingKeys", "increase(redis_evicted_keys_total\(selector)[10m]) > 0", for: "0s", cache.persistence ? .page : .ticket,
                summary: "Redis \(cache.name) evicts keys",
                description: "{{ $value }} keys of \(cache.name) were evicted in 10 minutes: it is out of memory.",
                labels: labels
            ))
        }
        return RuleGroup(name: "\(env)-caches", rules: rules)
    }

    static func unique(_ windows: [String]) -> [String] {
        var seen = Set<String>()
        return windows.filter { seen.insert($0).inserted }
    }

    /// A number as PromQL reads it, without a trailing `.0`.
    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

/// How often a cron schedule of the forms the planner writes runs: hourly (`M * * * *`), daily
/// (`M H * * *`) or weekly (`M H * * D`).
enum CronInterval {
    static func seconds(_ schedule: String) -> Int {
        let fields = schedule.split(separator: " ")
        guard fields.count == 5 else { return 86_400 }
        if fields[1] == "*" { return 3600 }
        if fields[4] != "*" { return 7 * 86_400 }
        return 86_400
    }
}
