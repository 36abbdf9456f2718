import StagecraftOutput

/// proxy.tf: connection pooling, where the plan asks for it, as an RDS Proxy in front of the
/// primary. The workloads connect to the proxy as the application role, with the password of
/// the app-login secret; the proxy reads the same secret for its own connections to the
/// database, so a rotated secret reaches the database's side with no restart of the proxy.
/// Migrations, the roles task and the partition maintenance go to the primary directly (a
/// migration's session-level advisory lock would pin a proxied connection).
enum AWSDatabaseProxy {
    static var file: HCLFile {
        HCLFile {
            HCLBlock("locals") {
                attr("pooled", .ref("{ for db, settings in var.databases : db => settings if settings.pooling }"))
                comment("Where the workloads connect: the proxy of a pooled database, the primary of another.")
                attr("database_endpoints", .ref(#"""
                    {
                        for db, settings in var.databases : db => settings.pooling ? aws_db_proxy.this[db].endpoint : aws_db_instance.primary[db].address
                      }
                    """#))
            }
            HCLBlock("resource", "aws_iam_role", "database_proxy") {
                attr("count", .ref("length(local.pooled) > 0 ? 1 : 0"))
                attr("name_prefix", AWSNames.rolePrefix("proxy"))
                attr("assume_role_policy", AWSPolicy.assumeRole("rds.amazonaws.com"))
            }
            comment("The proxies read the application's logins, and nothing else.")
            HCLBlock("resource", "aws_iam_role_policy", "database_proxy") {
                attr("count", .ref("length(local.pooled) > 0 ? 1 : 0"))
                attr("role", .ref("aws_iam_role.database_proxy[0].id"))
                attr("policy", AWSPolicy.document([
                    AWSPolicy.allow(["secretsmanager:GetSecretValue"], resources: .ref("[for db, settings in local.pooled : aws_secretsmanager_secret.app_login[db].arn]")),
                    AWSPolicy.allow(["kms:Decrypt"], resources: [.ref("aws_kms_key.this.arn")]),
                ]))
            }
            HCLBlock("resource", "aws_db_proxy", "this") {
                attr("for_each", .ref("local.pooled"))
                attr("name", .ref("local.proxy_names[each.key]"))
                attr("engine_family", "POSTGRESQL")
                attr("role_arn", .ref("aws_iam_role.database_proxy[0].arn"))
                attr("vpc_subnet_ids", .ref("local.private_subnet_ids"))
                attr("vpc_security_group_ids", [.ref("aws_security_group.database_proxies[each.key].id")])
                attr("require_tls", true)
                comment("A client idle this long is disconnected; the pool's connections to the database stay.")
                attr("idle_client_timeout", 1800)
                HCLItem.blank
                HCLBlock("auth") {
                    attr("description", "The application role")
                    attr("auth_scheme", "SECRETS")
                    attr("secret_arn", .ref("aws_secretsmanager_secret.app_login[each.key].arn"))
                    attr("iam_auth", "DISABLED")
                    attr("client_password_auth_type", "POSTGRES_SCRAM_SHA_256")
                }
                HCLItem.blank
                comment("The proxy reads the login as its role may: the role's policy first.")
                attr("depends_on", [.ref("aws_iam_role_policy.database_proxy")])
            }
            HCLBlock("resource", "aws_db_proxy_default_target_group", "this") {
                attr("for_each", .ref("local.pooled"))
                attr("db_proxy_name", .ref("aws_db_proxy.this[each.key].name"))
                HCLItem.blank
                HCLBlock("connection_pool_config") {
                    comment("Room for the deploy's one-off tasks and the console beside the pool.")
                    attr("max_connections_percent", 90)
                    attr("max_idle_connections_percent", 50)
                    attr("connection_borrow_timeout", 120)
                }
            }
            HCLBlock("resource", "aws_db_proxy_target", "this") {
                attr("for_each", .ref("local.pooled"))
                attr("db_proxy_name", .ref("aws_db_proxy.this[each.key].name"))
                attr("target_group_name", .ref("aws_db_proxy_default_target_group.this[each.key].name"))
                attr("db_instance_identifier", .ref("aws_db_instance.primary[each.key].identifier"))
            }
        }
    }
}
