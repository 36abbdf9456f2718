/// A Fargate task of one container, psql from the official image of the database's major
/// version, beside the workloads and with their execution role: the roles task the deploy runs
/// and the scheduled partition maintenance. Each is per database (`each.key`, `each.value`).
enum AWSPsqlTask {
    /// The task definition `label`, for each of `instances`, running `command` with `sh -c`;
    /// its log goes to the `label` log group, under `label/`.
    static func definition(_ label: String, instances: String, family: String, reads: String, command: HCLValue,
                           environment: [(String, HCLValue)], secrets: [(String, HCLValue)]) -> HCLBlock {
        HCLBlock("resource", "aws_ecs_task_definition", label) {
            attr("for_each", .ref(instances))
            attr("family", .ref(family))
            attr("requires_compatibilities", ["FARGATE"])
            attr("network_mode", "awsvpc")
            attr("cpu", 256)
            attr("memory", 512)
            comment("Pulls the image, writes the log and reads \(reads): what the workloads' execution role already may.")
            attr("execution_role_arn", .ref("aws_iam_role.execution.arn"))
            HCLItem.blank
            HCLBlock("runtime_platform") {
                attr("operating_system_family", "LINUX")
                attr("cpu_architecture", "X86_64")
            }
            HCLItem.blank
            attr("container_definitions", .call("jsonencode", [[
                [
                    "name": "psql",
                    "image": .ref("\"postgres:${each.value.version}\""),
                    "essential": true,
                    "readonlyRootFilesystem": true,
                    "entryPoint": ["sh", "-c"],
                    "command": [command],
                    "environment": .list(environment.map { ["name": .string($0.0), "value": $0.1] }),
                    "secrets": .list(secrets.map { ["name": .string($0.0), "valueFrom": $0.1] }),
                    "logConfiguration": [
                        "logDriver": "awslogs",
                        "options": [
                            "awslogs-group": .ref("aws_cloudwatch_log_group.\(label)[each.key].name"),
                            "awslogs-region": .ref("data.aws_region.current.name"),
                            "awslogs-stream-prefix": .string(label),
                        ],
                    ],
                ],
            ]]))
        }
    }

    /// libpq's settings for the primary of the task's database (`each.key`) as `user`; the
    /// password comes as a secret.
    static func primary(user: HCLValue) -> [(String, HCLValue)] {
        [
            ("PGHOST", .ref("aws_db_instance.primary[each.key].address")),
            ("PGPORT", .ref("tostring(aws_db_instance.primary[each.key].port)")),
            ("PGDATABASE", .ref("aws_db_instance.primary[each.key].db_name")),
            ("PGUSER", user),
            ("PGSSLMODE", "require"),
        ]
    }
}
