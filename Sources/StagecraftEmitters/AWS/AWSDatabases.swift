/// rds.tf: PostgreSQL per database — encrypted, private, IAM authentication, the password
/// kept by RDS in Secrets Manager, slow queries logged — and its read replicas. Automated
/// backups give point-in-time recovery (transaction logs every five minutes) for the retention.
enum AWSDatabases {
    static var file: HCLFile {
        HCLFile {
            HCLBlock("locals") {
                attr("replicas", .ref(#"""
                    merge([
                        for db, settings in var.databases : {
                          for index in range(settings.read_replicas) : "${db}-replica-${index + 1}" => { database = db, index = index }
                        }
                      ]...)
                    """#))
                attr("reader_addresses", .ref(#"""
                    {
                        for db, settings in var.databases : db => (
                          settings.read_replicas == 0 ? [aws_db_instance.primary[db].address]
                          : [for key, replica in local.replicas : aws_db_instance.replica[key].address if replica.database == db]
                        )
                      }
                    """#))
            }
            HCLBlock("resource", "aws_db_subnet_group", "this") {
                attr("name_prefix", .ref("\"${var.name}-\""))
                attr("subnet_ids", .ref("local.private_subnet_ids"))
            }
            HCLBlock("resource", "aws_db_parameter_group", "this") {
                attr("for_each", .ref("var.databases"))
                attr("name_prefix", .ref("\"${var.name}-${each.key}-\""))
                attr("family", .ref("\"postgres${each.value.version}\""))
                HCLItem.blank
                parameter("log_min_duration_statement", .ref("tostring(each.value.slow_query_ms)"), comment: "Slow-query log: statements slower than this many milliseconds.")
                parameter("max_connections", .ref("tostring(each.value.max_connections)"), applyMethod: "pending-reboot", comment: "Set, not left to RDS's formula, so the connection alarm's threshold is exact.")
                parameter("log_statement", "ddl")
                parameter("log_connections", "1")
                parameter("rds.force_ssl", "1")
                parameter("shared_preload_libraries", "pg_stat_statements", applyMethod: "pending-reboot")
                HCLItem.blank
                HCLBlock("lifecycle") { attr("create_before_destroy", true) }
            }
            HCLBlock("resource", "aws_iam_role", "rds_monitoring") {
                attr("name_prefix", AWSNames.rolePrefix("rds-mon"))
                attr("assume_role_policy", AWSPolicy.assumeRole("monitoring.rds.amazonaws.com"))
            }
            HCLBlock("resource", "aws_iam_role_policy_attachment", "rds_monitoring") {
                attr("role", .ref("aws_iam_role.rds_monitoring.name"))
                attr("policy_arn", "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole")
            }
            HCLBlock("resource", "aws_db_instance", "primary") {
                attr("for_each", .ref("var.databases"))
                attr("identifier", .ref("local.database_identifiers[each.key]"))
                attr("engine", "postgres")
                attr("engine_version", .ref("tostring(each.value.version)"))
                attr("instance_class", .ref("each.value.instance_class"))
                attr("allocated_storage", .ref("each.value.storage_gib"))
                attr("max_allocated_storage", .ref("each.value.storage_gib * 2"))
                attr("storage_type", "gp3")
                attr("storage_encrypted", true)
                attr("kms_key_id", .ref("aws_kms_key.this.arn"))
                attr("db_name", .ref("replace(each.key, \"-\", \"_\")"))
                comment("""
                    The master user, for the deploy's one-off tasks alone (the workloads log in as the
                    application role, database-roles.tf). RDS creates its password, keeps it in Secrets
                    Manager and rotates it; it never appears here or in the state.
                    """)
                attr("username", .string(AWSDatabaseRoles.masterUser))
                attr("manage_master_user_password", true)
                attr("master_user_secret_kms_key_id", .ref("aws_kms_key.this.arn"))
                attr("iam_database_authentication_enabled", true)
                attr("multi_az", .ref("each.value.multi_az"))
                attr("db_subnet_group_name", .ref("aws_db_subnet_group.this.name"))
                attr("vpc_security_group_ids", [.ref("aws_security_group.databases[each.key].id")])
                attr("parameter_group_name", .ref("aws_db_parameter_group.this[each.key].name"))
                attr("publicly_accessible", false)
                HCLItem.blank
                comment("Automated backups with point-in-time recovery for this many days (0: none).")
                attr("backup_retention_period", .ref("each.value.backup_retention_days"))
                attr("backup_window", "00:30-01:30")
                attr("maintenance_window", "sun:03:00-sun:04:00")
                attr("copy_tags_to_snapshot", true)
                attr("deletion_protection", .ref("each.value.deletion_protection"))
                attr("skip_final_snapshot", .ref("!each.value.deletion_protection"))
                attr("final_snapshot_identifier", .ref("\"${var.name}-${each.key}-final\""))
                HCLItem.blank
                monitoring
            }
            HCLBlock("resource", "aws_db_instance", "replica") {
                attr("for_each", .ref("local.replicas"))
                attr("identifier", .ref("local.database_identifiers[each.key]"))
                attr("replicate_source_db", .ref("aws_db_instance.primary[each.value.database].identifier"))
                attr("instance_class", .ref("var.databases[each.value.database].instance_class"))
                attr("storage_encrypted", true)
                attr("kms_key_id", .ref("aws_kms_key.this.arn"))
                attr("iam_database_authentication_enabled", true)
                comment("Replicas spread over the zones the workloads run in.")
                attr("availability_zone", .ref("data.aws_availability_zones.available.names[each.value.index % var.zones]"))
                attr("vpc_security_group_ids", [.ref("aws_security_group.databases[each.value.database].id")])
                attr("parameter_group_name", .ref("aws_db_parameter_group.this[each.value.database].name"))
                attr("publicly_accessible", false)
                attr("backup_retention_period", 0)
                attr("copy_tags_to_snapshot", true)
                attr("deletion_protection", .ref("var.databases[each.value.database].deletion_protection"))
                attr("skip_final_snapshot", true)
                HCLItem.blank
                monitoring
            }
        }
    }

    private static var monitoring: [HCLItem] {
        [
            .attribute(attr("performance_insights_enabled", true)),
            .attribute(attr("performance_insights_kms_key_id", .ref("aws_kms_key.this.arn"))),
            .attribute(attr("performance_insights_retention_period", 7)),
            .attribute(attr("monitoring_interval", 60)),
            .attribute(attr("monitoring_role_arn", .ref("aws_iam_role.rds_monitoring.arn"))),
            .attribute(attr("enabled_cloudwatch_logs_exports", ["postgresql", "upgrade"])),
            .attribute(attr("auto_minor_version_upgrade", true)),
            .attribute(attr("apply_immediately", false)),
        ]
    }

    private static func parameter(_ name: String, _ value: HCLValue, applyMethod: String? = nil, comment text: String? = nil) -> [HCLItem] {
        var items: [HCLItem] = text.map { comment($0) } ?? []
        items.append(.block(HCLBlock("parameter") {
            attr("name", .string(name))
            attr("value", value)
            if let applyMethod { attr("apply_method", .string(applyMethod)) }
        }))
        return items
    }
}
