/// buckets.tf: private, encrypted, versioned (outside development) buckets that refuse plain
/// HTTP; the one the CDN serves admits exactly that distribution.
enum AWSBuckets {
    static var file: HCLFile {
        HCLFile {
            HCLBlock("resource", "aws_s3_bucket", "this") {
                attr("for_each", .ref("var.buckets"))
                comment("Bucket names are global: the account ID keeps them unique.")
                attr("bucket", .ref("local.bucket_names[each.key]"))
            }
            HCLBlock("resource", "aws_s3_bucket_public_access_block", "this") {
                attr("for_each", .ref("aws_s3_bucket.this"))
                attr("bucket", .ref("each.value.id"))
                attr("block_public_acls", true)
                attr("block_public_policy", true)
                attr("ignore_public_acls", true)
                attr("restrict_public_buckets", true)
            }
            HCLBlock("resource", "aws_s3_bucket_ownership_controls", "this") {
                attr("for_each", .ref("aws_s3_bucket.this"))
                attr("bucket", .ref("each.value.id"))
                HCLItem.blank
                HCLBlock("rule") { attr("object_ownership", "BucketOwnerEnforced") }
            }
            HCLBlock("resource", "aws_s3_bucket_server_side_encryption_configuration", "this") {
                attr("for_each", .ref("aws_s3_bucket.this"))
                attr("bucket", .ref("each.value.id"))
                HCLItem.blank
                HCLBlock("rule") {
                    attr("bucket_key_enabled", true)
                    HCLItem.blank
                    HCLBlock("apply_server_side_encryption_by_default") {
                        attr("sse_algorithm", "aws:kms")
                        attr("kms_master_key_id", .ref("aws_kms_key.this.arn"))
                    }
                }
            }
            HCLBlock("resource", "aws_s3_bucket_versioning", "this") {
                attr("for_each", .ref("aws_s3_bucket.this"))
                attr("bucket", .ref("each.value.id"))
                HCLItem.blank
                HCLBlock("versioning_configuration") {
                    attr("status", .ref("var.buckets[each.key].versioned ? \"Enabled\" : \"Disabled\""))
                }
            }
            HCLBlock("resource", "aws_s3_bucket_lifecycle_configuration", "this") {
                attr("for_each", .ref("aws_s3_bucket.this"))
                attr("bucket", .ref("each.value.id"))
                HCLItem.blank
                HCLBlock("rule") {
                    attr("id", "housekeeping")
                    attr("status", "Enabled")
                    HCLItem.blank
                    HCLBlock("filter") {}
                    HCLItem.blank
                    HCLBlock("abort_incomplete_multipart_upload") { attr("days_after_initiation", 7) }
                    HCLItem.blank
                    comment("Overwritten and deleted objects stay recoverable for 90 days.")
                    HCLBlock("noncurrent_version_expiration") { attr("noncurrent_days", 90) }
                }
            }
            HCLBlock("resource", "aws_s3_bucket_logging", "this") {
                attr("for_each", .ref("aws_s3_bucket.this"))
                attr("bucket", .ref("each.value.id"))
                attr("target_bucket", .ref("var.log_bucket"))
                attr("target_prefix", .ref("\"s3/${each.value.id}/\""))
            }
            HCLBlock("resource", "aws_s3_bucket_policy", "this") {
                attr("for_each", .ref("aws_s3_bucket.this"))
                attr("bucket", .ref("each.value.id"))
                attr("policy", .call("jsonencode", [[
                    "Version": "2012-10-17",
                    "Statement": .call("concat", [
                        [[
                            "Sid": "TLSOnly",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": [.ref("each.value.arn"), .ref("\"${each.value.arn}/*\"")],
                            "Condition": ["Bool": ["aws:SecureTransport": "false"]],
                        ]],
                        .ref(#"try(var.cdn.bucket, null) == each.key ? [local.cdn_read_statement] : []"#),
                    ]),
                ]]))
                HCLItem.blank
                attr("depends_on", [.ref("aws_s3_bucket_public_access_block.this")])
            }
        }
    }
}
