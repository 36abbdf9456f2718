import StagecraftOutput
import StagecraftPlanner

/// `environments/<env>/cloud/`: what a Kubernetes environment's pods use in AWS, applied by its
/// operator before the first deploy (and again after a change that adds a bucket or a
/// workload that uses one). The backups' bucket, replicated to the copy region when the plan
/// copies backups; the stack's buckets; and an IAM role per ServiceAccount that acts in AWS,
/// trusted for exactly that account in the environment's namespace through the cluster's OIDC
/// provider, with no access key anywhere. The role names are the ones the manifests' ARNs name.
enum KubernetesCloudRoot {
    static func folder(_ environment: EnvironmentPlan) -> String { "environments/\(environment.name)/cloud" }

    /// One IAM role: the ServiceAccounts that take it and what it may do.
    struct Identity {
        var purpose: String
        var serviceAccounts: [String]
        var statements: [HCLValue]
    }

    static func files(_ plan: StackPlan, _ environment: EnvironmentPlan) throws -> [GeneratedFile] {
        guard let account = environment.account else { return [] }
        let folder = folder(environment)
        let generated = [
            try Terraform.file("\(folder)/main.tf", main(plan, environment, account: account)),
            try Terraform.file("\(folder)/outputs.tf", outputs(plan, environment)),
        ]
        return generated + (try TerraformFiles.files(environment, in: folder, beside: generated))
    }

    static func backsUp(_ environment: EnvironmentPlan) -> Bool { environment.databases.contains { $0.backups != nil } }

    static func copyRegion(_ environment: EnvironmentPlan) -> String? {
        environment.databases.lazy.compactMap { $0.backups?.crossRegionCopy }.first
    }

    static func identities(_ plan: StackPlan, _ environment: EnvironmentPlan) -> [Identity] {
        let secretsPrefix = KubernetesNames.remoteSecret(plan, environment, "")
        var identities: [Identity] = []
        if environment.secretStore == nil {
            identities.append(Identity(
                purpose: IdentityManifests.secretsPurpose, serviceAccounts: [KubernetesNames.secretStoreServiceAccount],
                statements: [AWSPolicy.allow(["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                                             resources: [.ref("\"arn:aws:secretsmanager:\(environment.region):${local.account}:secret:\(secretsPrefix)*\"")])]
            ))
        }
        if backsUp(environment) {
            // A cluster's instances run as a ServiceAccount named after it; the restore test's
            // throwaway cluster reads the same backups.
            let clusters = environment.databases.filter { $0.backups != nil }.flatMap { database in
                [database.name] + (database.backups?.restoreTestSchedule == nil ? [] : [KubernetesNames.restoreTest(database.name)])
            }
            identities.append(Identity(purpose: IdentityManifests.backupsPurpose, serviceAccounts: clusters, statements: objectAccess(["aws_s3_bucket.backups[\"backups\"].arn"])))
        }
        for workload in environment.workloads where !workload.buckets.isEmpty {
            identities.append(Identity(
                purpose: IdentityManifests.workloadPurpose(workload.name), serviceAccounts: [workload.name],
                statements: objectAccess(workload.buckets.map { "aws_s3_bucket.this[\"\($0)\"].arn" })
            ))
        }
        return identities
    }

    /// `buckets`: each bucket's ARN as an HCL expression.
    private static func objectAccess(_ buckets: [String]) -> [HCLValue] {
        [
            AWSPolicy.allow(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], resources: .list(buckets.map { .ref("\"${\($0)}/*\"") })),
            AWSPolicy.allow(["s3:ListBucket", "s3:GetBucketLocation"], resources: .list(buckets.map { .ref($0) })),
        ]
    }

    private static func main(_ plan: StackPlan, _ environment: EnvironmentPlan, account: String) -> HCLFile {
        let namespace = KubernetesNames.namespace(plan, environment)
        let copyRegion = copyRegion(environment)
        let identities = identities(plan, environment)
        return HCLFile {
            Terraform.versions(backend: Terraform.s3Backend(key: "\(plan.stack)/\(environment.name)/cloud.tfstate", region: environment.region))
            for (alias, region) in [(nil, environment.region)] + (copyRegion.map { [("copy", $0)] } ?? []) {
                HCLBlock("provider", "aws") {
                    if let alias { attr("alias", .string(alias)) }
                    attr("region", .string(region))
                    comment("The account the manifests' role ARNs name: applying with another one's credentials fails.")
                    attr("allowed_account_ids", .strings([account]))
                    HCLItem.blank
                    HCLBlock("default_tags") {
                        attr("tags", .object([
                            HCLAttribute("stack", .string(plan.stack)),
                            HCLAttribute("environment", .string(environment.name)),
                            HCLAttribute("managed-by", "stagecraft"),
                        ]))
                    }
                }
            }
            Terraform.variable("cluster_name", type: "string", description: "The EKS cluster \(environment.name) runs on; its OIDC provider must be registered in IAM.",
                               default: .string(namespace))
            HCLBlock("data", "aws_eks_cluster", "this") { attr("name", .ref("var.cluster_name")) }
            HCLBlock("data", "aws_iam_openid_connect_provider", "cluster") { attr("url", .ref("data.aws_eks_cluster.this.identity[0].oidc[0].issuer")) }
            HCLBlock("locals") {
                attr("account", .string(account))
                attr("issuer", .ref("trimprefix(data.aws_eks_cluster.this.identity[0].oidc[0].issuer, \"https://\")"))
                attr("buckets", .object(environment.buckets.map { HCLAttribute($0.name, [
                    "name": .string(KubernetesNames.bucket(plan, environment, $0.name)), "versioned": .bool($0.versioned),
                ]) }))
            }
            comment("The stack's buckets.")
            HCLBlock("resource", "aws_s3_bucket", "this") {
                attr("for_each", .ref("local.buckets"))
                attr("bucket", .ref("each.value.name"))
            }
            S3BucketHardening.resources("this", versioning: "local.buckets[each.key].versioned ? \"Enabled\" : \"Disabled\"", provider: nil)
            if backsUp(environment) {
                comment("The databases' backups (barman: base backups and WAL), each cluster under its own name.")
                HCLBlock("resource", "aws_s3_bucket", "backups") {
                    attr("for_each", .ref("toset([\"backups\"])"))
                    attr("bucket", .string(KubernetesNames.backupBucket(plan, environment)))
                }
                // Versioned: replication needs it, and a deleted backup stays recoverable for 90 days.
                S3BucketHardening.resources("backups", versioning: "\"Enabled\"", provider: nil)
            }
            if let copyRegion, backsUp(environment) {
                comment("""
                    The backups' copy in \(copyRegion): S3 replicates every object, so a restore there
                    needs only a cluster pointed at this bucket (the README's disaster recovery).
                    """)
                HCLBlock("resource", "aws_s3_bucket", "backup_copy") {
                    attr("provider", .ref("aws.copy"))
                    attr("for_each", .ref("toset([\"backup-copy\"])"))
                    attr("bucket", .string(KubernetesNames.backupCopyBucket(plan, environment)))
                }
                S3BucketHardening.resources("backup_copy", versioning: "\"Enabled\"", provider: "aws.copy")
                HCLBlock("resource", "aws_iam_role", "replication") {
                    attr("name", .string(KubernetesNames.role(plan, environment, "backup-replication")))
                    attr("assume_role_policy", AWSPolicy.assumeRole("s3.amazonaws.com"))
                }
                HCLBlock("resource", "aws_iam_role_policy", "replication") {
                    attr("name", "replicate-backups")
                    attr("role", .ref("aws_iam_role.replication.id"))
                    attr("policy", AWSPolicy.document([
                        AWSPolicy.allow(["s3:GetReplicationConfiguration", "s3:ListBucket"], resources: [.ref("aws_s3_bucket.backups[\"backups\"].arn")]),
                        AWSPolicy.allow(["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
                                        resources: [.ref("\"${aws_s3_bucket.backups[\"backups\"].arn}/*\"")]),
                        AWSPolicy.allow(["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
                                        resources: [.ref("\"${aws_s3_bucket.backup_copy[\"backup-copy\"].arn}/*\"")]),
                    ]))
                }
                HCLBlock("resource", "aws_s3_bucket_replication_configuration", "backups") {
                    attr("depends_on", .list([.ref("aws_s3_bucket_versioning.backups"), .ref("aws_s3_bucket_versioning.backup_copy")]))
                    attr("role", .ref("aws_iam_role.replication.arn"))
                    attr("bucket", .ref("aws_s3_bucket.backups[\"backups\"].id"))
                    HCLItem.blank
                    HCLBlock("rule") {
                        attr("id", "copy-region")
                        attr("status", "Enabled")
                        HCLItem.blank
                        HCLBlock("filter") {}
                        HCLItem.blank
                        HCLBlock("delete_marker_replication") { attr("status", "Enabled") }
                        HCLItem.blank
                        HCLBlock("destination") {
                            attr("bucket", .ref("aws_s3_bucket.backup_copy[\"backup-copy\"].arn"))
                            attr("storage_class", "STANDARD_IA")
                        }
                    }
                }
            }
            comment("One role per ServiceAccount that acts in AWS, taken through the cluster's OIDC provider (IRSA).")
            HCLBlock("locals") {
                attr("identities", .object(identities.map { identity in
                    HCLAttribute(Terraform.identifier(identity.purpose), [
                        "name": .string(KubernetesNames.role(plan, environment, identity.purpose)),
                        "subjects": .strings(identity.serviceAccounts.map { "system:serviceaccount:\(namespace):\($0)" }),
                    ])
                }))
            }
            HCLBlock("resource", "aws_iam_role", "pod") {
                attr("for_each", .ref("local.identities"))
                attr("name", .ref("each.value.name"))
                attr("assume_role_policy", .call("jsonencode", [[
                    "Version": "2012-10-17",
                    "Statement": [[
                        "Effect": "Allow",
                        "Principal": ["Federated": .ref("data.aws_iam_openid_connect_provider.cluster.arn")],
                        "Action": "sts:AssumeRoleWithWebIdentity",
                        // Keys built from the issuer: written as an expression, not a literal object.
                        "Condition": ["StringEquals": .ref(#"{ "${local.issuer}:aud" = "sts.amazonaws.com", "${local.issuer}:sub" = each.value.subjects }"#)],
                    ]],
                ]]))
            }
            for identity in identities {
                HCLBlock("resource", "aws_iam_role_policy", Terraform.identifier(identity.purpose)) {
                    attr("name", .string(identity.purpose))
                    attr("role", .ref("aws_iam_role.pod[\"\(Terraform.identifier(identity.purpose))\"].id"))
                    attr("policy", AWSPolicy.document(identity.statements))
                }
            }
        }
    }

    private static func outputs(_ plan: StackPlan, _ environment: EnvironmentPlan) -> HCLFile {
        HCLFile {
            Terraform.output("roles", .ref("{ for purpose, role in aws_iam_role.pod : purpose => role.arn }"),
                             description: "The IAM role of each ServiceAccount that acts in AWS, as the manifests name it.")
            Terraform.output("buckets", .ref("{ for name, bucket in aws_s3_bucket.this : name => bucket.id }"),
                             description: "Each of the stack's buckets, as the workloads' <NAME>_BUCKET settings name it.")
        }
    }
}
