/// Compose: nginx's request log read by mtail; postgres_exporter, the PgBouncer exporter and
/// redis_exporter per cluster (labelled `cluster` by the scrape configuration); node_exporter
/// with the cron jobs' outcomes as text files.
public struct ComposeMetricSource: MetricSource {
    public init() {}

    public func requests(service: String) -> String { #"nginx_requests_total{service="\#(service)"}"# }
    public var statusLabel: String { "code" }
    public func requestDurationBuckets(service: String) -> String { #"nginx_request_duration_seconds_bucket{service="\#(service)"}"# }
    public func postgresDown(cluster: String) -> String {
        #"pg_up{cluster="\#(cluster)"} == 0 or up{job="postgres", cluster="\#(cluster)"} == 0"#
    }
    public func replicationLagBytes(cluster: String) -> String { #"pg_replication_slots_pg_wal_lsn_diff{cluster="\#(cluster)"}"# }
    public func replicationSlotActive(cluster: String) -> String { #"pg_replication_slots_active{cluster="\#(cluster)"}"# }
    public func archiveFailures(cluster: String) -> String { #"pg_stat_archiver_failed_count{cluster="\#(cluster)"}"# }
    public func connectionsRatio(cluster: String) -> String {
        #"sum by (instance) (pg_stat_activity_count{cluster="\#(cluster)"}) / on (instance) max by (instance) (pg_settings_max_connections{cluster="\#(cluster)"})"#
    }
    public func poolerWaitingClients(cluster: String) -> String {
        #"sum by (instance) (pgbouncer_pools_client_waiting_connections{cluster="\#(cluster)"})"#
    }
    public func lastBackupTimestamp(cluster: String) -> String {
        #"max(stagecraft_job_last_success_timestamp_seconds{cron_job=~"\#(cluster)-(full|diff|incr)-backup"})"#
    }
    /// The restore test runs from the host's crontab, whose failures reach its mail, not Prometheus.
    public func lastRestoreTestSuccess(cluster: String) -> String? { nil }
    public func volumeFreeRatio(cluster: String) -> String {
        #"node_filesystem_avail_bytes{mountpoint="/", fstype!~"tmpfs|overlay"} / node_filesystem_size_bytes{mountpoint="/", fstype!~"tmpfs|overlay"}"#
    }
    public func redis(cache: String) -> String { #"{cluster="\#(cache)"}"# }
    /// One environment a host: its Prometheus sees no other.
    public var scope: [(String, String)] { [] }
}
