/// cache.tf: a Redis replication group per cache — TLS and encryption at rest, a password the
/// state never holds (a user group whose default user the deploy gives it), a replica with
/// automatic failover when planned.
enum AWSCaches {
    static var file: HCLFile {
        HCLFile {
            HCLBlock("resource", "aws_elasticache_subnet_group", "this") {
                attr("name", .ref("var.name"))
                attr("subnet_ids", .ref("local.private_subnet_ids"))
            }
            comment("""
                Each cache's password: random, written once into a secret Terraform keeps no copy of.
                ElastiCache's AUTH token would keep it in the state, so the cache authenticates through a
                user group instead, whose default user starts switched off; the deploy gives it the password
                (aws elasticache modify-user) before the workloads need it.
                """)
            AWSGeneratedSecret.blocks("cache_password", forEach: "var.caches", namePrefix: "\"${var.name}-${each.key}-cache-password-\"",
                                      description: "\"The password of the ${each.key} cache: the deploy sets it on the cache's default user\"",
                                      value: AWSGeneratedSecret.random)
            comment("""
                The user AUTH <password> logs in as. It is made switched off and without a password; what the
                deploy sets afterwards (its password, its access) is not Terraform's to undo.
                """)
            HCLBlock("resource", "aws_elasticache_user", "default") {
                attr("for_each", .ref("var.caches"))
                attr("user_id", .ref("local.cache_ids[each.key]"))
                attr("user_name", "default")
                attr("engine", "redis")
                attr("access_string", "off ~* -@all")
                HCLItem.blank
                HCLBlock("authentication_mode") {
                    attr("type", "no-password-required")
                }
                HCLItem.blank
                HCLBlock("lifecycle") {
                    attr("ignore_changes", .ref("[access_string, authentication_mode, no_password_required, passwords]"))
                }
            }
            HCLBlock("resource", "aws_elasticache_user_group", "this") {
                attr("for_each", .ref("var.caches"))
                attr("user_group_id", .ref("local.cache_ids[each.key]"))
                attr("engine", "redis")
                attr("user_ids", [.ref("aws_elasticache_user.default[each.key].user_id")])
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
                attr("user_group_ids", [.ref("aws_elasticache_user_group.this[each.key].id")])
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
