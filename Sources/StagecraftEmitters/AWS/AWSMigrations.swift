import StagecraftOutput
import StagecraftPlanner

/// migrations.tf: for each migrated database, a Fargate task definition the deploy runs once
/// per release before the services update: the workload's image at the release's tag runs the
/// shared migration script with the workload's settings and secrets, and psql from the
/// official image of the database's major version holds the advisory lock beside it. The
/// scripts are the module's `migrations/<database>/`.
enum AWSMigrations {
    static let folder = "migrations"

    /// The scripts of each migrated database (the same in every environment).
    static func scripts(_ plan: StackPlan, moduleFolder: String, templates: TemplateLibrary) throws -> [GeneratedFile] {
        guard let databases = plan.environments.last(where: { $0.platform == .aws })?.databases else { return [] }
        return try databases.flatMap { database -> [GeneratedFile] in
            guard let migrations = database.migrations else { return [] }
            let path = "\(moduleFolder)/\(folder)/\(database.name)"
            return [
                try GeneratedFile(path: "\(path)/\(MigrationScripts.runFile)", text: MigrationScripts.run(database, migrations, templates: templates),
                                  executable: true, commentStyle: .hash),
                try GeneratedFile(path: "\(path)/\(MigrationScripts.lockHolderFile)", text: MigrationScripts.lockHolder(database, migrations, templates: templates),
                                  executable: true, commentStyle: .hash),
            ]
        }
    }

    static var file: HCLFile {
        HCLFile {
            HCLBlock("locals") {
                attr("migrated", .ref("{ for db, settings in var.databases : db => settings if settings.migrate_in != null }"))
                attr("migration_settings", .ref(#"""
                    {
                        MIGRATION_SSLMODE  = "require"
                        MIGRATION_LOCK_DIR = "\#(MigrationScripts.lockDirectory)"
                      }
                    """#))
                comment("""
                    The migration reaches the primary as the application role, never through a proxy: a
                    proxied session that takes an advisory lock is pinned, and a migration is no work for a pool.
                    """)
                attr("migration_connection", .ref(#"""
                    {
                        for db, settings in local.migrated : db => {
                          "${settings.env_prefix}_HOST" = aws_db_instance.primary[db].address
                          "${settings.env_prefix}_PORT" = tostring(aws_db_instance.primary[db].port)
                        }
                      }
                    """#))
                comment("The lock holder reaches the primary as the master user, with the password RDS keeps.")
                attr("migration_lock_environment", .ref(#"""
                    {
                        for db, settings in local.migrated : db => {
                          "${settings.env_prefix}_HOST" = aws_db_instance.primary[db].address
                          "${settings.env_prefix}_PORT" = tostring(aws_db_instance.primary[db].port)
                          "${settings.env_prefix}_NAME" = aws_db_instance.primary[db].db_name
                          "${settings.env_prefix}_USER" = aws_db_instance.primary[db].username
                        }
                      }
                    """#))
            }
            HCLBlock("resource", "aws_ecs_task_definition", "migrations") {
                attr("for_each", .ref("local.migrated"))
                attr("family", .ref("\"${var.name}-${each.key}-migrate\""))
                attr("requires_compatibilities", ["FARGATE"])
                attr("network_mode", "awsvpc")
                attr("cpu", .ref("var.workloads[each.value.migrate_in].cpu"))
                attr("memory", .ref("var.workloads[each.value.migrate_in].memory"))
                comment("The workload's own roles: the migration reads what the workload reads, and nothing more.")
                attr("execution_role_arn", .ref("aws_iam_role.execution.arn"))
                attr("task_role_arn", .ref("aws_iam_role.task[each.value.migrate_in].arn"))
                HCLItem.blank
                HCLBlock("runtime_platform") {
                    attr("operating_system_family", "LINUX")
                    attr("cpu_architecture", "X86_64")
                }
                HCLItem.blank
                comment("Where the lock holder tells the migration that it has the lock, and the migration says it is done.")
                HCLBlock("volume") { attr("name", "migration-lock") }
                HCLItem.blank
                attr("container_definitions", .call("jsonencode", [[
                    [
                        "name": "migrate",
                        "image": .ref("var.workloads[each.value.migrate_in].tagged ? \"${var.workloads[each.value.migrate_in].image}@${var.image_digests[var.workloads[each.value.migrate_in].image]}\" : var.workloads[each.value.migrate_in].image"),
                        "repositoryCredentials": .ref("var.workloads[each.value.migrate_in].registry_login ? { credentialsParameter = aws_secretsmanager_secret.registry[0].arn } : null"),
                        "essential": true,
                        "readonlyRootFilesystem": true,
                        "entryPoint": ["sh", "-c"],
                        "command": [.ref("file(\"${path.module}/\(folder)/${each.key}/\(MigrationScripts.runFile)\")")],
                        "environment": .ref("[for key, value in merge(var.workloads[each.value.migrate_in].environment, local.connection_environment[each.value.migrate_in], local.migration_connection[each.key], local.migration_settings) : { name = key, value = value }]"),
                        "secrets": .ref("local.secret_references[each.value.migrate_in]"),
                        "mountPoints": [["sourceVolume": "migration-lock", "containerPath": .string(MigrationScripts.lockDirectory), "readOnly": false]],
                        "logConfiguration": logs("migrate"),
                    ],
                    [
                        "name": "lock",
                        "image": .ref("\"postgres:${each.value.version}\""),
                        "essential": false,
                        "readonlyRootFilesystem": true,
                        "entryPoint": ["sh", "-c"],
                        "command": [.ref("file(\"${path.module}/\(folder)/${each.key}/\(MigrationScripts.lockHolderFile)\")")],
                        "environment": .ref("[for key, value in merge(local.migration_lock_environment[each.key], local.migration_settings) : { name = key, value = value }]"),
                        "secrets": [
                            ["name": .ref("\"${each.value.env_prefix}_PASSWORD\""), "valueFrom": .ref("\"${aws_db_instance.primary[each.key].master_user_secret[0].secret_arn}:password::\"")],
                        ],
                        "mountPoints": [["sourceVolume": "migration-lock", "containerPath": .string(MigrationScripts.lockDirectory), "readOnly": false]],
                        "logConfiguration": logs("lock"),
                    ],
                ]]))
                HCLItem.blank
                comment("""
                    The paths the task takes, as its workload: the deploy's targeted apply of this task
                    makes them too, on a first deploy before anything else exists.
                    """)
                attr("depends_on", [
                    .ref("aws_vpc_security_group_egress_rule.workloads_https"),
                    .ref("aws_vpc_security_group_egress_rule.workloads_to_databases"),
                    .ref("aws_vpc_security_group_ingress_rule.databases_from_workloads"),
                ])
            }
        }
    }

    private static func logs(_ prefix: String) -> HCLValue {
        [
            "logDriver": "awslogs",
            "options": [
                "awslogs-group": .ref("aws_cloudwatch_log_group.workloads[each.value.migrate_in].name"),
                "awslogs-region": .ref("data.aws_region.current.name"),
                "awslogs-stream-prefix": .string("migrate-\(prefix)"),
            ],
        ]
    }
}
