/// alarms.tf: CloudWatch alarms on what the module runs, each on a metric and dimensions the
/// resource publishes — the load balancer per service, ECS, RDS, ElastiCache, AWS Backup, the
/// certificate, CloudFront and a Route 53 health check of the uptime URL — and, for a service
/// with an availability objective, multiwindow, multi-burn-rate alarms over the load
/// balancer's request counts. Pages and tickets go to their topics (alerts.tf).
enum AWSAlarms {
    static var file: HCLFile {
        HCLFile {
            HCLBlock("locals") {
                attr("page_topics", .ref(#"[for key, arn in local.alert_topic_arns : arn if key == "pages"]"#))
                attr("ticket_topics", .ref(#"[for key, arn in local.alert_topic_arns : arn if key == "tickets"]"#))
                attr("cache_nodes", .ref(#"""
                    merge([
                        for cache, settings in var.caches : {
                          for node in range(settings.replica ? 2 : 1) : "${cache}-${node + 1}" => { cache = cache, node = node + 1 }
                        }
                      ]...)
                    """#))
            }
            services
            workloads
            databases
            caches
            backups
            edge
            AWSBurnRateAlarms.items
        }
    }

    /// A CloudWatch metric as an alarm names it.
    struct Metric {
        let namespace: String
        let name: String
        /// `Sum`, `Average`, `Minimum`, `Maximum`, or a percentile such as `p99`.
        let statistic: String
        let dimensions: [(String, HCLValue)]

        var isPercentile: Bool { statistic.hasPrefix("p") }
    }

    enum Topic {
        case pages, tickets, pagesInUSEast1
        /// By an expression that picks one of the two regional topics.
        case chosen(String)

        var arns: HCLValue {
            switch self {
            case .pages: .ref("local.page_topics")
            case .tickets: .ref("local.ticket_topics")
            case .pagesInUSEast1: .ref("aws_sns_topic.pages_us_east_1[*].arn")
            case .chosen(let key): .ref("[local.alert_topic_arns[\(key)]]")
            }
        }
    }

    /// One alarm resource: `over` is its `for_each` (already filtered on alerting) or, as
    /// `count:`, the condition for a single one.
    static func alarm(
        _ label: String, over forEach: String? = nil, count: String? = nil, provider: String? = nil, name: String, description: String,
        metric: Metric, above: Bool, threshold: HCLValue, period: Int, evaluations: HCLValue = 1, breachWhenMissing: Bool = false, topic: Topic
    ) -> HCLBlock {
        HCLBlock("resource", "aws_cloudwatch_metric_alarm", label) {
            if let forEach { attr("for_each", .ref(forEach)) }
            if let count { attr("count", .ref("\(count) ? 1 : 0")) }
            if let provider { attr("provider", .ref(provider)) }
            attr("alarm_name", .ref("\"${var.name}-\(name)\""))
            attr("alarm_description", .ref("\"\(description)\""))
            attr("namespace", .string(metric.namespace))
            attr("metric_name", .string(metric.name))
            if metric.isPercentile {
                attr("extended_statistic", .string(metric.statistic))
            } else {
                attr("statistic", .string(metric.statistic))
            }
            attr("dimensions", .object(metric.dimensions.map { HCLAttribute($0.0, $0.1) }))
            attr("period", .int(period))
            attr("evaluation_periods", evaluations)
            attr("datapoints_to_alarm", evaluations)
            attr("comparison_operator", .string(above ? "GreaterThanThreshold" : "LessThanThreshold"))
            attr("threshold", threshold)
            attr("treat_missing_data", .string(breachWhenMissing ? "breaching" : "notBreaching"))
            attr("alarm_actions", topic.arns)
            attr("ok_actions", topic.arns)
        }
    }

    private static func loadBalancer(_ name: String, _ statistic: String) -> Metric {
        AWSBurnRateAlarms.serviceMetric(name, statistic: statistic, service: "each.key")
    }

    private static var services: [HCLItem] {
        let each = "{ for name, service in local.services : name => service if local.alerting }"
        return [
            .block(HCLBlock("resource", "aws_cloudwatch_metric_alarm", "service_errors") {
                attr("for_each", .ref(each))
                attr("alarm_name", .ref("\"${var.name}-${each.key}-5xx\""))
                attr("alarm_description", .ref("\"${each.key} answered more than 5 % of requests with a server error for 10 minutes.\""))
                attr("comparison_operator", "GreaterThanThreshold")
                attr("threshold", .number(0.05))
                attr("evaluation_periods", 2)
                attr("datapoints_to_alarm", 2)
                attr("treat_missing_data", "notBreaching")
                attr("alarm_actions", Topic.pages.arns)
                attr("ok_actions", Topic.pages.arns)
                HCLItem.blank
                comment("A quiet service (under 30 requests in 5 minutes) is not judged on a handful of errors.")
                HCLBlock("metric_query") {
                    attr("id", "ratio")
                    attr("expression", "IF(requests >= 30, FILL(errors, 0) / requests, 0)")
                    attr("label", "5xx ratio")
                    attr("return_data", true)
                }
                AWSBurnRateAlarms.query("errors", loadBalancer("HTTPCode_Target_5XX_Count", "Sum"), period: .int(300))
                AWSBurnRateAlarms.query("requests", loadBalancer("RequestCount", "Sum"), period: .int(300))
            }),
            .block(alarm(
                "service_latency", over: "{ for name, objective in var.monitoring.objectives : name => objective if local.alerting }",
                name: "${each.key}-latency",
                description: "1 % of requests to ${each.key} took longer than ${each.value.latency_ms} ms for 15 minutes.",
                metric: loadBalancer("TargetResponseTime", "p99"), above: true, threshold: .ref("each.value.latency_ms / 1000"),
                period: 300, evaluations: 3, topic: .tickets
            )),
            .block(alarm(
                "service_down", over: each, name: "${each.key}-down",
                description: "No task of ${each.key} has passed the load balancer's health check for 2 minutes.",
                metric: loadBalancer("HealthyHostCount", "Minimum"), above: false, threshold: 1,
                period: 60, evaluations: 2, breachWhenMissing: true, topic: .pages
            )),
            .block(alarm(
                "service_unhealthy_tasks", over: each, name: "${each.key}-unhealthy-tasks",
                description: "A task of ${each.key} has failed the load balancer's health check for 5 minutes.",
                metric: loadBalancer("UnHealthyHostCount", "Maximum"), above: true, threshold: 0,
                period: 60, evaluations: 5, topic: .tickets
            )),
        ]
    }

    private static var workloads: [HCLItem] {
        [
            .block(alarm(
                "running_tasks", over: "{ for name, workload in var.workloads : name => workload if local.alerting }",
                name: "${each.key}-tasks",
                description: "${each.key} has run fewer than its ${each.value.min_count} tasks for 10 minutes.",
                metric: Metric(namespace: "ECS/ContainerInsights", name: "RunningTaskCount", statistic: "Minimum", dimensions: [
                    ("ClusterName", .ref("aws_ecs_cluster.this.name")),
                    ("ServiceName", .ref("each.key")),
                ]),
                above: false, threshold: .ref("each.value.min_count"), period: 60, evaluations: 10, breachWhenMissing: true, topic: .pages
            )),
        ]
    }

    private static func rds(_ name: String, _ statistic: String, instance: String) -> Metric {
        Metric(namespace: "AWS/RDS", name: name, statistic: statistic, dimensions: [("DBInstanceIdentifier", .ref(instance))])
    }

    private static var databases: [HCLItem] {
        let each = "{ for db, settings in var.databases : db => settings if local.alerting }"
        let primary = "aws_db_instance.primary[each.key].identifier"
        return [
            .block(alarm(
                "database_cpu", over: each, name: "${each.key}-cpu",
                description: "The primary of ${each.key} has used more than 80 % CPU for 15 minutes.",
                metric: rds("CPUUtilization", "Average", instance: primary), above: true, threshold: 80, period: 300, evaluations: 3, topic: .tickets
            )),
            .block(alarm(
                "database_storage", over: each, name: "${each.key}-storage",
                description: "Less than 10 % of ${each.key}'s storage is free; PostgreSQL stops when it is full.",
                metric: rds("FreeStorageSpace", "Minimum", instance: primary), above: false,
                threshold: .ref("each.value.storage_gib * 1073741824 / 10"), period: 300, evaluations: 3, topic: .pages
            )),
            .block(alarm(
                "database_connections", over: each, name: "${each.key}-connections",
                description: "${each.key} has used more than 80 % of its ${each.value.max_connections} connections for 10 minutes.",
                metric: rds("DatabaseConnections", "Maximum", instance: primary), above: true,
                threshold: .ref("floor(each.value.max_connections * 0.8)"), period: 300, evaluations: 2, topic: .tickets
            )),
            .block(alarm(
                "database_pool", over: "{ for db, settings in local.pooled : db => settings if local.alerting }", name: "${each.key}-pool",
                description: "Connections to ${each.key} through its proxy have waited over 100 ms for a pooled connection for 10 minutes: the pool is saturated.",
                metric: Metric(namespace: "AWS/RDS", name: "DatabaseConnectionsBorrowLatency", statistic: "Average",
                               dimensions: [("ProxyName", .ref("aws_db_proxy.this[each.key].name"))]),
                above: true, threshold: 100_000, period: 300, evaluations: 2, topic: .tickets
            )),
            .block(alarm(
                "replica_lag", over: "{ for key, replica in local.replicas : key => replica if local.alerting }",
                name: "${each.key}-lag",
                description: "${each.key} has been more than a minute behind its primary for 5 minutes: reads routed to it are stale.",
                metric: rds("ReplicaLag", "Maximum", instance: "aws_db_instance.replica[each.key].identifier"), above: true,
                threshold: 60, period: 60, evaluations: 5, topic: .tickets
            )),
        ]
    }

    private static func elastiCache(_ name: String, _ statistic: String) -> Metric {
        Metric(namespace: "AWS/ElastiCache", name: name, statistic: statistic, dimensions: [
            ("CacheClusterId", .ref(#"format("%s-%03d", aws_elasticache_replication_group.this[each.value.cache].id, each.value.node)"#)),
        ])
    }

    private static var caches: [HCLItem] {
        let each = "{ for key, node in local.cache_nodes : key => node if local.alerting }"
        return [
            .block(alarm(
                "cache_memory", over: each, name: "${each.key}-memory",
                description: "Node ${each.value.node} of ${each.value.cache} has used more than 90 % of its memory for 15 minutes.",
                metric: elastiCache("DatabaseMemoryUsagePercentage", "Maximum"), above: true, threshold: 90, period: 300, evaluations: 3, topic: .tickets
            )),
            .comment("A queue's keys are work, and an eviction loses it: that pages. A cache's are copies."),
            .block(alarm(
                "cache_evictions", over: each, name: "${each.key}-evictions",
                description: "${each.value.cache} evicted keys in the last 10 minutes: it is out of memory.",
                metric: elastiCache("Evictions", "Sum"), above: true, threshold: 0, period: 600,
                topic: .chosen(#"var.caches[each.value.cache].persistence ? "pages" : "tickets""#)
            )),
        ]
    }

    private static var backups: [HCLItem] {
        let vault = Metric(namespace: "AWS/Backup", name: "NumberOfBackupJobsFailed", statistic: "Sum", dimensions: [
            ("BackupVaultName", .ref("aws_backup_vault.this[0].name")),
        ])
        let completed = Metric(namespace: "AWS/Backup", name: "NumberOfBackupJobsCompleted", statistic: "Sum", dimensions: vault.dimensions)
        let condition = "local.alerting && length(local.backed_up) > 0"
        let failures: [HCLItem] = [
            .block(alarm(
                "backup_failures", count: condition, name: "backup-failures",
                description: "A backup job of ${var.name} failed.",
                metric: vault, above: true, threshold: 0, period: 3600, topic: .pages
            )),
        ]
        let why = comment("""
            No backup completed for as long as the most frequent schedule allows (an alarm looks back at
            most 7 days): every hourly count in the window is zero, or missing.
            """)
        let age: [HCLItem] = [
            .block(HCLBlock("locals") {
                attr("backup_max_age_hours", .ref("min(168, [for settings in values(local.backed_up) : settings.backup.max_age_hours]...)"))
            }),
            .block(alarm(
                "backup_age", count: condition, name: "backup-age",
                description: "No backup of ${var.name} has completed for ${local.backup_max_age_hours} hours.",
                metric: completed, above: false, threshold: 1, period: 3600, evaluations: .ref("local.backup_max_age_hours"),
                breachWhenMissing: true, topic: .pages
            )),
        ]
        let restores: [HCLItem] = [
            .block(alarm(
                "restore_test_failures", count: "local.alerting && length(local.restore_tested) > 0", name: "restore-test-failures",
                description: "A restore test of ${var.name}'s databases failed: the backups may not restore.",
                metric: Metric(namespace: "AWS/Backup", name: "NumberOfRestoreJobsFailed", statistic: "Sum", dimensions: [("ResourceType", "RDS")]),
                above: true, threshold: 0, period: 3600, topic: .pages
            )),
        ]
        return failures + why + age + restores
    }

    /// The certificate, the CDN and the uptime check; the last two publish in us-east-1 only.
    private static var edge: [HCLItem] {
        [
            .block(alarm(
                "certificate_expiry", count: "local.alerting", name: "certificate-expiry",
                description: "The load balancer's certificate expires within 14 days; ACM renews DNS-validated certificates 60 days before.",
                metric: Metric(namespace: "AWS/CertificateManager", name: "DaysToExpiry", statistic: "Minimum", dimensions: [
                    ("CertificateArn", .ref("local.certificate_arn")),
                ]),
                above: false, threshold: 14, period: 86400, topic: .tickets
            )),
            .block(alarm(
                "cdn_errors", count: "local.alerting && var.cdn != null", provider: "aws.us_east_1", name: "cdn-5xx",
                description: "CloudFront answered more than 5 % of requests with a server error for 10 minutes.",
                metric: Metric(namespace: "AWS/CloudFront", name: "5xxErrorRate", statistic: "Average", dimensions: [
                    ("DistributionId", .ref("module.cdn[0].distribution_id")),
                    ("Region", "Global"),
                ]),
                above: true, threshold: 5, period: 300, evaluations: 2, topic: .pagesInUSEast1
            )),
            .comment("Route 53 requests the uptime URL from several regions every 30 seconds."),
            .block(HCLBlock("resource", "aws_route53_health_check", "uptime") {
                attr("count", .ref("var.monitoring.uptime == null ? 0 : 1"))
                attr("fqdn", .ref("var.monitoring.uptime.fqdn"))
                attr("resource_path", .ref("var.monitoring.uptime.path"))
                attr("type", "HTTPS")
                attr("port", 443)
                attr("enable_sni", true)
                attr("request_interval", 30)
                attr("failure_threshold", 3)
                attr("measure_latency", true)
                attr("tags", ["Name": .ref("\"${var.name}-uptime\"")])
            }),
            .block(alarm(
                "uptime", count: "local.alerting && var.monitoring.uptime != null", provider: "aws.us_east_1", name: "uptime",
                description: "https://${var.monitoring.uptime.fqdn}${var.monitoring.uptime.path} has failed Route 53's health check for 5 minutes.",
                metric: Metric(namespace: "AWS/Route53", name: "HealthCheckStatus", statistic: "Minimum", dimensions: [
                    ("HealthCheckId", .ref("aws_route53_health_check.uptime[0].id")),
                ]),
                above: false, threshold: 1, period: 60, evaluations: 5, breachWhenMissing: true, topic: .pagesInUSEast1
            )),
        ]
    }
}
