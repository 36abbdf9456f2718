import StagecraftOutput

/// The reusable CloudFront module at `terraform/modules/cdn/`. It is the same for every
/// stack: each root module (an AWS environment, or the CDN root of a compose or Kubernetes
/// environment) passes in what differs.
enum CDNModule {
    static let path = "terraform/modules/cdn"

    static func files() throws -> [GeneratedFile] {
        [
            try Terraform.file("\(path)/versions.tf", HCLFile { Terraform.versions() }),
            try Terraform.file("\(path)/variables.tf", variables),
            try Terraform.file("\(path)/main.tf", main),
            try Terraform.file("\(path)/outputs.tf", outputs),
        ]
    }

    private static var variables: HCLFile {
        HCLFile {
            Terraform.variable("name", type: "string", description: "Prefix of every resource name (stack and environment).")
            Terraform.variable("origin_domain", type: "string", description: "Domain CloudFront fetches from over HTTPS: resolves to the load balancer and is covered by its certificate.")
            Terraform.variable("aliases", type: "list(string)", description: "Domains the distribution answers for.")
            Terraform.variable("certificate_arn", type: "string", description: "ACM certificate for the aliases. CloudFront only reads certificates in us-east-1.")
            Terraform.variable("static_paths", type: "list(string)", description: "Path patterns of static files, cached for a long time whatever the origin says.", default: [])
            Terraform.variable("cacheable_paths", type: "list(string)", description: "Path patterns of API responses cached as the origin's Cache-Control allows.", default: [])
            Terraform.variable("log_bucket", type: "string", description: "Name of the S3 bucket that receives the access logs (ACLs enabled, as CloudFront standard logging requires).")
            Terraform.variable("web_acl_arn", type: "string", description: "ARN of a WAF web ACL (scope CLOUDFRONT, in us-east-1) to attach, or null.", default: .null)
            Terraform.variable(
                "s3_origin",
                type: "object({\n    bucket_regional_domain_name = string\n    path_pattern                = string\n  })",
                description: "A bucket served under path_pattern through origin access control, or null.",
                default: .null
            )
            Terraform.variable("price_class", type: "string", description: "Edge locations to use (PriceClass_100: North America and Europe).", default: "PriceClass_100")
            Terraform.variable("origin_read_timeout", type: "number", description: "Seconds CloudFront waits for the origin's response.", default: 30)
            Terraform.variable("forward_host_header", type: "bool", description: """
                Whether dynamic requests reach the origin with the viewer's Host (CloudFront then checks the origin's certificate \
                against that name, so it must cover every alias) or with origin_domain (a certificate for origin_domain alone suffices).
                """, default: false)
            Terraform.variable("origin_verify_header", type: "string", description: "Header CloudFront adds to every request to the origin, with origin_verify_secret as its value, or null.", default: .null)
            Terraform.variable("origin_verify_secret", type: "string", description: "Value of origin_verify_header, which the origin checks. CloudFront keeps it in the distribution's configuration, so it is in the state too.", default: .null, sensitive: true)
        }
    }

    private static func behaviour(pathPattern: String?, origin: String, cachePolicy: String, originRequestPolicy: String?, methods: HCLValue) -> [HCLItem] {
        var items: [HCLItem] = []
        if let pathPattern { items.append(.attribute(attr("path_pattern", .ref(pathPattern)))) }
        items += [
            .attribute(attr("target_origin_id", .ref(origin))),
            .attribute(attr("viewer_protocol_policy", "redirect-to-https")),
            .attribute(attr("allowed_methods", methods)),
            .attribute(attr("cached_methods", ["GET", "HEAD"])),
            .attribute(attr("compress", true)),
            .attribute(attr("cache_policy_id", .ref(cachePolicy))),
        ]
        if let originRequestPolicy { items.append(.attribute(attr("origin_request_policy_id", .ref(originRequestPolicy)))) }
        items.append(.attribute(attr("response_headers_policy_id", .ref("data.aws_cloudfront_response_headers_policy.security_headers.id"))))
        return items
    }

    private static let readMethods: HCLValue = ["GET", "HEAD", "OPTIONS"]
    private static let allMethods: HCLValue = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]

    private static var main: HCLFile {
        HCLFile {
            HCLBlock("locals") {
                attr("origin_id", "load-balancer")
                attr("bucket_origin_id", "bucket")
            }
            comment("AWS-managed policies: their IDs are the same in every account.")
            HCLBlock("data", "aws_cloudfront_cache_policy", "caching_optimized") { attr("name", "Managed-CachingOptimized") }
            HCLBlock("data", "aws_cloudfront_cache_policy", "caching_disabled") { attr("name", "Managed-CachingDisabled") }
            HCLBlock("data", "aws_cloudfront_cache_policy", "origin_cache_control") { attr("name", "Managed-UseOriginCacheControlHeaders-QueryStrings") }
            HCLBlock("data", "aws_cloudfront_origin_request_policy", "dynamic") {
                attr("name", .ref(#"var.forward_host_header ? "Managed-AllViewer" : "Managed-AllViewerExceptHostHeader""#))
            }
            HCLBlock("data", "aws_cloudfront_response_headers_policy", "security_headers") { attr("name", "Managed-SecurityHeadersPolicy") }
            HCLBlock("resource", "aws_cloudfront_origin_access_control", "bucket") {
                attr("count", .ref("var.s3_origin == null ? 0 : 1"))
                attr("name", .ref("\"${var.name}-bucket\""))
                attr("description", "Lets CloudFront read the bucket; the bucket itself stays private.")
                attr("origin_access_control_origin_type", "s3")
                attr("signing_behavior", "always")
                attr("signing_protocol", "sigv4")
            }
            HCLBlock("resource", "aws_cloudfront_distribution", "this") {
                attr("enabled", true)
                attr("is_ipv6_enabled", true)
                attr("comment", .ref("var.name"))
                attr("aliases", .ref("var.aliases"))
                attr("price_class", .ref("var.price_class"))
                attr("http_version", "http2and3")
                attr("web_acl_id", .ref("var.web_acl_arn"))
                HCLItem.blank
                HCLBlock("origin") {
                    attr("origin_id", .ref("local.origin_id"))
                    attr("domain_name", .ref("var.origin_domain"))
                    HCLItem.blank
                    HCLBlock("custom_origin_config") {
                        attr("http_port", 80)
                        attr("https_port", 443)
                        attr("origin_protocol_policy", "https-only")
                        attr("origin_ssl_protocols", ["TLSv1.2"])
                        attr("origin_read_timeout", .ref("var.origin_read_timeout"))
                        attr("origin_keepalive_timeout", 5)
                    }
                    HCLItem.blank
                    comment("Proves a request came through this distribution: the origin refuses those without it.")
                    HCLBlock("dynamic", "custom_header") {
                        attr("for_each", .ref("var.origin_verify_header == null ? [] : [var.origin_verify_header]"))
                        HCLBlock("content") {
                            attr("name", .ref("custom_header.value"))
                            attr("value", .ref("var.origin_verify_secret"))
                        }
                    }
                }
                HCLItem.blank
                HCLBlock("dynamic", "origin") {
                    attr("for_each", .ref("var.s3_origin == null ? [] : [var.s3_origin]"))
                    HCLBlock("content") {
                        attr("origin_id", .ref("local.bucket_origin_id"))
                        attr("domain_name", .ref("origin.value.bucket_regional_domain_name"))
                        attr("origin_access_control_id", .ref("aws_cloudfront_origin_access_control.bucket[0].id"))
                    }
                }
                HCLItem.blank
                comment("Everything else is dynamic: never cached, every header (Host only with forward_host_header), cookie and query string forwarded.")
                HCLBlock("default_cache_behavior") {
                    behaviour(pathPattern: nil, origin: "local.origin_id", cachePolicy: "data.aws_cloudfront_cache_policy.caching_disabled.id",
                              originRequestPolicy: "data.aws_cloudfront_origin_request_policy.dynamic.id", methods: allMethods)
                }
                HCLItem.blank
                comment("Static files: cached at the edge for up to a year (the files are expected to be fingerprinted).")
                HCLBlock("dynamic", "ordered_cache_behavior") {
                    attr("for_each", .ref("var.static_paths"))
                    HCLBlock("content") {
                        behaviour(pathPattern: "ordered_cache_behavior.value", origin: "local.origin_id",
                                  cachePolicy: "data.aws_cloudfront_cache_policy.caching_optimized.id", originRequestPolicy: nil, methods: readMethods)
                    }
                }
                HCLItem.blank
                comment("Cacheable API responses: kept exactly as long as the origin's Cache-Control says, keyed by query string.")
                HCLBlock("dynamic", "ordered_cache_behavior") {
                    attr("for_each", .ref("var.cacheable_paths"))
                    HCLBlock("content") {
                        behaviour(pathPattern: "ordered_cache_behavior.value", origin: "local.origin_id",
                                  cachePolicy: "data.aws_cloudfront_cache_policy.origin_cache_control.id", originRequestPolicy: nil, methods: readMethods)
                    }
                }
                HCLItem.blank
                HCLBlock("dynamic", "ordered_cache_behavior") {
                    attr("for_each", .ref("var.s3_origin == null ? [] : [var.s3_origin]"))
                    HCLBlock("content") {
                        behaviour(pathPattern: "ordered_cache_behavior.value.path_pattern", origin: "local.bucket_origin_id",
                                  cachePolicy: "data.aws_cloudfront_cache_policy.caching_optimized.id", originRequestPolicy: nil, methods: readMethods)
                    }
                }
                HCLItem.blank
                HCLBlock("viewer_certificate") {
                    attr("acm_certificate_arn", .ref("var.certificate_arn"))
                    attr("ssl_support_method", "sni-only")
                    attr("minimum_protocol_version", "TLSv1.2_2021")
                }
                HCLItem.blank
                HCLBlock("logging_config") {
                    attr("bucket", .ref("\"${var.log_bucket}.s3.amazonaws.com\""))
                    attr("prefix", .ref("\"cloudfront/${var.name}/\""))
                    attr("include_cookies", false)
                }
                HCLItem.blank
                HCLBlock("restrictions") {
                    HCLBlock("geo_restriction") { attr("restriction_type", "none") }
                }
            }
        }
    }

    private static var outputs: HCLFile {
        HCLFile {
            Terraform.output("distribution_id", .ref("aws_cloudfront_distribution.this.id"), description: "For cache invalidations.")
            Terraform.output("distribution_arn", .ref("aws_cloudfront_distribution.this.arn"), description: "For bucket policies that admit this distribution.")
            Terraform.output("domain_name", .ref("aws_cloudfront_distribution.this.domain_name"), description: "Point the aliases' DNS records here.")
            Terraform.output("hosted_zone_id", .ref("aws_cloudfront_distribution.this.hosted_zone_id"), description: "For Route 53 alias records.")
        }
    }
}
