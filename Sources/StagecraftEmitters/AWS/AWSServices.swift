/// ecs.tf: every service and worker as a Fargate task definition and service. Settings come
/// from the environment's config; secrets only as ARNs (SSM parameters named after the
/// secret, and each database's app-login secret), resolved by ECS at start.
enum AWSServices {
    static var file: HCLFile {
        HCLFile {
            HCLBlock("data", "aws_caller_identity", "current")
            HCLBlock("data", "aws_region", "current")
            HCLBlock("locals") {
                attr("parameter_arn_prefix", .ref("\"arn:aws:ssm:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:parameter${var.secret_parameter_prefix}\""))
                HCLItem.blank
                comment("Where each workload finds the stores it uses: hosts, ports and names, never passwords.")
                attr("connection_environment", .ref(#"""
                    {
                        for name, workload in var.workloads : name => merge(
                          merge([for db in workload.databases : {
                            "${var.databases[db].env_prefix}_HOST"       = local.database_endpoints[db]
                            "${var.databases[db].env_prefix}_PORT"       = "5432"
                            "${var.databases[db].env_prefix}_NAME"       = aws_db_instance.primary[db].db_name
                            "${var.databases[db].env_prefix}_USER"       = "\#(AWSDatabaseRoles.applicationRole)"
                            "${var.databases[db].env_prefix}_SSLMODE"    = "require"
                            "${var.databases[db].env_prefix}_READ_HOSTS" = join(",", local.reader_addresses[db])
                          }]...),
                          merge([for cache in workload.caches : {
                            "${var.caches[cache].env_prefix}_HOST" = aws_elasticache_replication_group.this[cache].primary_endpoint_address
                            "${var.caches[cache].env_prefix}_PORT" = "6379"
                            "${var.caches[cache].env_prefix}_TLS"  = "true"
                          }]...),
                          merge([for bucket in workload.buckets : {
                            "${upper(replace(bucket, "-", "_"))}_BUCKET" = aws_s3_bucket.this[bucket].id
                          }]...),
                        )
                      }
                    """#))
                HCLItem.blank
                comment("Secrets by ARN: ECS resolves them when a task starts; their values never pass through Terraform.")
                attr("secret_references", .ref(#"""
                    {
                        for name, workload in var.workloads : name => concat(
                          [for secret in workload.secrets : { name = secret, valueFrom = "${local.parameter_arn_prefix}${secret}" }],
                          [for db in workload.databases : { name = "${var.databases[db].env_prefix}_PASSWORD", valueFrom = "${aws_secretsmanager_secret.app_login[db].arn}:password::" }],
                          [for cache in workload.caches : { name = "${var.caches[cache].env_prefix}_PASSWORD", valueFrom = aws_secretsmanager_secret.cache_password[cache].arn }],
                        )
                      }
                    """#))
            }
            tracing
            HCLBlock("resource", "aws_ecs_cluster", "this") {
                attr("name", .ref("var.name"))
                HCLItem.blank
                HCLBlock("setting") {
                    attr("name", "containerInsights")
                    attr("value", "enabled")
                }
            }
            AWSLogGroup.block("workloads", attr("for_each", .ref("var.workloads")), name: "\"/${var.name}/${each.key}\"")
            roles
            taskDefinition
            comment("""
                Two kinds of service: an autoscaled one leaves its running count to Application Auto
                Scaling (Terraform would otherwise reset it on every apply), a fixed one keeps the plan's.
                """)
            service("fixed", filter: "workload.cpu_target == null")
            service("autoscaled", filter: "workload.cpu_target != null", ignoreDesiredCount: true)
            HCLBlock("resource", "aws_appautoscaling_target", "this") {
                attr("for_each", .ref("{ for name, workload in var.workloads : name => workload if workload.cpu_target != null }"))
                attr("service_namespace", "ecs")
                attr("scalable_dimension", "ecs:service:DesiredCount")
                attr("resource_id", .ref("\"service/${aws_ecs_cluster.this.name}/${aws_ecs_service.autoscaled[each.key].name}\""))
                attr("min_capacity", .ref("each.value.min_count"))
                attr("max_capacity", .ref("each.value.max_count"))
            }
            HCLBlock("resource", "aws_appautoscaling_policy", "cpu") {
                attr("for_each", .ref("aws_appautoscaling_target.this"))
                attr("name", .ref("\"${var.name}-${each.key}-cpu\""))
                attr("policy_type", "TargetTrackingScaling")
                attr("service_namespace", .ref("each.value.service_namespace"))
                attr("scalable_dimension", .ref("each.value.scalable_dimension"))
                attr("resource_id", .ref("each.value.resource_id"))
                HCLItem.blank
                HCLBlock("target_tracking_scaling_policy_configuration") {
                    attr("target_value", .ref("var.workloads[each.key].cpu_target"))
                    comment("Out fast, in slowly: a brief dip should not cost capacity.")
                    attr("scale_out_cooldown", 60)
                    attr("scale_in_cooldown", 300)
                    HCLItem.blank
                    HCLBlock("predefined_metric_specification") {
                        attr("predefined_metric_type", "ECSServiceAverageCPUUtilization")
                    }
                }
            }
        }
    }

    /// The AWS Distro for OpenTelemetry collector, configured inline: OTLP from the workload on
    /// loopback, batched, to X-Ray. The task role may write traces and nothing more.
    private static var tracing: [HCLItem] {
        [
            .block(HCLBlock("locals") {
                attr("trace_collector_config", .call("yamlencode", [[
                    "receivers": ["otlp": ["protocols": ["grpc": ["endpoint": "127.0.0.1:4317"], "http": ["endpoint": "127.0.0.1:4318"]]]],
                    "processors": [
                        "memory_limiter": ["check_interval": "1s", "limit_percentage": 80, "spike_limit_percentage": 20],
                        "batch": .object([]),
                    ],
                    "exporters": ["awsxray": .object([])],
                    "service": ["pipelines": ["traces": ["receivers": ["otlp"], "processors": ["memory_limiter", "batch"], "exporters": ["awsxray"]]]],
                ]]))
                attr("trace_collector", .ref("""
                    {
                        for name, workload in var.workloads : name => {
                          name        = "aws-otel-collector"
                          image       = "\(traceCollectorImage)"
                          essential   = true
                          environment = [{ name = "AOT_CONFIG_CONTENT", value = local.trace_collector_config }]
                          logConfiguration = {
                            logDriver = "awslogs"
                            options = {
                              awslogs-group         = aws_cloudwatch_log_group.workloads[name].name
                              awslogs-region        = data.aws_region.current.name
                              awslogs-stream-prefix = "aws-otel-collector"
                            }
                          }
                        }
                      }
                    """))
            }),
            .block(HCLBlock("resource", "aws_iam_role_policy_attachment", "task_tracing") {
                attr("for_each", .ref("{ for name, workload in var.workloads : name => workload if var.monitoring.tracing }"))
                attr("role", .ref("aws_iam_role.task[each.key].name"))
                attr("policy_arn", "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess")
            }),
        ]
    }

    /// Where a task runs: the workloads' private subnets, in `securityGroup`, no public address.
    static func taskNetwork(securityGroup: String) -> HCLBlock {
        HCLBlock("network_configuration") {
            attr("subnets", .ref("local.workload_subnet_ids"))
            attr("security_groups", [.ref(securityGroup)])
            attr("assign_public_ip", false)
        }
    }

    static let traceCollectorImage = "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3"

    /// The execution role pulls images, writes logs and reads exactly this environment's
    /// secrets; each workload's task role reaches only its own buckets.
    private static var roles: [HCLItem] {
        [
            .block(HCLBlock("resource", "aws_iam_role", "execution") {
                attr("name_prefix", AWSNames.rolePrefix("exec"))
                attr("assume_role_policy", AWSPolicy.assumeRole("ecs-tasks.amazonaws.com"))
            }),
            .block(HCLBlock("resource", "aws_iam_role_policy_attachment", "execution") {
                attr("role", .ref("aws_iam_role.execution.name"))
                attr("policy_arn", "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")
            }),
            .block(HCLBlock("resource", "aws_iam_role_policy", "execution_secrets") {
                attr("role", .ref("aws_iam_role.execution.id"))
                attr("policy", AWSPolicy.document([
                    AWSPolicy.allow(["ssm:GetParameters"], resources: [.ref("\"${local.parameter_arn_prefix}*\"")]),
                    AWSPolicy.allow(["secretsmanager:GetSecretValue"], resources: .ref("concat([for db in aws_db_instance.primary : db.master_user_secret[0].secret_arn], [for login in aws_secretsmanager_secret.app_login : login.arn], [for password in aws_secretsmanager_secret.cache_password : password.arn], aws_secretsmanager_secret.registry[*].arn)")),
                    AWSPolicy.allow(["kms:Decrypt"], resources: [.ref("aws_kms_key.this.arn")]),
                ]))
            }),
            .comment("The login ECS pulls the images CI pushed with, where their registry is not ECR. Terraform makes"),
            .comment("the secret, never its value, which stays out of the state: the README says how to put it."),
            .block(HCLBlock("resource", "aws_secretsmanager_secret", "registry") {
                attr("count", .ref("anytrue([for workload in var.workloads : workload.registry_login]) ? 1 : 0"))
                attr("name_prefix", .ref("\"${var.name}-registry-\""))
                attr("description", "Registry login ECS pulls the built images with: {\"username\": ..., \"password\": ...}")
                attr("kms_key_id", .ref("aws_kms_key.this.arn"))
                attr("recovery_window_in_days", 7)
            }),
            .block(HCLBlock("resource", "aws_iam_role", "task") {
                attr("for_each", .ref("var.workloads"))
                attr("name_prefix", AWSNames.workloadRolePrefix)
                attr("assume_role_policy", AWSPolicy.assumeRole("ecs-tasks.amazonaws.com"))
            }),
            .block(HCLBlock("resource", "aws_iam_role_policy", "task_buckets") {
                attr("for_each", .ref("{ for name, workload in var.workloads : name => workload if length(workload.buckets) > 0 }"))
                attr("role", .ref("aws_iam_role.task[each.key].id"))
                attr("policy", AWSPolicy.document([
                    AWSPolicy.allow(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                                    resources: .ref("[for bucket in each.value.buckets : \"${aws_s3_bucket.this[bucket].arn}/*\"]")),
                    AWSPolicy.allow(["s3:ListBucket"], resources: .ref("[for bucket in each.value.buckets : aws_s3_bucket.this[bucket].arn]")),
                    AWSPolicy.allow(["kms:Decrypt", "kms:GenerateDataKey"], resources: [.ref("aws_kms_key.this.arn")]),
                ]))
            }),
        ]
    }

    private static var taskDefinition: HCLBlock {
        HCLBlock("resource", "aws_ecs_task_definition", "this") {
            attr("for_each", .ref("var.workloads"))
            attr("family", .ref("\"${var.name}-${each.key}\""))
            attr("requires_compatibilities", ["FARGATE"])
            attr("network_mode", "awsvpc")
            attr("cpu", .ref("each.value.cpu"))
            attr("memory", .ref("each.value.memory"))
            attr("execution_role_arn", .ref("aws_iam_role.execution.arn"))
            attr("task_role_arn", .ref("aws_iam_role.task[each.key].arn"))
            HCLItem.blank
            HCLBlock("runtime_platform") {
                attr("operating_system_family", "LINUX")
                attr("cpu_architecture", "X86_64")
            }
            HCLItem.blank
            comment("The root filesystem is read-only; /tmp is a scratch volume.")
            HCLBlock("volume") { attr("name", "tmp") }
            HCLItem.blank
            comment("With tracing, an ADOT collector beside the workload sends its traces to X-Ray.")
            attr("container_definitions", .call("jsonencode", [.call("concat", [[
                [
                    "name": .ref("each.key"),
                    "image": .ref("each.value.tagged ? \"${each.value.image}@${var.image_digests[each.value.image]}\" : each.value.image"),
                    "repositoryCredentials": .ref("each.value.registry_login ? { credentialsParameter = aws_secretsmanager_secret.registry[0].arn } : null"),
                    "essential": true,
                    "command": .ref("each.value.command"),
                    "readonlyRootFilesystem": true,
                    "portMappings": .ref("each.value.port == null ? [] : [{ containerPort = each.value.port, protocol = \"tcp\" }]"),
                    "environment": .ref("[for key, value in merge(each.value.environment, local.connection_environment[each.key]) : { name = key, value = value }]"),
                    "secrets": .ref("local.secret_references[each.key]"),
                    "mountPoints": [["sourceVolume": "tmp", "containerPath": "/tmp", "readOnly": false]],
                    "healthCheck": .ref(#"""
                        each.value.health_command == null ? null : {
                                command     = ["CMD-SHELL", each.value.health_command]
                                interval    = 30
                                timeout     = 5
                                retries     = 3
                                startPeriod = 60
                              }
                        """#),
                    "logConfiguration": [
                        "logDriver": "awslogs",
                        "options": [
                            "awslogs-group": .ref("aws_cloudwatch_log_group.workloads[each.key].name"),
                            "awslogs-region": .ref("data.aws_region.current.name"),
                            "awslogs-stream-prefix": .ref("each.key"),
                        ],
                    ],
                ],
            ], .ref("var.monitoring.tracing ? [local.trace_collector[each.key]] : []")])]))
        }
    }

    private static func service(_ kind: String, filter: String, ignoreDesiredCount: Bool = false) -> HCLBlock {
        HCLBlock("resource", "aws_ecs_service", kind) {
            attr("for_each", .ref("{ for name, workload in var.workloads : name => workload if \(filter) }"))
            attr("name", .ref("each.key"))
            attr("cluster", .ref("aws_ecs_cluster.this.id"))
            attr("task_definition", .ref("aws_ecs_task_definition.this[each.key].arn"))
            attr("launch_type", "FARGATE")
            attr("desired_count", .ref(ignoreDesiredCount ? "each.value.min_count" : "each.value.desired_count"))
            attr("deployment_minimum_healthy_percent", 100)
            attr("deployment_maximum_percent", 200)
            attr("health_check_grace_period_seconds", .ref("each.value.port == null ? null : 60"))
            attr("propagate_tags", "SERVICE")
            HCLItem.blank
            comment("A deployment whose tasks never become healthy is stopped and rolled back by ECS itself.")
            HCLBlock("deployment_circuit_breaker") {
                attr("enable", true)
                attr("rollback", true)
            }
            HCLItem.blank
            taskNetwork(securityGroup: "aws_security_group.workloads[each.key].id")
            HCLItem.blank
            HCLBlock("dynamic", "load_balancer") {
                attr("for_each", .ref("each.value.port == null ? [] : [each.value.port]"))
                HCLBlock("content") {
                    attr("target_group_arn", .ref("aws_lb_target_group.this[each.key].arn"))
                    attr("container_name", .ref("each.key"))
                    attr("container_port", .ref("load_balancer.value"))
                }
            }
            if ignoreDesiredCount {
                HCLItem.blank
                HCLBlock("lifecycle") { attr("ignore_changes", [.ref("desired_count")]) }
            }
            HCLItem.blank
            attr("depends_on", [.ref("aws_lb_listener.https")])
        }
    }
}
