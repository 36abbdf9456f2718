/// Where a platform's metrics come from, as PromQL selectors: the alert catalogue asks the same
/// questions of every platform, and each platform answers with the series its exporters publish.
public protocol MetricSource: Sendable {
    /// Requests answered for a service, a counter labelled with the HTTP status `code`.
    func requests(service: String) -> String
    /// The label of `requests` that holds the HTTP status.
    var statusLabel: String { get }
    /// The histogram buckets (seconds) of the time taken to answer a service's requests.
    func requestDurationBuckets(service: String) -> String
    /// 1 for each PostgreSQL instance of a cluster that answers, 0 (or a missing scrape) otherwise.
    func postgresDown(cluster: String) -> String
    /// Bytes of WAL each standby of a cluster has yet to receive, per replication slot.
    func replicationLagBytes(cluster: String) -> String
    /// 1 for each standby's replication slot in use, 0 for a standby that is not streaming.
    func replicationSlotActive(cluster: String) -> String
    /// A counter of WAL segments the cluster failed to archive.
    func archiveFailures(cluster: String) -> String
    /// Connections in use over the limit, per instance.
    func connectionsRatio(cluster: String) -> String
    /// Clients waiting for a server connection in the cluster's pooler.
    func poolerWaitingClients(cluster: String) -> String
    /// The time (Unix seconds) of the cluster's last successful base backup.
    func lastBackupTimestamp(cluster: String) -> String
    /// The share of the cluster's data volume still free, per volume.
    func volumeFreeRatio(cluster: String) -> String
    /// The time (Unix seconds) of the cluster's last passed restore test, where the platform's
    /// restore test publishes it; nil where it does not (it then reports by other means).
    func lastRestoreTestSuccess(cluster: String) -> String?
    /// A selector for a cache's redis_exporter series (`redis_up`, memory, evictions).
    func redis(cache: String) -> String
    /// Labels that keep this environment's series apart from another's in the same Prometheus
    /// (probes, and the SLO rules' recorded series).
    var scope: [(String, String)] { get }
}

/// Blackbox probes, the same on every platform: `check` says what was probed.
enum Probes {
    static func success(check: String, service: String? = nil, scope: [(String, String)]) -> String {
        "probe_success{\(selector(check: check, service: service, scope: scope))}"
    }

    static func certificateExpiry(check: String, scope: [(String, String)]) -> String {
        "probe_ssl_earliest_cert_expiry{\(selector(check: check, service: nil, scope: scope))}"
    }

    static func selector(check: String? = nil, service: String?, scope: [(String, String)]) -> String {
        let labels = (check.map { [("check", $0)] } ?? []) + (service.map { [("service", $0)] } ?? []) + scope
        return labels.map { #"\#($0.0)="\#($0.1)""# }.joined(separator: ", ")
    }
}
