/// waf.tf: the web ACL in front of the services, when the plan asks for an edge firewall.
/// Behind the CDN it is CLOUDFRONT-scoped (in us-east-1) and attached to the distribution,
/// where a request's address is the viewer's own, so the rate limits count each client;
/// without a CDN it is regional, on the load balancer, which clients then reach directly.
/// Either carries the same rules: the body-size limit, AWS's managed rules, and the stack's
/// rate limits per client and path.
enum AWSFirewall {
    static var file: HCLFile {
        HCLFile {
            HCLBlock("locals") {
                attr("edge_firewall", .ref("var.load_balancer.edge_firewall && var.cdn != null"))
                attr("regional_firewall", .ref("var.load_balancer.edge_firewall && var.cdn == null"))
            }
            webACL("edge", name: "\"${var.name}-edge\"", scope: "CLOUDFRONT", condition: "local.edge_firewall", provider: "aws.us_east_1")
            comment("A CLOUDFRONT-scoped ACL logs to a log group in us-east-1, under a key of that region.")
            AWSKeys.regionalKey("edge_logs", provider: "aws.us_east_1", condition: "local.edge_firewall",
                                description: ": edge firewall logs in us-east-1", services: ["logs.us-east-1.amazonaws.com"])
            logging("edge", name: "\"aws-waf-logs-${var.name}-edge\"", condition: "local.edge_firewall",
                    region: (provider: "aws.us_east_1", key: "aws_kms_key.edge_logs[0].arn"))

            webACL("regional", name: "var.name", scope: "REGIONAL", condition: "local.regional_firewall", provider: nil)
            HCLBlock("resource", "aws_wafv2_web_acl_association", "regional") {
                attr("count", .ref("local.regional_firewall ? 1 : 0"))
                attr("resource_arn", .ref("aws_lb.this.arn"))
                attr("web_acl_arn", .ref("aws_wafv2_web_acl.regional[0].arn"))
            }
            logging("regional", name: "\"aws-waf-logs-${var.name}\"", condition: "local.regional_firewall", region: nil)
        }
    }

    private static func webACL(_ label: String, name: String, scope: String, condition: String, provider: String?) -> HCLBlock {
        let metric = { (suffix: String) -> HCLValue in .ref("\"${var.name}-\(label)-\(suffix)\"") }
        return HCLBlock("resource", "aws_wafv2_web_acl", label) {
            attr("count", .ref("\(condition) ? 1 : 0"))
            if let provider { attr("provider", .ref(provider)) }
            attr("name", .ref(name))
            attr("scope", .string(scope))
            HCLItem.blank
            HCLBlock("default_action") { HCLBlock("allow") }
            HCLItem.blank
            comment("""
                A body over the stack's limit, told by its Content-Length: WAF inspects only the
                first kilobytes of a body, and compares no numbers, so the header is matched against
                every larger value. (A chunked upload has no Content-Length; the application limits those.)
                """)
            HCLBlock("rule") {
                attr("name", "body-size")
                attr("priority", 0)
                HCLItem.blank
                refusal(413)
                HCLItem.blank
                HCLBlock("statement") {
                    HCLBlock("regex_match_statement") {
                        attr("regex_string", .ref("var.load_balancer.content_length_over_limit"))
                        HCLItem.blank
                        HCLBlock("field_to_match") {
                            HCLBlock("single_header") { attr("name", "content-length") }
                        }
                        HCLItem.blank
                        asWritten
                    }
                }
                HCLItem.blank
                visibility(metric("body-size"))
            }
            HCLItem.blank
            managedRules("known-bad-inputs", group: "AWSManagedRulesKnownBadInputsRuleSet", priority: 1, counted: [], metric: metric("known-bad-inputs"))
            HCLItem.blank
            comment("The common rules block bodies over 8 KB; the body-size rule above enforces the stack's limit instead.")
            managedRules("common", group: "AWSManagedRulesCommonRuleSet", priority: 2, counted: ["SizeRestrictions_BODY"], metric: metric("common"))
            HCLItem.blank
            comment("""
                Each of the stack's rate limits, per client address and, where it names one, per path.
                WAF counts over 1, 2, 5 or 10 minutes: the limit is the most the declared rate and
                burst let a client send in that window.
                """)
            HCLBlock("dynamic", "rule") {
                attr("for_each", .ref("var.load_balancer.rate_limits"))
                HCLBlock("content") {
                    attr("name", .ref("\"rate-limit-${rule.key}\""))
                    attr("priority", .ref("rule.key + 10"))
                    HCLItem.blank
                    refusal(429)
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
                                        asWritten
                                    }
                                }
                            }
                        }
                    }
                    HCLItem.blank
                    visibility(.ref("\"${var.name}-\(label)-rate-limit-${rule.key}\""))
                }
            }
            HCLItem.blank
            visibility(.ref(name))
        }
    }

    /// An AWS managed rule group; the rules in `counted` only count what they would block.
    private static func managedRules(_ name: String, group: String, priority: Int, counted: [String], metric: HCLValue) -> HCLBlock {
        HCLBlock("rule") {
            attr("name", .string(name))
            attr("priority", .int(priority))
            HCLItem.blank
            HCLBlock("override_action") { HCLBlock("none") }
            HCLItem.blank
            HCLBlock("statement") {
                HCLBlock("managed_rule_group_statement") {
                    attr("name", .string(group))
                    attr("vendor_name", "AWS")
                    for rule in counted {
                        HCLItem.blank
                        HCLBlock("rule_action_override") {
                            attr("name", .string(rule))
                            HCLItem.blank
                            HCLBlock("action_to_use") { HCLBlock("count") }
                        }
                    }
                }
            }
            HCLItem.blank
            visibility(metric)
        }
    }

    /// What the ACL blocks, logged to a group whose name starts with aws-waf-logs-, as WAF requires.
    private static func logging(_ label: String, name: String, condition: String, region: (provider: String, key: String)?) -> [HCLItem] {
        [
            .block(AWSLogGroup.block("waf_\(label)", attr("count", .ref("\(condition) ? 1 : 0")), name: name, region: region)),
            .block(HCLBlock("resource", "aws_wafv2_web_acl_logging_configuration", label) {
                attr("count", .ref("\(condition) ? 1 : 0"))
                if let region { attr("provider", .ref(region.provider)) }
                attr("resource_arn", .ref("aws_wafv2_web_acl.\(label)[0].arn"))
                attr("log_destination_configs", [.ref("aws_cloudwatch_log_group.waf_\(label)[0].arn")])
            }),
        ]
    }

    /// Blocks the request, answering with `status`.
    private static func refusal(_ status: Int) -> HCLBlock {
        HCLBlock("action") {
            HCLBlock("block") {
                HCLBlock("custom_response") { attr("response_code", .int(status)) }
            }
        }
    }

    /// Matches the field as the request has it, with no transformation.
    private static var asWritten: HCLBlock {
        HCLBlock("text_transformation") {
            attr("priority", 0)
            attr("type", "NONE")
        }
    }

    private static func visibility(_ metric: HCLValue) -> HCLBlock {
        HCLBlock("visibility_config") {
            attr("cloudwatch_metrics_enabled", true)
            attr("metric_name", metric)
            attr("sampled_requests_enabled", true)
        }
    }

    /// A regular expression matching a Content-Length over `bytes`: more digits than it, or as
    /// many and a larger digit where the two first differ. Alternatives of anchored
    /// sequences only (no groups), which WAF's regex engine accepts.
    static func contentLengthPattern(over bytes: Int) -> String {
        let digits = Array(String(bytes))
        var alternatives = ["^0*[1-9][0-9]{\(digits.count),}$"]
        for (index, digit) in digits.enumerated() where digit != "9" {
            let next = Int(String(digit))! + 1
            let rest = digits.count - index - 1
            let larger = next == 9 ? "9" : "[\(next)-9]"
            let any = rest == 0 ? "" : rest == 1 ? "[0-9]" : "[0-9]{\(rest)}"
            alternatives.append("^0*" + String(digits[..<index]) + larger + any + "$")
        }
        return alternatives.joined(separator: "|")
    }
}
