import StagecraftOutput
import StagecraftPlanner

/// partitions.tf: the daily partition maintenance of each database with partitioned tables —
/// psql from the official image of the database's major version, as a Fargate task beside the
/// workloads, started by EventBridge Scheduler; the script is the module's
/// `partition-maintenance/<database>.sql`. It logs in as the application role, which owns the
/// tables it partitions.
enum AWSPartitionMaintenance {
    static let folder = "partition-maintenance"

    /// The scripts, one per database with partitioned tables (the same in every environment).
    static func scripts(_ plan: StackPlan, moduleFolder: String, templates: TemplateLibrary) throws -> [GeneratedFile] {
        guard let databases = plan.environments.last(where: { $0.platform == .aws })?.databases else { return [] }
        return try databases.compactMap { database in
            try PartitionMaintenance.sql(database, templates: templates).map {
                try GeneratedFile(path: "\(moduleFolder)/\(folder)/\(database.name).sql", text: $0, commentStyle: .dashes)
            }
        }
    }

    static var file: HCLFile {
        HCLFile {
            HCLBlock("locals") {
                attr("partitioned", .ref("{ for db, settings in var.databases : db => settings if settings.partition_schedule != null }"))
            }
            AWSLogGroup.block("partitions", attr("for_each", .ref("local.partitioned")), name: "\"/${var.name}/partitions/${each.key}\"")
            AWSPsqlTask.definition(
                "partitions", instances: "local.partitioned", family: "\"${var.name}-${each.key}-partitions\"", reads: "the application's login",
                command: #"printf '%s' "$MAINTENANCE_SQL" | psql --no-psqlrc --quiet"#,
                environment: AWSPsqlTask.primary(user: .string(AWSDatabaseRoles.applicationRole))
                    + [("MAINTENANCE_SQL", .ref("file(\"${path.module}/\(folder)/${each.key}.sql\")"))],
                secrets: [("PGPASSWORD", .ref("\"${aws_secretsmanager_secret.app_login[each.key].arn}:password::\""))]
            )
            HCLBlock("resource", "aws_iam_role", "partitions_scheduler") {
                attr("count", .ref("length(local.partitioned) > 0 ? 1 : 0"))
                attr("name_prefix", AWSNames.rolePrefix("sched"))
                attr("assume_role_policy", AWSPolicy.assumeRole("scheduler.amazonaws.com"))
            }
            comment("The schedule may start these tasks, hand them the execution role and read its own encrypted target, and nothing else.")
            HCLBlock("resource", "aws_iam_role_policy", "partitions_scheduler") {
                attr("count", .ref("length(local.partitioned) > 0 ? 1 : 0"))
                attr("role", .ref("aws_iam_role.partitions_scheduler[0].id"))
                attr("policy", AWSPolicy.document([
                    AWSPolicy.allow(["ecs:RunTask"], resources: .ref("[for task in aws_ecs_task_definition.partitions : \"${task.arn_without_revision}:*\"]")),
                    AWSPolicy.allow(["iam:PassRole"], resources: [.ref("aws_iam_role.execution.arn")]),
                    AWSPolicy.allow(["kms:Decrypt"], resources: [.ref("aws_kms_key.this.arn")]),
                ]))
            }
            HCLBlock("resource", "aws_scheduler_schedule", "partitions") {
                attr("for_each", .ref("local.partitioned"))
                attr("name", .ref("local.schedule_names[each.key]"))
                attr("schedule_expression", .ref("each.value.partition_schedule"))
                attr("schedule_expression_timezone", "UTC")
                attr("kms_key_arn", .ref("aws_kms_key.this.arn"))
                HCLItem.blank
                HCLBlock("flexible_time_window") { attr("mode", "OFF") }
                HCLItem.blank
                HCLBlock("target") {
                    attr("arn", .ref("aws_ecs_cluster.this.arn"))
                    attr("role_arn", .ref("aws_iam_role.partitions_scheduler[0].arn"))
                    HCLItem.blank
                    HCLBlock("ecs_parameters") {
                        attr("task_definition_arn", .ref("aws_ecs_task_definition.partitions[each.key].arn_without_revision"))
                        attr("launch_type", "FARGATE")
                        HCLItem.blank
                        AWSServices.taskNetwork(securityGroup: "aws_security_group.partitions[each.key].id")
                    }
                    HCLItem.blank
                    HCLBlock("retry_policy") { attr("maximum_retry_attempts", 2) }
                }
            }
        }
    }
}
