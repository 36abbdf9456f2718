/// The settings every S3 bucket Stagecraft makes has, whatever the platform.
enum S3BucketHardening {
    /// Private, encrypted, TLS-only buckets whose overwritten or deleted objects stay
    /// recoverable for 90 days (`aws_s3_bucket.<name>`, for_each); `versioning` is the HCL
    /// expression of the versioning status.
    static func resources(_ name: String, versioning: String, provider: String?) -> [HCLItem] {
        func resource(_ type: String, @HCLBodyBuilder _ body: () -> [HCLItem]) -> HCLBlock {
            HCLBlock("resource", type, name) {
                if let provider { attr("provider", .ref(provider)) }
                attr("for_each", .ref("aws_s3_bucket.\(name)"))
                attr("bucket", .ref("each.value.id"))
                body()
            }
        }
        return HCLFile {
            resource("aws_s3_bucket_public_access_block") {
                attr("block_public_acls", true)
                attr("block_public_policy", true)
                attr("ignore_public_acls", true)
                attr("restrict_public_buckets", true)
            }
            resource("aws_s3_bucket_ownership_controls") {
                HCLItem.blank
                HCLBlock("rule") { attr("object_ownership", "BucketOwnerEnforced") }
            }
            resource("aws_s3_bucket_server_side_encryption_configuration") {
                HCLItem.blank
                HCLBlock("rule") {
                    HCLBlock("apply_server_side_encryption_by_default") { attr("sse_algorithm", "AES256") }
                }
            }
            resource("aws_s3_bucket_versioning") {
                HCLItem.blank
                HCLBlock("versioning_configuration") {
                    attr("status", .ref(versioning))
                }
            }
            resource("aws_s3_bucket_lifecycle_configuration") {
                HCLItem.blank
                HCLBlock("rule") {
                    attr("id", "housekeeping")
                    attr("status", "Enabled")
                    HCLItem.blank
                    HCLBlock("filter") {}
                    HCLItem.blank
                    HCLBlock("abort_incomplete_multipart_upload") { attr("days_after_initiation", 7) }
                    HCLItem.blank
                    HCLBlock("noncurrent_version_expiration") { attr("noncurrent_days", 90) }
                }
            }
            resource("aws_s3_bucket_policy") {
                attr("policy", .call("jsonencode", [[
                    "Version": "2012-10-17",
                    "Statement": [[
                        "Sid": "TLSOnly",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [.ref("each.value.arn"), .ref("\"${each.value.arn}/*\"")],
                        "Condition": ["Bool": ["aws:SecureTransport": "false"]],
                    ]],
                ]]))
            }
        }.items
    }
}
