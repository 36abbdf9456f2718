/// The stack's KMS key: one per environment, rotated yearly, for databases, logs, buckets,
/// caches and backups.
enum AWSKeys {
    static var key: [HCLItem] {
        [
            .block(HCLBlock("resource", "aws_kms_key", "this") {
                attr("description", .ref("\"${var.name}: databases, caches, buckets, logs and backups\""))
                attr("enable_key_rotation", true)
                attr("deletion_window_in_days", 30)
            }),
        ] + comment("""
                The key's policy is a resource of its own: it names the CDN's distribution, which is made
                after the key. CloudWatch publishes alarms to the alert topics, which this key encrypts;
                CloudFront decrypts the objects of the bucket it serves, for that distribution only.
                """) + [
            .block(HCLBlock("resource", "aws_kms_key_policy", "this") {
                attr("key_id", .ref("aws_kms_key.this.id"))
                attr("policy", .call("jsonencode", [[
                    "Version": "2012-10-17",
                    "Statement": .call("concat", [
                        .list(statements(services: [.ref("\"logs.${data.aws_region.current.name}.amazonaws.com\""), "cloudwatch.amazonaws.com"])),
                        .ref("try(var.cdn.bucket, null) == null ? [] : [local.cdn_decrypt_statement]"),
                    ]),
                ]]))
            }),
        ]
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
        AWSPolicy.document(statements(services: services))
    }

    private static func statements(services: [HCLValue]) -> [HCLValue] {
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
        return statements
    }
}
