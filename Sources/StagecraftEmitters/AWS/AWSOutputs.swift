/// outputs.tf of the stack module.
enum AWSOutputs {
    static var file: HCLFile {
        HCLFile {
            Terraform.output("load_balancer_dns_name", .ref("aws_lb.this.dns_name"), description: "Point the origin's DNS record (or the site's, without a CDN) here.")
            Terraform.output("cdn_domain", .ref("one(module.cdn[*].domain_name)"), description: "CloudFront's domain for the site's DNS record, or null without a CDN.")
            Terraform.output("database_writer_endpoints", .ref("{ for db, instance in aws_db_instance.primary : db => instance.address }"), description: "Primary of each database.")
            Terraform.output("database_reader_endpoints", .ref("local.reader_addresses"), description: "Read replicas of each database (the primary when it has none).")
            Terraform.output("cache_endpoints", .ref("{ for cache, group in aws_elasticache_replication_group.this : cache => group.primary_endpoint_address }"), description: "Primary endpoint of each cache.")
            Terraform.output("cache_users", .ref("{ for cache, user in aws_elasticache_user.default : cache => user.user_id }"), description: "The user each cache's password belongs to, for the deploy to set it.")
            Terraform.output("cache_password_secrets", .ref("{ for cache, secret in aws_secretsmanager_secret.cache_password : cache => secret.arn }"), description: "The secret holding each cache's password.")
            Terraform.output("registry_credentials_secret", .ref("one(aws_secretsmanager_secret.registry[*].arn)"), description: "The secret holding the registry login ECS pulls the built images with, or null when they are in ECR.")
            Terraform.output("ecs_cluster", .ref("aws_ecs_cluster.this.name"), description: "Cluster running the services and workers.")
            Terraform.output("migration_task_definitions", .ref("{ for db, task in aws_ecs_task_definition.migrations : db => task.arn }"), description: "The migration task of each migrated database, for the deploy to run.")
            Terraform.output("migration_networks", .ref(#"""
                {
                    for db, settings in local.migrated : db => {
                      awsvpcConfiguration = {
                        subnets        = local.workload_subnet_ids
                        securityGroups = [aws_security_group.workloads[settings.migrate_in].id]
                        assignPublicIp = "DISABLED"
                      }
                    }
                  }
                """#), description: "Where each migration task runs, as the workload it migrates for (aws ecs run-task --network-configuration).")
            Terraform.output("database_role_tasks", .ref("{ for db, task in aws_ecs_task_definition.database_roles : db => task.arn }"), description: "The task that keeps each database's application role in step with its secret, for the deploy to run.")
            Terraform.output("database_role_networks", .ref(#"""
                {
                    for db, group in aws_security_group.database_roles : db => {
                      awsvpcConfiguration = {
                        subnets        = local.workload_subnet_ids
                        securityGroups = [group.id]
                        assignPublicIp = "DISABLED"
                      }
                    }
                  }
                """#), description: "Where each database's roles task runs (aws ecs run-task --network-configuration).")
            Terraform.output("service_task_definitions", .ref("{ for name, definition in aws_ecs_task_definition.this : name => definition.arn }"), description: "The task definition each ECS service runs in this release, which its rollout must complete.")
            Terraform.output("ecs_services", .ref("sort(concat(keys(aws_ecs_service.fixed), keys(aws_ecs_service.autoscaled)))"), description: "Names of the ECS services, for deploy checks.")
        }
    }
}
