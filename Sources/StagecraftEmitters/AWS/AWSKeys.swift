/// The stack's KMS key: one per environment, rotated yearly, for databases, logs, buckets,
/// caches and backups.
enum AWSKeys {
    static var key: HCLBlock {
        HCLBlock("resource", "aws_kms_key", "this") {
            attr("description", .ref("\"${var.name}: databases, caches, buckets, logs and backups\""))
            attr("enable_key_rotation", true)
            attr("deletion_window_in_days", 30)
            attr("policy", policy(services: [.ref("\"logs.${data.aws_region.current.name}.amazonaws.com\"")]))
        }
    }

    /// The account administers the key (IAM policies then grant its use); `services` may
    /// use it directly (CloudWatch Logs encrypts log groups with it).
    static func policy(services: [HCLValue]) -> HCLValue {
        var statements: [HCLValue] = [[
            "Sid": "AccountAdministers",
            "Effect": "Allow",
            "Principal": ["AWS": .ref("\"arn:aws:iam::${data.aws_caller_identity.current.account_id}:root\"")],
            "Action": "kms:*",
            "Resource": "*",
        ]]
        if !services.isEmpty {
            statements.append([
                "Sid": "ServicesEncrypt",
                "Effect": "Allow",
                "Principal": ["Service": .list(services)],
                "Action": .strings(["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]),
                "Resource": "*",
            ])
        }
        return AWSPolicy.document(statements)
    }
}
