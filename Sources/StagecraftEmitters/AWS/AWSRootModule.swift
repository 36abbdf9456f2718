import StagecraftOutput
import StagecraftPlanner

/// `terraform/environments/<env>/`: the root module that applies the stack module with one
/// environment's values, its state in S3 with locking.
enum AWSRootModule {
    static func path(_ environment: String) -> String { "terraform/environments/\(environment)" }

    static func files(_ environment: EnvironmentPlan, plan: StackPlan, crossRegion: Bool) throws -> [GeneratedFile] {
        let values = AWSEnvironmentValues(environment: environment, stack: plan.stack)
        let folder = path(environment.name)
        let generated = [
            try Terraform.file("\(folder)/main.tf", main(values, crossRegion: crossRegion)),
            try Terraform.file("\(folder)/variables.tf", variables(environment)),
            try Terraform.file("\(folder)/terraform.tfvars", HCLFile {
                attr("region", .string(environment.region))
            }),
            try Terraform.file("\(folder)/outputs.tf", HCLFile {
                for (name, description) in outputs {
                    Terraform.output(name, .ref("module.\(Terraform.identifier(plan.stack)).\(name)"), description: description)
                }
            }),
        ]
        return generated + (try TerraformFiles.files(environment, in: folder, beside: generated))
    }

    private static let outputs = [
        ("load_balancer_dns_name", "The load balancer's DNS name."),
        ("cdn_domain", "CloudFront's domain, or null."),
        ("database_writer_endpoints", "Primary of each database."),
        ("database_reader_endpoints", "Read replicas of each database."),
        ("cache_endpoints", "Primary endpoint of each cache."),
        ("cache_users", "The user each cache's password belongs to."),
        ("cache_password_secrets", "The secret holding each cache's password."),
        ("registry_credentials_secret", "The secret holding the registry login ECS pulls the built images with."),
        ("ecs_cluster", "The ECS cluster."),
        ("ecs_services", "The ECS services."),
        ("service_task_definitions", "The task definition each ECS service runs in this release."),
        ("migration_task_definitions", "The migration task of each migrated database."),
        ("migration_networks", "Where each migration task runs."),
        ("database_role_tasks", "The task that keeps each database's application role in step with its secret."),
        ("database_role_networks", "Where each roles task runs."),
    ]

    private static func main(_ values: AWSEnvironmentValues, crossRegion: Bool) -> HCLFile {
        let environment = values.environment
        return HCLFile {
            Terraform.versions(backend: Terraform.s3Backend(key: "\(values.stack)/\(environment.name)/terraform.tfstate", region: environment.region))
            HCLBlock("provider", "aws") {
                attr("region", .ref("var.region"))
                HCLItem.blank
                defaultTags(values)
            }
            comment("Route 53 health checks and CloudFront publish their metrics in us-east-1 only: the alarms on them live there.")
            HCLBlock("provider", "aws") {
                attr("alias", "us_east_1")
                attr("region", "us-east-1")
                HCLItem.blank
                defaultTags(values)
            }
            if crossRegion {
                comment(values.backupCopyRegion == nil
                    ? "This environment copies no backups to another region; the module still expects the provider."
                    : "Backups are copied to this region.")
                HCLBlock("provider", "aws") {
                    attr("alias", "backup_copy")
                    attr("region", values.backupCopyRegion.map(HCLValue.string) ?? .ref("var.region"))
                    HCLItem.blank
                    defaultTags(values)
                }
            }
            HCLBlock("module", Terraform.identifier(values.stack)) {
                attr("source", .string("../../modules/\(values.stack)"))
                attr("providers", .ref(crossRegion
                    ? "{\n    aws             = aws\n    aws.us_east_1   = aws.us_east_1\n    aws.backup_copy = aws.backup_copy\n  }"
                    : "{\n    aws           = aws\n    aws.us_east_1 = aws.us_east_1\n  }"))
                HCLItem.blank
                attr("name", .string(values.name))
                attr("zones", .int(environment.zones))
                attr("secret_parameter_prefix", .string(values.secretParameterPrefix))
                attr("log_retention_days", .int(values.logRetentionDays))
                attr("image_digests", .ref("var.image_digests"))
                if let zone = environment.dnsZone {
                    attr("dns", ["zone": .string(zone), "domain": .string(environment.domain)])
                } else {
                    attr("certificate_arn", .ref("var.certificate_arn"))
                    attr("cdn_certificate_arn", .ref(environment.cdn == nil ? "null" : "var.cdn_certificate_arn"))
                }
                attr("log_bucket", .ref("var.log_bucket"))
                if crossRegion { attr("backup_copy_region", values.backupCopyRegion.map(HCLValue.string) ?? .null) }
                HCLItem.blank
                attr("load_balancer", values.loadBalancer)
                HCLItem.blank
                attr("workloads", values.workloads)
                HCLItem.blank
                attr("databases", values.databases)
                HCLItem.blank
                attr("caches", values.caches)
                HCLItem.blank
                attr("buckets", values.buckets)
                HCLItem.blank
                attr("cdn", values.cdn)
                HCLItem.blank
                attr("monitoring", values.monitoring)
            }
        }
    }

    private static func defaultTags(_ values: AWSEnvironmentValues) -> HCLBlock {
        HCLBlock("default_tags") {
            attr("tags", [
                "stack": .string(values.stack),
                "environment": .string(values.environment.name),
                "managed-by": "stagecraft",
            ])
        }
    }

    private static func variables(_ environment: EnvironmentPlan) -> HCLFile {
        HCLFile {
            Terraform.variable("region", type: "string", description: "Region the environment runs in.")
            Terraform.variable("image_digests", type: "map(string)", description: "Digest of each image CI built, by repository: what the services run (the deploy workflow passes the digests the pushes reported).")
            if environment.dnsZone == nil {
                Terraform.variable("certificate_arn", type: "string", description: "ACM certificate for the load balancer. Set TF_VAR_certificate_arn; the deploy workflow passes the AWS_CERTIFICATE_ARN secret.")
            }
            if environment.cdn != nil && environment.dnsZone == nil {
                Terraform.variable("cdn_certificate_arn", type: "string", description: "ACM certificate in us-east-1 for the CDN. Set TF_VAR_cdn_certificate_arn; the deploy workflow passes the AWS_CDN_CERTIFICATE_ARN secret.")
            }
            Terraform.variable("log_bucket", type: "string", description: "Existing S3 bucket for access logs. Set TF_VAR_log_bucket; the deploy workflow passes the AWS_LOG_BUCKET secret.")
        }
    }
}
