/// alb.tf: the public entry point. HTTPS only (HTTP answers with a redirect), a target group
/// and a path rule per service, access logs, and a WAF web ACL with the stack's rate limits
/// when the plan asks for an edge firewall.
enum AWSLoadBalancer {
    static var file: HCLFile {
        HCLFile {
            HCLBlock("locals") {
                attr("services", .ref("{ for name, workload in var.workloads : name => workload if workload.port != null }"))
            }
            HCLBlock("resource", "aws_security_group", "alb") {
                attr("name_prefix", .ref("\"${var.name}-alb-\""))
                attr("description", "Public HTTPS (and HTTP, which only redirects) to the load balancer")
                attr("vpc_id", .ref("local.vpc_id"))
                HCLItem.blank
                for (port, why) in [(443, "HTTPS from anywhere"), (80, "HTTP from anywhere, answered with a redirect to HTTPS")] {
                    HCLBlock("ingress") {
                        attr("description", .string(why))
                        attr("from_port", .int(port))
                        attr("to_port", .int(port))
                        attr("protocol", "tcp")
                        attr("cidr_blocks", ["0.0.0.0/0"])
                    }
                }
                HCLItem.blank
                HCLBlock("lifecycle") { attr("create_before_destroy", true) }
            }
            HCLBlock("resource", "aws_vpc_security_group_egress_rule", "alb_to_workloads") {
                attr("for_each", .ref("local.services"))
                attr("description", .ref("\"To ${each.key}\""))
                attr("security_group_id", .ref("aws_security_group.alb.id"))
                attr("referenced_security_group_id", .ref("aws_security_group.workloads.id"))
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
                attr("certificate_arn", .ref("var.certificate_arn"))
                HCLItem.blank
                comment("Requests no service's path matches.")
                HCLBlock("default_action") {
                    attr("type", "fixed-response")
                    HCLItem.blank
                    HCLBlock("fixed_response") {
                        attr("content_type", "text/plain")
                        attr("message_body", "Not found")
                        attr("status_code", "404")
                    }
                }
            }
            HCLBlock("resource", "aws_lb_listener", "http") {
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
            }
            firewall
        }
    }

    /// Rate-based rules (one per limit: per client IP, optionally only under a path), AWS's
    /// rules against known bad inputs, and logging of what the ACL blocks.
    private static var firewall: [HCLItem] {
        [
            .block(HCLBlock("resource", "aws_wafv2_web_acl", "this") {
                attr("count", .ref("var.load_balancer.edge_firewall ? 1 : 0"))
                attr("name", .ref("var.name"))
                attr("scope", "REGIONAL")
                HCLItem.blank
                HCLBlock("default_action") { HCLBlock("allow") }
                HCLItem.blank
                HCLBlock("rule") {
                    attr("name", "known-bad-inputs")
                    attr("priority", 0)
                    HCLItem.blank
                    HCLBlock("override_action") { HCLBlock("none") }
                    HCLItem.blank
                    HCLBlock("statement") {
                        HCLBlock("managed_rule_group_statement") {
                            attr("name", "AWSManagedRulesKnownBadInputsRuleSet")
                            attr("vendor_name", "AWS")
                        }
                    }
                    HCLItem.blank
                    visibility(.ref("\"${var.name}-known-bad-inputs\""))
                }
                HCLItem.blank
                HCLBlock("dynamic", "rule") {
                    attr("for_each", .ref("var.load_balancer.rate_limits"))
                    HCLBlock("content") {
                        attr("name", .ref("\"rate-limit-${rule.key}\""))
                        attr("priority", .ref("rule.key + 1"))
                        HCLItem.blank
                        HCLBlock("action") {
                            HCLBlock("block") {
                                HCLBlock("custom_response") { attr("response_code", 429) }
                            }
                        }
                        HCLItem.blank
                        HCLBlock("statement") {
                            HCLBlock("rate_based_statement") {
                                attr("limit", .ref("rule.value.limit"))
                                attr("evaluation_window_sec", .ref("rule.value.window_seconds"))
                                attr("aggregate_key_type", "IP")
                                HCLItem.blank
                                HCLBlock("dynamic", "scope_down_statement") {
                                    attr("for_each", .ref("rule.value.path == null ? [] : [rule.value.path]"))
                                    HCLBlock("content") {
                                        HCLBlock("byte_match_statement") {
                                            attr("search_string", .ref("scope_down_statement.value"))
                                            attr("positional_constraint", "STARTS_WITH")
                                            HCLItem.blank
                                            HCLBlock("field_to_match") { HCLBlock("uri_path") }
                                            HCLItem.blank
                                            HCLBlock("text_transformation") {
                                                attr("priority", 0)
                                                attr("type", "NONE")
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        HCLItem.blank
                        visibility(.ref("\"${var.name}-rate-limit-${rule.key}\""))
                    }
                }
                HCLItem.blank
                visibility(.ref("var.name"))
            }),
            .block(HCLBlock("resource", "aws_wafv2_web_acl_association", "this") {
                attr("count", .ref("var.load_balancer.edge_firewall ? 1 : 0"))
                attr("resource_arn", .ref("aws_lb.this.arn"))
                attr("web_acl_arn", .ref("aws_wafv2_web_acl.this[0].arn"))
            }),
            .comment("WAF only logs to a log group whose name starts with aws-waf-logs-."),
            .block(AWSLogGroup.block("waf", attr("count", .ref("var.load_balancer.edge_firewall ? 1 : 0")), name: "\"aws-waf-logs-${var.name}\"")),
            .block(HCLBlock("resource", "aws_wafv2_web_acl_logging_configuration", "this") {
                attr("count", .ref("var.load_balancer.edge_firewall ? 1 : 0"))
                attr("resource_arn", .ref("aws_wafv2_web_acl.this[0].arn"))
                attr("log_destination_configs", [.ref("aws_cloudwatch_log_group.waf[0].arn")])
            }),
        ]
    }

    private static func visibility(_ metric: HCLValue) -> HCLBlock {
        HCLBlock("visibility_config") {
            attr("cloudwatch_metrics_enabled", true)
            attr("metric_name", metric)
            attr("sampled_requests_enabled", true)
        }
    }
}
