import StagecraftOutput
import StagecraftPlanner

/// `environments/<env>/storage/`: the object storage a compose environment uses, in AWS, beside
/// its CDN's Terraform: the stack's buckets in the environment's region, the backups' copy in
/// the copy region, and an IAM user per workload (and one for pgBackRest) that reaches only its
/// own buckets. Access keys are not made here, so no secret is in the state: create each
/// user's key with `aws iam create-access-key` and store it as the secrets the deploy names.
enum ComposeStorageRoot {
    static func files(_ layout: ComposeLayout, stack: String) throws -> [GeneratedFile] {
        let environment = layout.environment
        guard !environment.buckets.isEmpty || layout.backupCopyRegion != nil else { return [] }
        let folder = "\(layout.folder)/storage"
        return [
            try Terraform.file("\(folder)/main.tf", main(layout, stack: stack)),
            try Terraform.file("\(folder)/outputs.tf", outputs(layout)),
        ]
    }

    /// The secrets with a workload's access key, and the one with each bucket's name.
    static func keySecrets(_ workload: String) -> (id: String, secret: String) {
        let prefix = workload.uppercased().replacing("-", with: "_")
        return ("\(prefix)_AWS_ACCESS_KEY_ID", "\(prefix)_AWS_SECRET_ACCESS_KEY")
    }

    static func bucketSecret(_ bucket: String) -> String { "\(bucket.uppercased().replacing("-", with: "_"))_BUCKET" }

    private static func main(_ layout: ComposeLayout, stack: String) -> HCLFile {
        let environment = layout.environment
        let users = environment.workloads.filter { !$0.buckets.isEmpty }
        return HCLFile {
            Terraform.versions(backend: Terraform.s3Backend(key: "\(stack)/\(environment.name)/storage.tfstate", region: environment.region))
            for (alias, region) in [(nil, environment.region)] + (layout.backupCopyRegion.map { [("copy", $0)] } ?? []) {
                HCLBlock("provider", "aws") {
                    if let alias { attr("alias", .string(alias)) }
                    attr("region", .string(region))
                    HCLItem.blank
                    HCLBlock("default_tags") {
                        attr("tags", .object([
                            HCLAttribute("stack", .string(stack)),
                            HCLAttribute("environment", .string(environment.name)),
                            HCLAttribute("managed-by", "stagecraft"),
                        ]))
                    }
                }
            }
            HCLBlock("data", "aws_caller_identity", "current") {}
            HCLBlock("locals") {
                attr("name", .string(layout.project))
                attr("buckets", .object(environment.buckets.map { HCLAttribute($0.name, ["versioned": .bool($0.versioned)]) }))
                attr("workloads", .object(users.map { HCLAttribute($0.name, ["buckets": .strings($0.buckets)]) }))
            }
            comment("The stack's buckets. Names are global: the account ID keeps them unique.")
            HCLBlock("resource", "aws_s3_bucket", "this") {
                attr("for_each", .ref("local.buckets"))
                attr("bucket", .ref("\"${local.name}-${each.key}-${data.aws_caller_identity.current.account_id}\""))
            }
            S3BucketHardening.resources("this", versioning: "local.buckets[each.key].versioned ? \"Enabled\" : \"Disabled\"", provider: nil)
            HCLBlock("resource", "aws_iam_user", "workload") {
                attr("for_each", .ref("local.workloads"))
                attr("name", .ref("\"${local.name}-${each.key}\""))
            }
            HCLBlock("resource", "aws_iam_user_policy", "workload") {
                attr("for_each", .ref("local.workloads"))
                attr("name", "buckets")
                attr("user", .ref("aws_iam_user.workload[each.key].name"))
                attr("policy", AWSPolicy.document([
                    AWSPolicy.allow(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], resources: .ref("[for bucket in each.value.buckets : \"${aws_s3_bucket.this[bucket].arn}/*\"]")),
                    AWSPolicy.allow(["s3:ListBucket"], resources: .ref("[for bucket in each.value.buckets : aws_s3_bucket.this[bucket].arn]")),
                ]))
            }
            if let region = layout.backupCopyRegion {
                comment("pgBackRest's second repository, in \(region): the backups survive the host and its region.")
                HCLBlock("resource", "aws_s3_bucket", "backup_copy") {
                    attr("provider", .ref("aws.copy"))
                    attr("for_each", .ref("toset([\"backup-copy\"])"))
                    attr("bucket", .ref("\"${local.name}-${each.key}-${data.aws_caller_identity.current.account_id}\""))
                }
                // Always versioned: a deleted backup stays recoverable for 90 days.
                S3BucketHardening.resources("backup_copy", versioning: "\"Enabled\"", provider: "aws.copy")
                HCLBlock("resource", "aws_iam_user", "pgbackrest") {
                    attr("name", .ref("\"${local.name}-pgbackrest\""))
                }
                HCLBlock("resource", "aws_iam_user_policy", "pgbackrest") {
                    attr("name", "backup-copy")
                    attr("user", .ref("aws_iam_user.pgbackrest.name"))
                    attr("policy", AWSPolicy.document([
                        AWSPolicy.allow(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], resources: [.ref("\"${aws_s3_bucket.backup_copy[\"backup-copy\"].arn}/*\"")]),
                        AWSPolicy.allow(["s3:ListBucket"], resources: [.ref("aws_s3_bucket.backup_copy[\"backup-copy\"].arn")]),
                    ]))
                }
            }
        }
    }

    private static func outputs(_ layout: ComposeLayout) -> HCLFile {
        HCLFile {
            Terraform.output("buckets", .ref("{ for name, bucket in aws_s3_bucket.this : name => bucket.id }"),
                             description: "Each bucket's name: the <BUCKET>_BUCKET secrets of the deploy.")
            Terraform.output("workload_users", .ref("{ for name, user in aws_iam_user.workload : name => user.name }"),
                             description: "The IAM user of each workload: create its access key (aws iam create-access-key) for its <WORKLOAD>_AWS_* secrets.")
            if layout.backupCopyRegion != nil {
                Terraform.output("backup_copy_bucket", .ref("aws_s3_bucket.backup_copy[\"backup-copy\"].id"),
                                 description: "The BACKUP_COPY_BUCKET secret of the deploy.")
                Terraform.output("pgbackrest_user", .ref("aws_iam_user.pgbackrest.name"),
                                 description: "Create its access key for the BACKUP_COPY_ACCESS_KEY_ID and BACKUP_COPY_SECRET_ACCESS_KEY secrets.")
            }
        }
    }
}
