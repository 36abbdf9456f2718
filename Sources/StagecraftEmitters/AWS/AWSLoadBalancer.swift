/// alb.tf: the entry point. HTTPS only, a target group and a path rule per service, access
/// logs. Behind the CDN it admits CloudFront's origin-facing servers alone, and forwards only
/// requests that carry the distribution's secret header; without one it answers the internet,
/// HTTP with a redirect. (The web ACL is in waf.tf.)
enum AWSLoadBalancer {
    static var file: HCLFile {
        HCLFile {
            HCLBlock("locals") {
                attr("services", .ref("{ for name, workload in var.workloads : name => workload if workload.port != null }"))
            }
            comment("The addresses CloudFront fetches from origins with, kept current by AWS.")
            HCLBlock("data", "aws_ec2_managed_prefix_list", "cloudfront") {
                attr("count", .ref("var.cdn == null ? 0 : 1"))
                attr("name", "com.amazonaws.global.cloudfront.origin-facing")
            }
            HCLBlock("resource", "aws_security_group", "alb") {
                attr("name_prefix", .ref("\"${var.name}-alb-\""))
                attr("description", .ref("var.cdn == null ? \"HTTPS (and HTTP, which only redirects) from anywhere\" : \"HTTPS from CloudFront only\""))
                attr("vpc_id", .ref("local.vpc_id"))
                HCLItem.blank
                comment("Without a CDN, clients connect directly.")
                HCLBlock("dynamic", "ingress") {
                    attr("for_each", .ref(#"var.cdn == null ? { 443 = "HTTPS from anywhere", 80 = "HTTP from anywhere, answered with a redirect to HTTPS" } : {}"#))
                    HCLBlock("content") {
                        attr("description", .ref("ingress.value"))
                        attr("from_port", .ref("ingress.key"))
                        attr("to_port", .ref("ingress.key"))
                        attr("protocol", "tcp")
                        attr("cidr_blocks", ["0.0.0.0/0"])
                    }
                }
                HCLItem.blank
                comment("Behind the CDN, only CloudFront: the CDN's firewall and rate limits cannot be gone around.")
                HCLBlock("dynamic", "ingress") {
                    attr("for_each", .ref("data.aws_ec2_managed_prefix_list.cloudfront[*].id"))
                    HCLBlock("content") {
                        attr("description", "HTTPS from the CloudFront origin-facing servers")
                        attr("from_port", 443)
                        attr("to_port", 443)
                        attr("protocol", "tcp")
                        attr("prefix_list_ids", [.ref("ingress.value")])
                    }
                }
                HCLItem.blank
                HCLBlock("lifecycle") { attr("create_before_destroy", true) }
            }
            HCLBlock("resource", "aws_vpc_security_group_egress_rule", "alb_to_workloads") {
                attr("for_each", .ref("local.services"))
                attr("description", .ref("\"To ${each.key}\""))
                attr("security_group_id", .ref("aws_security_group.alb.id"))
                attr("referenced_security_group_id", .ref("aws_security_group.workloads[each.key].id"))
                attr("ip_protocol", "tcp")
                attr("from_port", .ref("each.value.port"))
                attr("to_port", .ref("each.value.port"))
            }
            HCLBlock("resource", "aws_lb", "this") {
                attr("name_prefix", "lb-")
                attr("load_balancer_type", "application")
                attr("internal", false)
                attr("security_groups", [.ref("aws_security_group.alb.id")])
                attr("subnets", .ref("local.public_subnet_ids"))
                attr("idle_timeout", .ref("var.load_balancer.idle_timeout"))
                attr("drop_invalid_header_fields", true)
                attr("enable_deletion_protection", .ref("var.load_balancer.deletion_protection"))
                HCLItem.blank
                HCLBlock("access_logs") {
                    attr("bucket", .ref("var.log_bucket"))
                    attr("prefix", .ref("\"alb/${var.name}\""))
                    attr("enabled", true)
                }
            }
            HCLBlock("resource", "aws_lb_listener", "https") {
                attr("load_balancer_arn", .ref("aws_lb.this.arn"))
                attr("port", 443)
                attr("protocol", "HTTPS")
                attr("ssl_policy", "ELBSecurityPolicy-TLS13-1-2-2021-06")
                attr("certificate_arn", .ref("local.certificate_arn"))
                HCLItem.blank
                comment("""
                    Requests no rule forwards: behind the CDN, those without its secret header (refused);
                    otherwise those whose path no service serves.
                    """)
                HCLBlock("default_action") {
                    attr("type", "fixed-response")
                    HCLItem.blank
                    HCLBlock("fixed_response") {
                        attr("content_type", "text/plain")
                        attr("message_body", .ref(#"local.origin_verify_header == null ? "Not found" : "Forbidden""#))
                        attr("status_code", .ref(#"local.origin_verify_header == null ? "404" : "403""#))
                    }
                }
            }
            comment("Behind the CDN nothing reaches port 80: CloudFront fetches over HTTPS.")
            HCLBlock("resource", "aws_lb_listener", "http") {
                attr("count", .ref("var.cdn == null ? 1 : 0"))
                attr("load_balancer_arn", .ref("aws_lb.this.arn"))
                attr("port", 80)
                attr("protocol", "HTTP")
                HCLItem.blank
                HCLBlock("default_action") {
                    attr("type", "redirect")
                    HCLItem.blank
                    HCLBlock("redirect") {
                        attr("port", "443")
                        attr("protocol", "HTTPS")
                        attr("status_code", "HTTP_301")
                    }
                }
            }
            HCLBlock("resource", "aws_lb_target_group", "this") {
                attr("for_each", .ref("local.services"))
                attr("name_prefix", .ref("substr(each.key, 0, 6)"))
                attr("target_type", "ip")
                attr("protocol", "HTTP")
                attr("port", .ref("each.value.port"))
                attr("vpc_id", .ref("local.vpc_id"))
                comment("Connection draining: in-flight requests get this long to finish.")
                attr("deregistration_delay", .ref("var.load_balancer.drain_seconds"))
                HCLItem.blank
                HCLBlock("health_check") {
                    attr("path", .ref("each.value.health_check"))
                    attr("matcher", "200-399")
                    attr("interval", 15)
                    attr("timeout", 5)
                    attr("healthy_threshold", 2)
                    attr("unhealthy_threshold", 3)
                }
                HCLItem.blank
                HCLBlock("lifecycle") { attr("create_before_destroy", true) }
            }
            comment("Longer paths get lower numbers, so the most specific rule matches first.")
            HCLBlock("resource", "aws_lb_listener_rule", "this") {
                attr("for_each", .ref("local.services"))
                attr("listener_arn", .ref("aws_lb_listener.https.arn"))
                attr("priority", .ref("each.value.priority"))
                HCLItem.blank
                HCLBlock("action") {
                    attr("type", "forward")
                    attr("target_group_arn", .ref("aws_lb_target_group.this[each.key].arn"))
                }
                HCLItem.blank
                HCLBlock("condition") {
                    HCLBlock("path_pattern") { attr("values", [.ref("each.value.path_pattern")]) }
                }
                HCLItem.blank
                originVerified
            }
            comment("Behind the CDN: a request with the secret header that no service's path matches.")
            HCLBlock("resource", "aws_lb_listener_rule", "not_found") {
                attr("count", .ref("local.origin_verify_header == null ? 0 : 1"))
                attr("listener_arn", .ref("aws_lb_listener.https.arn"))
                attr("priority", 50000)
                HCLItem.blank
                HCLBlock("action") {
                    attr("type", "fixed-response")
                    HCLItem.blank
                    HCLBlock("fixed_response") {
                        attr("content_type", "text/plain")
                        attr("message_body", "Not found")
                        attr("status_code", "404")
                    }
                }
                HCLItem.blank
                originVerified
            }
        }
    }

    /// The condition that the request came through the distribution: its secret header, which
    /// the load balancer compares as written (the secret holds no `*` or `?`, which it would
    /// take for wildcards; the precondition says so at plan time).
    private static var originVerified: HCLBlock {
        HCLBlock("dynamic", "condition") {
            attr("for_each", .ref("local.origin_verify_header == null ? [] : [local.origin_verify_header]"))
            HCLBlock("content") {
                HCLBlock("http_header") {
                    attr("http_header_name", .ref("condition.value"))
                    attr("values", [.ref("aws_ssm_parameter.origin_verify[0].value")])
                }
            }
        }
    }
}
