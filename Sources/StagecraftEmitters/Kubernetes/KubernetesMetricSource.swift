/// Kubernetes: ingress-nginx's request metrics (scraped with their own labels, `honorLabels`),
/// CloudNativePG's instance and pooler exporters and the Redis exporter sidecar (PodMonitors
/// that label each series with its `cluster`), and the kubelet's volume statistics.
public struct KubernetesMetricSource: MetricSource {
    public let namespace: String

    public init(namespace: String) { self.namespace = namespace }

    private var namespaceSelector: String { #"namespace="\#(namespace)""# }

    public func requests(service: String) -> String { #"nginx_ingress_controller_requests{\#(namespaceSelector), service="\#(service)"}"# }
    public var statusLabel: String { "status" }
    public func requestDurationBuckets(service: String) -> String {
        #"nginx_ingress_controller_request_duration_seconds_bucket{\#(namespaceSelector), service="\#(service)"}"#
    }
    public func postgresDown(cluster: String) -> String {
        #"cnpg_collector_up{\#(namespaceSelector), cluster="\#(cluster)"} == 0 or up{\#(namespaceSelector), job="\#(namespace)/\#(cluster)", cluster="\#(cluster)"} == 0"#
    }
    public func replicationLagBytes(cluster: String) -> String { #"cnpg_pg_replication_slots_pg_wal_lsn_diff{\#(namespaceSelector), cluster="\#(cluster)", slot_type="physical"}"# }
    public func replicationSlotActive(cluster: String) -> String { #"cnpg_pg_replication_slots_active{\#(namespaceSelector), cluster="\#(cluster)", slot_type="physical"}"# }
    public func archiveFailures(cluster: String) -> String { #"cnpg_pg_stat_archiver_failed_count{\#(namespaceSelector), cluster="\#(cluster)"}"# }
    public func connectionsRatio(cluster: String) -> String {
        #"sum by (pod) (cnpg_backends_total{\#(namespaceSelector), cluster="\#(cluster)"}) / on (pod) max by (pod) (cnpg_pg_settings_setting{\#(namespaceSelector), cluster="\#(cluster)", name="max_connections"})"#
    }
    public func poolerWaitingClients(cluster: String) -> String {
        #"sum by (pod) (cnpg_pgbouncer_pools_cl_waiting{\#(namespaceSelector), cluster="\#(cluster)"})"#
    }
    public func lastBackupTimestamp(cluster: String) -> String {
        #"max(cnpg_collector_last_available_backup_timestamp{\#(namespaceSelector), cluster="\#(cluster)"})"#
    }
    public func volumeFreeRatio(cluster: String) -> String {
        #"kubelet_volume_stats_available_bytes{\#(namespaceSelector), persistentvolumeclaim=~"\#(cluster)-[0-9]+"} / kubelet_volume_stats_capacity_bytes{\#(namespaceSelector), persistentvolumeclaim=~"\#(cluster)-[0-9]+"}"#
    }
    /// kube-state-metrics' record of the restore test CronJob's last successful run.
    public func lastRestoreTestSuccess(cluster: String) -> String? {
        #"kube_cronjob_status_last_successful_time{\#(namespaceSelector), cronjob="\#(cluster)-restore-test-runner"}"#
    }
    public func redis(cache: String) -> String { #"{\#(namespaceSelector), cluster="\#(cache)"}"# }
    /// Staging and production share the cluster's Prometheus; the operator labels a Probe's
    /// series with its namespace.
    public var scope: [(String, String)] { [("namespace", namespace)] }
}
