/// variables.tf of the stack module: what differs between environments.
enum AWSVariables {
    static func file(crossRegion: Bool) -> HCLFile {
        HCLFile {
            Terraform.variable("name", type: "string", description: "Prefix of every resource name: the stack and the environment.")
            Terraform.variable("zones", type: "number", description: "Availability zones the workloads, NAT gateways and replicas use. Subnets always span at least two: the load balancer and RDS require it.")
            Terraform.variable("vpc_cidr", type: "string", description: "Address range of the VPC this module creates.", default: "10.0.0.0/16")
            Terraform.variable("existing_vpc", type: objectType(["vpc_id": "string", "public_subnet_ids": "list(string)", "private_subnet_ids": "list(string)"]),
                               description: "An existing VPC to use instead of creating one (private subnets need a route to the internet for image pulls).", default: .null)
            Terraform.variable("dns", type: objectType(["zone": "string", "domain": "string"]),
                               description: "The Route 53 public hosted zone holding the environment's domain: Terraform issues the certificates and writes the records. Null: the certificates are passed in and the records are made by hand.", default: .null)
            certificate
            Terraform.variable("cdn_certificate_arn", type: "string", description: "ACM certificate in us-east-1 for the CDN's domains, when dns is null.", default: .null)
            Terraform.variable("log_bucket", type: "string", description: "S3 bucket receiving load balancer, CDN and bucket access logs.")
            imageDigests
            Terraform.variable("secret_parameter_prefix", type: "string", description: "SSM Parameter Store path under which each secret is a SecureString named after it.")
            Terraform.variable("log_retention_days", type: "number", description: "How long CloudWatch keeps logs.")
            loadBalancer
            Terraform.variable("workloads", type: mapOf([
                "image": "string", "tagged": "bool", "registry_login": "bool", "command": "optional(list(string))",
                "port": "optional(number)", "health_check": "optional(string)", "health_command": "optional(string)", "path_pattern": "optional(string)", "priority": "optional(number)",
                "cpu": "number", "memory": "number", "desired_count": "number", "min_count": "number", "max_count": "number", "cpu_target": "optional(number)",
                "environment": "map(string)", "secrets": "list(string)", "databases": "list(string)", "caches": "list(string)", "buckets": "list(string)",
            ]), description: "Services (with a port) and workers, by name.")
            Terraform.variable("databases", type: mapOf([
                "version": "number", "env_prefix": "string", "instance_class": "string", "storage_gib": "number", "max_connections": "number", "multi_az": "bool",
                "read_replicas": "number", "pooling": "bool", "backup_retention_days": "number", "deletion_protection": "bool", "slow_query_ms": "number",
                "partition_schedule": "optional(string)", "migrate_in": "optional(string)",
                "backup": "optional(object({\n      schedules             = map(string)\n      retention_days        = number\n      max_age_hours         = number\n      restore_test_schedule = optional(string)\n    }))",
            ]), description: "PostgreSQL databases, by name.")
            Terraform.variable("caches", type: mapOf([
                "engine_version": "string", "env_prefix": "string", "node_type": "string", "replica": "bool", "multi_az": "bool", "persistence": "bool",
            ]), description: "Redis caches, by name.")
            Terraform.variable("buckets", type: mapOf(["versioned": "bool"]), description: "S3 buckets, by name.")
            Terraform.variable("cdn", type: objectType([
                "origin_domain": "string", "aliases": "list(string)", "static_paths": "list(string)", "cacheable_paths": "list(string)", "bucket": "optional(string)",
                "origin_verify": "optional(object({\n      header = string\n      secret = string\n    }))",
            ]), description: """
                CloudFront in front of the load balancer, or null. origin_verify: the header CloudFront adds to every request and the \
                name of the parameter (under secret_parameter_prefix) holding its value; the load balancer forwards no request without it.
                """, default: .null)
            Terraform.variable("monitoring", type: objectType([
                "alerting": "bool", "emails": "list(string)", "slack_secret": "optional(string)", "pagerduty_secret": "optional(string)",
                "uptime": "optional(object({\n      fqdn = string\n      path = string\n    }))",
                "tracing": "bool",
                "objectives": "map(object({\n      availability = optional(number)\n      latency_ms   = number\n    }))",
            ]), description: "Alarms and where they go (email addresses; Slack and PagerDuty by the name of the SSM parameter holding the webhook URL or routing key), the uptime check, tracing, and each service's objective.")
            if crossRegion {
                Terraform.variable("backup_copy_region", type: "string", description: "Region that receives a copy of every backup, or null.", default: .null)
            }
        }
    }

    /// Without a zone to issue one in, the load balancer's certificate is an input.
    /// The images CI built run by the digest their push reported: what runs is what was built
    /// and attested, even if the tag is moved later.
    private static var imageDigests: HCLBlock {
        var variable = Terraform.variable("image_digests", type: "map(string)", description: "Digest of each image CI built and pushed, by repository (the deploy passes the digests the pushes reported).")
        variable.body += [
            .blank,
            .block(HCLBlock("validation") {
                attr("condition", .ref("alltrue([for digest in values(var.image_digests) : can(regex(\"^sha256:[0-9a-f]{64}$\", digest))])"))
                attr("error_message", "Each image digest is sha256: and 64 hexadecimal digits.")
            }),
            .blank,
            .block(HCLBlock("validation") {
                attr("condition", .ref("alltrue([for workload in values(var.workloads) : !workload.tagged || contains(keys(var.image_digests), workload.image)])"))
                attr("error_message", "Every image CI builds needs its digest in image_digests.")
            }),
        ]
        return variable
    }

    private static var certificate: HCLBlock {
        var variable = Terraform.variable("certificate_arn", type: "string", description: "ACM certificate for the load balancer's HTTPS listener, in the environment's region, when dns is null.", default: .null)
        variable.body += [.blank, .block(HCLBlock("validation") {
            attr("condition", .ref("var.dns != null || var.certificate_arn != null"))
            attr("error_message", "Without a dns zone, the load balancer needs certificate_arn.")
        })]
        return variable
    }

    /// The load balancer's settings; a validation holds the body-size pattern to the limit it
    /// stands for, since WAF matches the pattern and never sees the number.
    private static var loadBalancer: HCLBlock {
        var variable = Terraform.variable("load_balancer", type: objectType([
            "idle_timeout": "number", "drain_seconds": "number", "deletion_protection": "bool", "edge_firewall": "bool",
            "max_body_bytes": "number", "content_length_over_limit": "string",
            "rate_limits": "list(object({\n      limit          = number\n      window_seconds = number\n      path           = optional(string)\n    }))",
        ]), description: """
            Load balancer settings. When edge_firewall is set, a WAF (at the CDN when there is one) refuses bodies over \
            max_body_bytes (a Content-Length content_length_over_limit matches) and enforces the per-client rate limits.
            """)
        variable.body += [.blank, .block(HCLBlock("validation") {
            attr("condition", .ref("!can(regex(var.load_balancer.content_length_over_limit, tostring(var.load_balancer.max_body_bytes))) && can(regex(var.load_balancer.content_length_over_limit, tostring(var.load_balancer.max_body_bytes + 1)))"))
            attr("error_message", "content_length_over_limit must draw its line at max_body_bytes: match max_body_bytes + 1, not max_body_bytes.")
        })]
        return variable
    }

    private static func mapOf(_ fields: KeyValuePairs<String, String>) -> String { "map(" + objectType(fields) + ")" }

    /// `object({ … })` as the `type` of a variable, laid out as `terraform fmt` does (however
    /// many brackets open on the first line, the fields are one level in).
    private static func objectType(_ fields: KeyValuePairs<String, String>) -> String {
        let pad = "    "
        var lines: [String] = []
        var run: [(String, String)] = []
        func flush() {
            let width = run.map(\.0.count).max() ?? 0
            lines += run.map { pad + $0.0 + String(repeating: " ", count: width - $0.0.count) + " = " + $0.1 }
            run.removeAll()
        }
        for (name, type) in fields {
            if type.contains("\n") {
                flush()
                lines.append(pad + name + " = " + type)
            } else {
                run.append((name, type))
            }
        }
        flush()
        return "object({\n" + lines.joined(separator: "\n") + "\n  })"
    }
}
