/// dashboard.tf: one CloudWatch dashboard per environment — traffic, errors and latency per
/// service, the tasks' CPU and memory, and each database and cache — on the metrics the
/// alarms watch, so a page leads to a graph of the same series.
enum AWSDashboard {
    static var file: HCLFile {
        HCLFile {
            HCLBlock("locals") {
                attr("dashboard_widgets", .ref("concat(\n    " + widgets.map { widget in
                    let body = widget.expression
                    return widget.present.map { "\($0) ? [\(body)] : []" } ?? "[\(body)]"
                }.joined(separator: ",\n    ") + ",\n  )"))
            }
            HCLBlock("resource", "aws_cloudwatch_dashboard", "this") {
                attr("dashboard_name", .ref("var.name"))
                attr("dashboard_body", .ref("jsonencode({ widgets = local.dashboard_widgets })"))
            }
        }
    }

    private struct Widget {
        let title: String
        let statistic: String
        /// A `for` expression making one CloudWatch metric array per line of the graph.
        let metrics: String
        /// Shown only when this holds (a graph with no line is rejected).
        let present: String?

        var expression: String {
            """
            {
                  type   = "metric"
                  width  = 12
                  height = 6
                  properties = {
                    title   = "\(title)"
                    region  = data.aws_region.current.name
                    view    = "timeSeries"
                    stat    = "\(statistic)"
                    period  = 60
                    metrics = \(metrics)
                  }
                }
            """
        }
    }

    private static func perService(_ metric: String) -> String {
        #"[for name, service in local.services : ["AWS/ApplicationELB", "\#(metric)", "LoadBalancer", aws_lb.this.arn_suffix, "TargetGroup", aws_lb_target_group.this[name].arn_suffix, { label = name }]]"#
    }

    private static func perWorkload(_ metric: String) -> String {
        #"[for name, workload in var.workloads : ["AWS/ECS", "\#(metric)", "ClusterName", aws_ecs_cluster.this.name, "ServiceName", name, { label = name }]]"#
    }

    private static func perDatabase(_ metric: String) -> String {
        #"[for db, settings in var.databases : ["AWS/RDS", "\#(metric)", "DBInstanceIdentifier", aws_db_instance.primary[db].identifier, { label = db }]]"#
    }

    private static func perCacheNode(_ metric: String) -> String {
        #"[for key, node in local.cache_nodes : ["AWS/ElastiCache", "\#(metric)", "CacheClusterId", format("%s-%03d", aws_elasticache_replication_group.this[node.cache].id, node.node), { label = key }]]"#
    }

    private static let anyService = "length(local.services) > 0"
    private static let anyDatabase = "length(var.databases) > 0"
    private static let anyCache = "length(var.caches) > 0"

    private static var widgets: [Widget] {
        [
            Widget(title: "Requests", statistic: "Sum", metrics: perService("RequestCount"), present: anyService),
            Widget(title: "Server errors (5xx)", statistic: "Sum", metrics: perService("HTTPCode_Target_5XX_Count"), present: anyService),
            Widget(title: "Response time, p99", statistic: "p99", metrics: perService("TargetResponseTime"), present: anyService),
            Widget(title: "Healthy tasks", statistic: "Minimum", metrics: perService("HealthyHostCount"), present: anyService),
            Widget(title: "Task CPU (%)", statistic: "Average", metrics: perWorkload("CPUUtilization"), present: nil),
            Widget(title: "Task memory (%)", statistic: "Average", metrics: perWorkload("MemoryUtilization"), present: nil),
            Widget(title: "Database CPU (%)", statistic: "Average", metrics: perDatabase("CPUUtilization"), present: anyDatabase),
            Widget(title: "Database connections", statistic: "Maximum", metrics: perDatabase("DatabaseConnections"), present: anyDatabase),
            Widget(title: "Database free storage (bytes)", statistic: "Minimum", metrics: perDatabase("FreeStorageSpace"), present: anyDatabase),
            Widget(title: "Replica lag (s)", statistic: "Maximum",
                   metrics: #"[for key, replica in local.replicas : ["AWS/RDS", "ReplicaLag", "DBInstanceIdentifier", aws_db_instance.replica[key].identifier, { label = key }]]"#,
                   present: "length(local.replicas) > 0"),
            Widget(title: "Cache memory (%)", statistic: "Maximum", metrics: perCacheNode("DatabaseMemoryUsagePercentage"), present: anyCache),
            Widget(title: "Cache evictions", statistic: "Sum", metrics: perCacheNode("Evictions"), present: anyCache),
        ]
    }
}
