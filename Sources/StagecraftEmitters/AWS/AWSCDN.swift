/// cdn.tf: the shared CloudFront module in front of the load balancer, with the bucket the
/// plan names served beside it through origin access control.
enum AWSCDN {
    static var file: HCLFile {
        HCLFile {
            HCLBlock("module", "cdn") {
                attr("source", "../cdn")
                attr("count", .ref("var.cdn == null ? 0 : 1"))
                HCLItem.blank
                attr("name", .ref("var.name"))
                attr("origin_domain", .ref("var.cdn.origin_domain"))
                attr("aliases", .ref("var.cdn.aliases"))
                attr("certificate_arn", .ref("var.cdn_certificate_arn"))
                attr("static_paths", .ref("var.cdn.static_paths"))
                attr("cacheable_paths", .ref("var.cdn.cacheable_paths"))
                attr("log_bucket", .ref("var.log_bucket"))
                attr("s3_origin", .ref(#"""
                    var.cdn.bucket == null ? null : {
                        bucket_regional_domain_name = aws_s3_bucket.this[var.cdn.bucket].bucket_regional_domain_name
                        path_pattern                = "/${var.cdn.bucket}/*"
                      }
                    """#))
            }
            HCLBlock("locals") {
                comment("Added to the policy of the bucket the CDN serves: this distribution, and nothing else, may read it.")
                attr("cdn_read_statement", [
                    "Sid": "CloudFrontReads",
                    "Effect": "Allow",
                    "Principal": ["Service": "cloudfront.amazonaws.com"],
                    "Action": "s3:GetObject",
                    "Resource": .ref(#"try("${aws_s3_bucket.this[var.cdn.bucket].arn}/*", null)"#),
                    "Condition": ["StringEquals": ["AWS:SourceArn": .ref("one(module.cdn[*].distribution_arn)")]],
                ])
                comment("Added to the key's policy: the bucket's objects are encrypted with it, and the distribution decrypts them.")
                attr("cdn_decrypt_statement", [
                    "Sid": "CloudFrontDecryptsTheBucket",
                    "Effect": "Allow",
                    "Principal": ["Service": "cloudfront.amazonaws.com"],
                    "Action": "kms:Decrypt",
                    "Resource": "*",
                    "Condition": ["StringEquals": ["AWS:SourceArn": .ref("one(module.cdn[*].distribution_arn)")]],
                ])
            }
        }
    }
}
