/// The stack's KMS key: one per environment, rotated yearly, for databases, logs, buckets,
/// caches and backups.
enum AWSKeys {
    static var key: HCLBlock {
        HCLBlock("resource", "aws_kms_key", "this") {
            attr("description", .ref("\"${var.name}: databases, caches, buckets, logs and backups\""))
            attr("enable_key_rotation", true)
            attr("deletion_window_in_days", 30)
            comment("CloudWatch publishes alarms to the alert topics, which this key encrypts.")
            attr("policy", policy(services: [.ref("\"logs.${data.aws_region.current.name}.amazonaws.com\""), "cloudwatch.amazonaws.com"]))
        }
    }

    /// A key in another region (through `provider`), created when `condition` holds.
    static func regionalKey(_ label: String, provider: String, condition: String, description: String, services: [HCLValue]) -> HCLBlock {
        HCLBlock("resource", "aws_kms_key", label) {
            attr("count", .ref("\(condition) ? 1 : 0"))
            attr("provider", .ref(provider))
            attr("description", .ref("\"${var.name}\(description)\""))
            attr("enable_key_rotation", true)
            attr("deletion_window_in_days", 30)
            attr("policy", policy(services: services))
        }
    }

    /// The account administers the key (IAM policies then grant its use); `services` may
    /// use it directly (CloudWatch Logs encrypts log groups with it, CloudWatch alarms publish
    /// to the topics it encrypts).
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
