/// cache.tf: a Redis replication group per cache — TLS and encryption at rest, an auth token
/// read from SSM Parameter Store at apply time, a replica with automatic failover when planned.
enum AWSCaches {
    static var file: HCLFile {
        HCLFile {
            HCLBlock("resource", "aws_elasticache_subnet_group", "this") {
                attr("name", .ref("var.name"))
                attr("subnet_ids", .ref("local.private_subnet_ids"))
            }
            comment("""
                The auth token is a SecureString you create (the workloads read the same parameter).
                Terraform reads it to configure the cluster, so it is in the state: keep the state bucket encrypted and private.
                """)
            HCLBlock("data", "aws_ssm_parameter", "cache_auth_token") {
                attr("for_each", .ref("var.caches"))
                attr("name", .ref("\"${var.secret_parameter_prefix}${each.value.env_prefix}_PASSWORD\""))
            }
            AWSLogGroup.block("caches", attr("for_each", .ref("var.caches")), name: "\"/${var.name}/redis/${each.key}\"")
            HCLBlock("resource", "aws_elasticache_replication_group", "this") {
                attr("for_each", .ref("var.caches"))
                attr("replication_group_id", .ref("local.cache_ids[each.key]"))
                attr("description", .ref("\"${var.name} ${each.key}\""))
                attr("engine", "redis")
                attr("engine_version", .ref("each.value.engine_version"))
                attr("node_type", .ref("each.value.node_type"))
                attr("port", 6379)
                attr("num_cache_clusters", .ref("each.value.replica ? 2 : 1"))
                attr("automatic_failover_enabled", .ref("each.value.replica"))
                attr("multi_az_enabled", .ref("each.value.replica && each.value.multi_az"))
                attr("subnet_group_name", .ref("aws_elasticache_subnet_group.this.name"))
                attr("security_group_ids", [.ref("aws_security_group.caches[each.key].id")])
                attr("at_rest_encryption_enabled", true)
                attr("kms_key_id", .ref("aws_kms_key.this.arn"))
                attr("transit_encryption_enabled", true)
                attr("auth_token", .ref("data.aws_ssm_parameter.cache_auth_token[each.key].value"))
                attr("auto_minor_version_upgrade", true)
                comment("Daily snapshots only for caches that hold data worth keeping (queues).")
                attr("snapshot_retention_limit", .ref("each.value.persistence ? 7 : 0"))
                attr("snapshot_window", "01:30-02:30")
                attr("maintenance_window", "sun:04:00-sun:05:00")
                HCLItem.blank
                HCLBlock("log_delivery_configuration") {
                    attr("destination", .ref("aws_cloudwatch_log_group.caches[each.key].name"))
                    attr("destination_type", "cloudwatch-logs")
                    attr("log_format", "json")
                    attr("log_type", "slow-log")
                }
            }
        }
    }
}
