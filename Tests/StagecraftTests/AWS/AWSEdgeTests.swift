import Foundation
import StagecraftOutput
import StagecraftPlanner
@testable import StagecraftEmitters
import XCTest

/// The AWS edge as declared: behind the CDN, a CLOUDFRONT-scoped firewall carries the stack's
/// rate limits per client and path over their real periods, AWS's managed rules and the body
/// limit; the load balancer admits CloudFront alone and forwards only what carries the
/// distribution's secret header. (The mocked apply of every root, in AWSPlatformTests, checks
/// the same resources against the provider's schema, the regional firewall included.)
final class AWSEdgeTests: XCTestCase {
    private func files() throws -> FileSet {
        try Fixtures.renderer.render(try Fixtures.variant("marketplace-aws")).files
    }

    private func text(_ files: FileSet, _ path: String) throws -> String {
        try XCTUnwrap(files[path], "\(path) was not generated").text
    }

    private func block(_ hcl: String, _ header: String) throws -> String {
        let start = try XCTUnwrap(hcl.range(of: header + " {\n"), header)
        let end = try XCTUnwrap(hcl.range(of: "\n}\n", range: start.upperBound..<hcl.endIndex), header)
        return String(hcl[start.lowerBound..<end.upperBound])
    }

    private func has(_ text: String, _ pattern: String) -> Bool { text.range(of: pattern, options: .regularExpression) != nil }

    func testTheRateLimitsKeepTheStacksPeriodsAndPathsPerClientAtTheEdge() throws {
        let files = try files()
        let plan = try Fixtures.renderer.plan(try Fixtures.variant("marketplace-aws"))
        let declared = try XCTUnwrap(plan.environment("production")?.loadBalancer?.rateLimits)
        XCTAssertEqual(declared.map(\.periodSeconds), [60, 1, 60], "the marketplace declares limits per minute and per second")

        // The production root passes each limit with its window and path.
        let production = try text(files, "terraform/environments/production/main.tf")
        let entries = production.matches(of: /\{\n\s+limit\s+= (\d+)\n\s+window_seconds = (\d+)\n(?:\s+path\s+= "([^"]*)"\n)?\s+\}/)
            .map { (limit: Int($0.output.1)!, window: Int($0.output.2)!, path: $0.output.3.map(String.init)) }
        XCTAssertEqual(entries.count, declared.count, production)
        for (limit, entry) in zip(declared, entries) {
            XCTAssertEqual(entry.path, limit.path)
            if limit.periodSeconds == 60 && limit.requests + limit.burst >= 10 {
                XCTAssertEqual(entry.window, 60, "a per-minute limit is counted per minute")
                XCTAssertEqual(entry.limit, limit.requests + limit.burst, "the rate and its burst, as nginx admits them")
            }
            // However WAF counts, no more than the declared rate and burst pass in a window.
            XCTAssertEqual(entry.limit, limit.requests * entry.window / limit.periodSeconds + limit.burst)
            XCTAssertTrue([60, 120, 300, 600].contains(entry.window))
        }
        // 20 a second with a burst of 40: WAF's shortest window is a minute.
        XCTAssertTrue(entries.contains { $0.limit == 20 * 60 + 40 && $0.window == 60 && $0.path == "/api/" }, "\(entries)")
        // 5 a minute with a burst of 1 fits no one-minute window (WAF's least limit is 10): two minutes, 11.
        XCTAssertTrue(entries.contains { $0.limit == 11 && $0.window == 120 && $0.path == "/api/login" }, "\(entries)")

        // The edge ACL is CLOUDFRONT-scoped in us-east-1, counts per client address, and is the distribution's.
        let waf = try text(files, "terraform/modules/marketplace/waf.tf")
        let edge = try block(waf, #"resource "aws_wafv2_web_acl" "edge""#)
        XCTAssertTrue(has(edge, #"provider = aws\.us_east_1\n"#), edge)
        XCTAssertTrue(has(edge, #"scope\s+= "CLOUDFRONT""#), edge)
        XCTAssertTrue(has(edge, #"limit\s+= rule\.value\.limit\n\s+evaluation_window_sec = rule\.value\.window_seconds\n\s+aggregate_key_type\s+= "IP""#), edge)
        XCTAssertTrue(has(edge, #"search_string\s+= scope_down_statement\.value\n\s+positional_constraint = "STARTS_WITH""#), edge)
        XCTAssertTrue(has(edge, #"for_each = rule\.value\.path == null \? \[\] : \[rule\.value\.path\]"#), edge)
        for group in ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"] {
            XCTAssertTrue(edge.contains("name        = \"\(group)\""), group)
        }
        XCTAssertTrue(has(edge, #"rule_action_override \{\n\s+name = "SizeRestrictions_BODY"\n\n\s+action_to_use \{\n\s+count \{\}"#), "uploads up to the stack's limit pass the common rules")
        XCTAssertTrue(has(try text(files, "terraform/modules/marketplace/cdn.tf"), #"web_acl_arn\s+= one\(aws_wafv2_web_acl\.edge\[\*\]\.arn\)"#))
        XCTAssertTrue(has(waf, #"edge_firewall\s+= var\.load_balancer\.edge_firewall && var\.cdn != null"#), waf)
        // Without a CDN the same rules sit on the load balancer.
        XCTAssertTrue(has(waf, #"regional_firewall = var\.load_balancer\.edge_firewall && var\.cdn == null"#), waf)
        let regional = try block(waf, #"resource "aws_wafv2_web_acl" "regional""#)
        XCTAssertTrue(has(regional, #"scope\s+= "REGIONAL""#), regional)
        XCTAssertEqual(regional.components(separatedBy: "\n  rule {").count, edge.components(separatedBy: "\n  rule {").count)
        XCTAssertTrue(has(waf, #"resource_arn = aws_lb\.this\.arn"#), waf)
    }

    func testTheBodyLimitIsEnforcedAtTheEdge() throws {
        let files = try files()
        let production = try text(files, "terraform/environments/production/main.tf")
        let bytes = 50 * 1024 * 1024
        XCTAssertTrue(has(production, #"max_body_bytes\s+= \#(bytes)\n"#), production)
        let pattern = try XCTUnwrap(production.firstMatch(of: /content_length_over_limit = "([^"]+)"/)?.output.1)
        XCTAssertEqual(String(pattern), AWSFirewall.contentLengthPattern(over: bytes))
        let waf = try text(files, "terraform/modules/marketplace/waf.tf")
        XCTAssertTrue(has(waf, #"response_code = 413"#) && has(waf, #"regex_string = var\.load_balancer\.content_length_over_limit"#), waf)
        XCTAssertTrue(has(waf, #"single_header \{\n\s+name = "content-length""#), waf)
    }

    /// The module refuses, at plan, a body-size pattern that does not draw its line at the limit
    /// the values name: Terraform evaluates the generated variable's validation.
    func testThePlanRefusesAPatternThatIsNotTheLimits() throws {
        let terraform = try Tools.require("terraform")
        let files = try files()
        let variables = try text(files, "terraform/modules/marketplace/variables.tf")
        let start = try XCTUnwrap(variables.range(of: "variable \"load_balancer\" {\n"))
        let end = try XCTUnwrap(variables.range(of: "\n}\n", range: start.upperBound..<variables.endIndex))
        let directory = try Fixtures.temporaryDirectory("body-limit")
        defer { try? FileManager.default.removeItem(at: directory) }
        try String(variables[start.lowerBound..<end.upperBound]).write(to: directory.appendingPathComponent("main.tf"), atomically: true, encoding: .utf8)
        let production = try text(files, "terraform/environments/production/main.tf")
        let pattern = try XCTUnwrap(production.firstMatch(of: /content_length_over_limit = ("[^"]+")/)?.output.1)
        XCTAssertEqual(try Tools.run(terraform, ["init", "-input=false"], in: directory).status, 0)
        for (bytes, accepted) in [(50 * 1024 * 1024, true), (50 * 1024 * 1024 - 1, false), (50 * 1024 * 1024 + 1, false)] {
            let values = "load_balancer = { idle_timeout = 1, drain_seconds = 1, deletion_protection = false, edge_firewall = true, "
                + "max_body_bytes = \(bytes), content_length_over_limit = \(pattern), rate_limits = [] }\n"
            try values.write(to: directory.appendingPathComponent("values.tfvars"), atomically: true, encoding: .utf8)
            let plan = try Tools.run(terraform, ["plan", "-input=false", "-no-color", "-var-file=values.tfvars"], in: directory)
            XCTAssertEqual(plan.status == 0, accepted, "max_body_bytes = \(bytes):\n\(plan.output)")
            if !accepted { XCTAssertTrue(plan.output.contains("draw its line at max_body_bytes"), plan.output) }
        }
    }

    /// The pattern matches exactly the Content-Length values over the limit, leading zeros and all.
    func testTheContentLengthPatternMatchesExactlyTheValuesOverTheLimit() throws {
        for limit in [9, 10, 99, 100, 1_048_575, 10 * 1024 * 1024, 26_214_400, 52_428_800, 999_999_999] {
            let pattern = AWSFirewall.contentLengthPattern(over: limit)
            XCTAssertLessThanOrEqual(pattern.utf8.count, 512, "WAF's longest regex")
            XCTAssertFalse(pattern.contains("("), "WAF's engine takes no groups")
            let regex = try NSRegularExpression(pattern: pattern)
            func matches(_ value: String) -> Bool {
                regex.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
            }
            var samples = [0, 1, limit / 2, limit * 10, limit * 10 + 1, Int.max / 2] + (limit - 12...limit + 12).filter { $0 >= 0 }
            for place in 0..<String(limit).count {
                let unit = Int(pow(10, Double(place)))
                samples += [limit - unit, limit + unit].filter { $0 >= 0 }
            }
            for value in samples {
                XCTAssertEqual(matches(String(value)), value > limit, "\(value) against \(limit): \(pattern)")
                XCTAssertEqual(matches("00" + String(value)), value > limit, "00\(value) against \(limit)")
            }
            for text in ["", "abc", "\(limit + 1)x", "-\(limit + 1)", " \(limit + 1)"] {
                XCTAssertFalse(matches(text), "\(text) is no length")
            }
        }
    }

    func testTheLoadBalancerAdmitsCloudFrontAloneAndRequiresItsSecretHeader() throws {
        let files = try files()
        let alb = try text(files, "terraform/modules/marketplace/alb.tf")
        XCTAssertTrue(has(alb, #"data "aws_ec2_managed_prefix_list" "cloudfront" \{\n\s+count = var\.cdn == null \? 0 : 1\n\s+name\s+= "com\.amazonaws\.global\.cloudfront\.origin-facing""#), alb)
        let group = try block(alb, #"resource "aws_security_group" "alb""#)
        // Behind the CDN: port 443 from the prefix list; anywhere only without a CDN.
        XCTAssertTrue(has(group, #"for_each = data\.aws_ec2_managed_prefix_list\.cloudfront\[\*\]\.id\n\s+content \{\n(?:.*\n){4}\s+prefix_list_ids = \[ingress\.value\]"#), group)
        XCTAssertTrue(has(group, #"for_each = var\.cdn == null \? \{ 443 = .*\} : \{\}\n\s+content \{\n(?:.*\n){4}\s+cidr_blocks = \["0\.0\.0\.0/0"\]"#), group)
        XCTAssertEqual(group.components(separatedBy: "0.0.0.0/0").count - 1, 1, group)
        XCTAssertTrue(has(alb, #"resource "aws_lb_listener" "http" \{\n\s+count\s+= var\.cdn == null \? 1 : 0"#), alb)

        // Each service's rule, and the catch-all, want the header; with the value Terraform made in Parameter Store.
        for label in ["this", "not_found"] {
            let rule = try block(alb, "resource \"aws_lb_listener_rule\" \"\(label)\"")
            XCTAssertTrue(has(rule, #"http_header_name = condition\.value\n\s+values\s+= \[aws_ssm_parameter\.origin_verify\[0\]\.value\]"#), rule)
        }
        XCTAssertTrue(has(alb, #"status_code\s+= local\.origin_verify_header == null \? "404" : "403""#), alb)
        let cdn = try text(files, "terraform/modules/marketplace/cdn.tf")
        XCTAssertTrue(has(cdn, #"origin_verify_header = local\.origin_verify_header\n\s+origin_verify_secret = one\(aws_ssm_parameter\.origin_verify\[\*\]\.value\)"#), cdn)
        XCTAssertTrue(has(cdn, #"name\s+= "\$\{var\.secret_parameter_prefix\}\$\{var\.cdn\.origin_verify\.secret\}""#), cdn)
        // Random, made once; rotating it is putting another value in the parameter.
        let parameter = try block(cdn, "resource \"aws_ssm_parameter\" \"origin_verify\"")
        XCTAssertTrue(has(parameter, #"value\s+= replace\("\$\{uuid\(\)\}\$\{uuid\(\)\}", "-", ""\)"#), parameter)
        XCTAssertTrue(has(parameter, #"ignore_changes = \[value\]"#), parameter)
        let production = try text(files, "terraform/environments/production/main.tf")
        XCTAssertTrue(has(production, #"origin_verify = \{\n\s+header = "X-Origin-Verify"\n\s+secret = "CDN_ORIGIN_SECRET"\n"#), production)
        // Not among what a person provides: Terraform made it.
        let secrets = try text(files, "environments/production/secrets.yaml")
        XCTAssertFalse(secrets.contains("CDN_ORIGIN_SECRET"), secrets)
    }
}
