/// Names of the module's resources that AWS limits in length, made from the environment's name
/// (up to 44 characters: a 32-character stack and `-development`) and a resource's own. A name
/// within the limit is used as it is, so short names never change; a longer one keeps its start
/// and a hash of the whole, so it stays unique and the same on every run.
enum AWSNames {
    /// An HCL expression: `template` (an HCL string template, without its quotes) within `limit`.
    static func shortened(_ template: String, limit: Int) -> String {
        let whole = "\"\(template)\""
        return "length(\(whole)) <= \(limit) ? \(whole) : \"${trimsuffix(substr(\(whole), 0, \(limit - 9)), \"-\")}-${substr(md5(\(whole)), 0, 8)}\""
    }

    /// An IAM role's `name_prefix` (at most 38 characters, before Terraform's unique suffix):
    /// the environment's name, cut to leave room for `role`.
    static func rolePrefix(_ role: String) -> HCLValue {
        .ref("\"${substr(var.name, 0, \(38 - role.count - 2))}-\(role)-\"")
    }

    /// A workload's role: the environment's and the workload's names, cut at 37 characters.
    static var workloadRolePrefix: HCLValue {
        .ref("\"${substr(\"${var.name}-${each.key}\", 0, 37)}-\"")
    }

    /// names.tf: the shortened names, one map per kind of resource.
    static var file: HCLFile {
        HCLFile {
            comment("""
                Names AWS limits in length. One within the limit is used as it is; a longer one (a long
                stack, environment or resource name) keeps its start and a hash of the whole.
                """)
            HCLBlock("locals") {
                comment("RDS instance identifiers: 63 characters.")
                attr("database_identifiers", .ref("""
                    {
                        for key in concat(keys(var.databases), keys(local.replicas)) :
                        key => \(shortened("${var.name}-${key}", limit: 63))
                      }
                    """))
                comment("RDS Proxy names: 60.")
                attr("proxy_names", .ref("""
                    {
                        for key in keys(var.databases) : key => \(shortened("${var.name}-${key}", limit: 60))
                      }
                    """))
                comment("ElastiCache replication group IDs: 40.")
                attr("cache_ids", .ref("""
                    {
                        for key in keys(var.caches) : key => \(shortened("${var.name}-${key}", limit: 40))
                      }
                    """))
                comment("AWS Backup plans and selections: 50.")
                attr("backup_names", .ref("""
                    {
                        for key in keys(var.databases) : key => \(shortened("${var.name}-${key}", limit: 50))
                      }
                    """))
                comment("S3 buckets: 63, with a hyphen and the account's 12 digits.")
                attr("bucket_names", .ref("""
                    {
                        for key in keys(var.buckets) :
                        key => "${\(shortened("${var.name}-${key}", limit: 50))}-${data.aws_caller_identity.current.account_id}"
                      }
                    """))
                comment("EventBridge schedules: 64.")
                attr("schedule_names", .ref("""
                    {
                        for key in keys(var.databases) : key => \(shortened("${var.name}-${key}-partitions", limit: 64))
                      }
                    """))
            }
        }
    }
}
