/// backup.tf: AWS Backup on top of RDS's own backups — a vault encrypted with the stack's key,
/// the plan's schedules and retention, and a copy in a second region when the plan asks.
enum AWSBackups {
    static func file(crossRegion: Bool) -> HCLFile {
        HCLFile {
            HCLBlock("locals") {
                attr("backed_up", .ref("{ for db, settings in var.databases : db => settings if settings.backup != null }"))
            }
            HCLBlock("resource", "aws_backup_vault", "this") {
                attr("count", .ref("length(local.backed_up) > 0 ? 1 : 0"))
                attr("name", .ref("var.name"))
                attr("kms_key_arn", .ref("aws_kms_key.this.arn"))
            }
            if crossRegion {
                comment("The copy lives in another region, under a key of that region.")
                AWSKeys.regionalKey("backup_copy", provider: "aws.backup_copy", condition: "var.backup_copy_region != null",
                                    description: " backup copies", services: [])
                HCLBlock("resource", "aws_backup_vault", "copy") {
                    attr("count", .ref("var.backup_copy_region == null ? 0 : 1"))
                    attr("provider", .ref("aws.backup_copy"))
                    attr("name", .ref("\"${var.name}-copy\""))
                    attr("kms_key_arn", .ref("aws_kms_key.backup_copy[0].arn"))
                }
            }
            HCLBlock("resource", "aws_backup_plan", "this") {
                attr("for_each", .ref("local.backed_up"))
                attr("name", .ref("local.backup_names[each.key]"))
                HCLItem.blank
                HCLBlock("dynamic", "rule") {
                    attr("for_each", .ref("each.value.backup.schedules"))
                    HCLBlock("content") {
                        attr("rule_name", .ref("rule.key"))
                        attr("target_vault_name", .ref("aws_backup_vault.this[0].name"))
                        attr("schedule", .ref("rule.value"))
                        attr("start_window", 60)
                        attr("completion_window", 360)
                        HCLItem.blank
                        HCLBlock("lifecycle") { attr("delete_after", .ref("each.value.backup.retention_days")) }
                        if crossRegion {
                            HCLItem.blank
                            HCLBlock("dynamic", "copy_action") {
                                attr("for_each", .ref("var.backup_copy_region == null ? [] : [aws_backup_vault.copy[0].arn]"))
                                HCLBlock("content") {
                                    attr("destination_vault_arn", .ref("copy_action.value"))
                                    HCLItem.blank
                                    HCLBlock("lifecycle") { attr("delete_after", .ref("each.value.backup.retention_days")) }
                                }
                            }
                        }
                    }
                }
            }
            HCLBlock("resource", "aws_iam_role", "backup") {
                attr("count", .ref("length(local.backed_up) > 0 ? 1 : 0"))
                attr("name_prefix", AWSNames.rolePrefix("backup"))
                attr("assume_role_policy", AWSPolicy.assumeRole("backup.amazonaws.com"))
            }
            HCLBlock("resource", "aws_iam_role_policy_attachment", "backup") {
                attr("count", .ref("length(local.backed_up) > 0 ? 1 : 0"))
                attr("role", .ref("aws_iam_role.backup[0].name"))
                attr("policy_arn", "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup")
            }
            HCLBlock("resource", "aws_backup_selection", "this") {
                attr("for_each", .ref("local.backed_up"))
                attr("name", .ref("local.backup_names[each.key]"))
                attr("plan_id", .ref("aws_backup_plan.this[each.key].id"))
                attr("iam_role_arn", .ref("aws_iam_role.backup[0].arn"))
                attr("resources", [.ref("aws_db_instance.primary[each.key].arn")])
            }
            if crossRegion {
                comment("""
                    RDS's automated backups (its snapshots and transaction logs) replicated to the copy region:
                    there too a restore reaches any second of the retention, not only the last daily copy.
                    """)
                HCLBlock("resource", "aws_db_instance_automated_backups_replication", "copy") {
                    attr("for_each", .ref("var.backup_copy_region == null ? {} : local.backed_up"))
                    attr("provider", .ref("aws.backup_copy"))
                    attr("source_db_instance_arn", .ref("aws_db_instance.primary[each.key].arn"))
                    attr("kms_key_id", .ref("aws_kms_key.backup_copy[0].arn"))
                    attr("retention_period", .ref("each.value.backup_retention_days"))
                }
            }
            restoreTests
        }
    }

    /// The restore test: on the plan's schedule AWS Backup restores the latest snapshot of each
    /// database into a scratch instance, checks that it becomes available, and deletes it; a
    /// failed restore raises the restore alarm (alarms.tf).
    private static var restoreTests: [HCLItem] {
        [
            .block(HCLBlock("locals") {
                attr("restore_tested", .ref("{ for db, settings in local.backed_up : db => settings if settings.backup.restore_test_schedule != null }"))
                comment("A plan's name is letters, digits and underscores, at most 50: a longer one keeps a hash of the whole.")
                attr("restore_test_names", .ref(#"""
                    {
                        for db in keys(local.restore_tested) : db => replace(
                          length("${var.name}_${db}") <= 50 ? "${var.name}_${db}" : "${substr("${var.name}_${db}", 0, 41)}_${substr(md5("${var.name}_${db}"), 0, 8)}",
                          "-", "_"
                        )
                      }
                    """#))
            }),
            .block(HCLBlock("resource", "aws_iam_role_policy_attachment", "backup_restores") {
                attr("count", .ref("length(local.restore_tested) > 0 ? 1 : 0"))
                attr("role", .ref("aws_iam_role.backup[0].name"))
                attr("policy_arn", "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores")
            }),
            .block(HCLBlock("resource", "aws_backup_restore_testing_plan", "this") {
                attr("for_each", .ref("local.restore_tested"))
                attr("name", .ref("local.restore_test_names[each.key]"))
                attr("schedule_expression", .ref("each.value.backup.restore_test_schedule"))
                attr("schedule_expression_timezone", "Etc/UTC")
                attr("start_window_hours", 1)
                HCLItem.blank
                HCLBlock("recovery_point_selection") {
                    attr("algorithm", "LATEST_WITHIN_WINDOW")
                    attr("include_vaults", [.ref("aws_backup_vault.this[0].arn")])
                    attr("recovery_point_types", ["SNAPSHOT"])
                    attr("selection_window_days", 7)
                }
            }),
            .block(HCLBlock("resource", "aws_backup_restore_testing_selection", "this") {
                attr("for_each", .ref("local.restore_tested"))
                attr("name", .ref("replace(each.key, \"-\", \"_\")"))
                attr("restore_testing_plan_name", .ref("aws_backup_restore_testing_plan.this[each.key].name"))
                attr("protected_resource_type", "RDS")
                attr("protected_resource_arns", [.ref("aws_db_instance.primary[each.key].arn")])
                attr("iam_role_arn", .ref("aws_iam_role.backup[0].arn"))
                comment("The scratch instance is deleted once it has been available for this long.")
                attr("validation_window_hours", 1)
            }),
        ]
    }
}
