import StagecraftOutput
import StagecraftPlanner

/// `environments/<env>/cdn/`: the root module that puts CloudFront in front of a compose or
/// Kubernetes environment's load balancer, by calling the shared module.
enum CDNRootModule {
    static func files(_ environment: EnvironmentPlan, _ cdn: CDNPlan, stack: String) throws -> [GeneratedFile] {
        let folder = "environments/\(environment.name)/cdn"
        let name = "\(stack)-\(environment.name)"
        return [
            try Terraform.file("\(folder)/main.tf", main(environment, cdn, stack: stack)),
            try Terraform.file("\(folder)/variables.tf", variables(cdn)),
            try Terraform.file("\(folder)/terraform.tfvars", HCLFile {
                attr("name", .string(name))
                attr("origin_domain", .string(cdn.originDomain))
                if let verify = cdn.originVerification { attr("origin_verify_header", .string(verify.header)) }
                attr("aliases", .strings([environment.domain]))
                attr("static_paths", .strings(cdn.staticPaths.map(CDNOrigin.pattern)))
                attr("cacheable_paths", .strings(cdn.cacheablePaths.map(CDNOrigin.pattern)))
            }),
            try Terraform.file("\(folder)/outputs.tf", HCLFile {
                Terraform.output("cdn_domain", .ref("module.cdn.domain_name"), description: "Point the site's DNS record (\(environment.domain)) here.")
                Terraform.output("distribution_id", .ref("module.cdn.distribution_id"), description: "For cache invalidations after a deploy.")
            }),
        ]
    }

    private static func main(_ environment: EnvironmentPlan, _ cdn: CDNPlan, stack: String) -> HCLFile {
        HCLFile {
            Terraform.versions(backend: Terraform.s3Backend(key: "\(stack)/\(environment.name)/cdn.tfstate", region: environment.region))
            comment("CloudFront is global; its certificate must live in us-east-1, whatever this region is.")
            HCLBlock("provider", "aws") {
                attr("region", .string(environment.region))
                HCLItem.blank
                HCLBlock("default_tags") {
                    attr("tags", .object([
                        HCLAttribute("stack", .string(stack)),
                        HCLAttribute("environment", .string(environment.name)),
                        HCLAttribute("managed-by", "stagecraft"),
                    ]))
                }
            }
            comment("""
                Before applying: add a DNS record that points origin_domain at the load balancer
                (the host's address), and make its TLS certificate cover that name too.
                """)
            HCLBlock("module", "cdn") {
                attr("source", "../../../terraform/modules/cdn")
                HCLItem.blank
                for name in ["name", "origin_domain", "aliases", "static_paths", "cacheable_paths", "certificate_arn", "log_bucket", "web_acl_arn"] {
                    attr(name, .ref("var.\(name)"))
                }
                if cdn.originVerification != nil {
                    for name in ["origin_verify_header", "origin_verify_secret"] {
                        attr(name, .ref("var.\(name)"))
                    }
                }
            }
        }
    }

    private static func variables(_ cdn: CDNPlan) -> HCLFile {
        HCLFile {
            Terraform.variable("name", type: "string", description: "Prefix of resource names.")
            Terraform.variable("origin_domain", type: "string", description: "Name of the load balancer CloudFront fetches from.")
            Terraform.variable("aliases", type: "list(string)", description: "Domains the distribution answers for.")
            Terraform.variable("static_paths", type: "list(string)", description: "Path patterns cached at the edge.")
            Terraform.variable("cacheable_paths", type: "list(string)", description: "API path patterns cached per the origin's Cache-Control.")
            Terraform.variable("certificate_arn", type: "string", description: "ACM certificate (us-east-1) for the aliases. Set TF_VAR_certificate_arn; the deploy workflow passes the AWS_CDN_CERTIFICATE_ARN secret.")
            Terraform.variable("log_bucket", type: "string", description: "S3 bucket for CloudFront access logs. Set TF_VAR_log_bucket; the deploy workflow passes the AWS_LOG_BUCKET secret.")
            Terraform.variable("web_acl_arn", type: "string", description: "WAF web ACL (scope CLOUDFRONT) to attach, or null.", default: .null)
            if let verify = cdn.originVerification {
                Terraform.variable("origin_verify_header", type: "string", description: "Header CloudFront sends the origin with the secret below.")
                Terraform.variable("origin_verify_secret", type: "string", description: "What the origin expects in origin_verify_header: the \(verify.secret) secret, which the deploy also gives nginx. Set TF_VAR_origin_verify_secret.", sensitive: true)
            }
        }
    }
}
