import StagecraftOutput
import StagecraftPlanner

/// `terraform/modules/<stack>/`: the stack's infrastructure once, split by concern; every
/// environment's root module calls it with that environment's values.
enum AWSModule {
    static func path(_ stack: String) -> String { "terraform/modules/\(stack)" }

    /// `crossRegion`: some environment copies backups to another region, so the module takes a second provider.
    static func files(_ plan: StackPlan, crossRegion: Bool, templates: TemplateLibrary) throws -> [GeneratedFile] {
        let folder = path(plan.stack)
        let files: [(String, HCLFile)] = [
            ("versions.tf", HCLFile { Terraform.versions(configurationAliases: ["us_east_1"] + (crossRegion ? ["backup_copy"] : [])) }),
            ("variables.tf", AWSVariables.file(crossRegion: crossRegion)),
            ("main.tf", HCLFile { AWSKeys.key }),
            ("names.tf", AWSNames.file),
            ("network.tf", AWSNetwork.file),
            ("security-groups.tf", AWSSecurityGroups.file),
            ("dns.tf", AWSDNS.file),
            ("alb.tf", AWSLoadBalancer.file),
            ("waf.tf", AWSFirewall.file),
            ("parameters.tf", AWSSecretParameters.file),
            ("ecs.tf", AWSServices.file),
            ("rds.tf", AWSDatabases.file),
            ("database-roles.tf", AWSDatabaseRoles.file),
            ("proxy.tf", AWSDatabaseProxy.file),
            ("backup.tf", AWSBackups.file(crossRegion: crossRegion)),
            ("cache.tf", AWSCaches.file),
            ("buckets.tf", AWSBuckets.file),
            ("cdn.tf", AWSCDN.file),
            ("alerts.tf", AWSAlertRouting.file),
            ("alarms.tf", AWSAlarms.file),
            ("dashboard.tf", AWSDashboard.file),
            ("partitions.tf", AWSPartitionMaintenance.file),
            ("migrations.tf", AWSMigrations.file),
            ("outputs.tf", AWSOutputs.file),
        ]
        return try files.map { try Terraform.file("\(folder)/\($0.0)", $0.1) } + AWSAlertRouting.forwarderFiles(folder: folder, templates: templates)
            + AWSPartitionMaintenance.scripts(plan, moduleFolder: folder, templates: templates)
            + AWSMigrations.scripts(plan, moduleFolder: folder, templates: templates)
            + AWSDatabaseRoles.scripts(plan, moduleFolder: folder, templates: templates)
    }
}
