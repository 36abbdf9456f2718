/// cdn.tf: the shared CloudFront module in front of the load balancer, with the bucket the
/// plan names served beside it through origin access control, the edge firewall attached, and
/// the secret header the load balancer requires of every request.
enum AWSCDN {
    static var file: HCLFile {
        HCLFile {
            HCLBlock("locals") {
                attr("origin_verify_header", .ref("try(var.cdn.origin_verify.header, null)"))
            }
            comment("""
                The secret CloudFront sends the load balancer: random, made once by Terraform, then left
                alone (put another value in the parameter to rotate it; the next apply sends it to both).
                CloudFront and the listener rule keep it in their configuration, so it is in the state too:
                the state bucket is as private as the parameter.
                """)
            HCLBlock("resource", "aws_ssm_parameter", "origin_verify") {
                attr("count", .ref("local.origin_verify_header == null ? 0 : 1"))
                attr("name", .ref("\"${var.secret_parameter_prefix}${var.cdn.origin_verify.secret}\""))
                attr("description", .ref("\"The header value CloudFront sends the load balancer of ${var.name}\""))
                attr("type", "SecureString")
                attr("key_id", .ref("aws_kms_key.this.arn"))
                attr("value", .ref(AWSGeneratedSecret.random))
                HCLItem.blank
                HCLBlock("lifecycle") {
                    attr("ignore_changes", .ref("[value]"))
                    HCLBlock("postcondition") {
                        attr("condition", .ref(#"can(regex("^[A-Za-z0-9_-]{32,64}$", self.value))"#))
                        attr("error_message", .ref(#""${self.name} must be 32 to 64 letters, digits, '-' or '_' (e.g. openssl rand -hex 32).""#))
                    }
                }
            }
            HCLBlock("module", "cdn") {
                attr("source", "../cdn")
                attr("count", .ref("var.cdn == null ? 0 : 1"))
                HCLItem.blank
                attr("name", .ref("var.name"))
                attr("origin_domain", .ref("var.cdn.origin_domain"))
                attr("aliases", .ref("var.cdn.aliases"))
                comment("The load balancer's certificate covers the aliases too: the services see the site's name.")
                attr("forward_host_header", true)
                attr("certificate_arn", .ref("local.cdn_certificate_arn"))
                attr("static_paths", .ref("var.cdn.static_paths"))
                attr("cacheable_paths", .ref("var.cdn.cacheable_paths"))
                attr("log_bucket", .ref("var.log_bucket"))
                attr("web_acl_arn", .ref("one(aws_wafv2_web_acl.edge[*].arn)"))
                attr("origin_verify_header", .ref("local.origin_verify_header"))
                attr("origin_verify_secret", .ref("one(aws_ssm_parameter.origin_verify[*].value)"))
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
