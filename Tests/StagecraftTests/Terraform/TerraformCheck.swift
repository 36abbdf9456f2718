import Foundation
import XCTest
import StagecraftOutput

/// Runs the real Terraform on generated output: formatting of the whole tree, and
/// `init -backend=false` + `validate` of a root module against the mirrored AWS provider.
enum TerraformCheck {
    static let pluginDirectory = "/opt/tf-plugins"

    /// The checkov check IDs an allow-list file (`- id: …` with its `reason:`) names.
    static func checkovAllowList(_ path: String) throws -> [String] {
        try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent(path), encoding: .utf8).split(separator: "\n").compactMap { line in
            line.hasPrefix("- id: ") ? String(line.dropFirst("- id: ".count)) : nil
        }
    }

    static func requireTerraform() throws -> String {
        let terraform = try Tools.require("terraform")
        guard FileManager.default.fileExists(atPath: pluginDirectory) else {
            throw XCTSkip("the AWS provider mirror \(pluginDirectory) is not installed on this machine")
        }
        return terraform
    }

    static func assertFormatted(_ directory: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try Tools.run(try requireTerraform(), ["fmt", "-check", "-recursive", "-diff", directory.path])
        XCTAssertEqual(result.status, 0, "terraform fmt would change:\n\(result.output)", file: file, line: line)
    }

    /// Validates `root` (relative to `output`) in a copy of the output, so neither the lock file
    /// nor `.terraform/` lands in the generated folder.
    static func assertValid(_ root: String, in output: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let terraform = try requireTerraform()
        let scratch = try Fixtures.temporaryDirectory("terraform")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let copy = scratch.appendingPathComponent("output")
        try FileManager.default.copyItem(at: output, to: copy)
        let directory = copy.appendingPathComponent(root)
        let environment = ["TF_DATA_DIR": scratch.appendingPathComponent("data").path, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"]
        let initialise = try Tools.run(terraform, ["init", "-backend=false", "-input=false", "-no-color", "-plugin-dir=\(pluginDirectory)"], in: directory, environment: environment)
        guard initialise.status == 0 else {
            return XCTFail("terraform init failed in \(root):\n\(initialise.output)", file: file, line: line)
        }
        let validate = try Tools.run(terraform, ["validate", "-no-color"], in: directory, environment: environment)
        XCTAssertEqual(validate.status, 0, "terraform validate failed in \(root):\n\(validate.output)", file: file, line: line)
    }

    /// A mocked AWS provider whose data sources and resources answer with values of the shape
    /// AWS gives (ARNs, zones, an account), so the provider's own checks of what one resource
    /// passes another (an alarm's topic ARN, a listener's load balancer) pass as in an account.
    ///
    /// `domains`: the names a root's certificates cover; ACM answers each with the record that proves it.
    private static func mockProvider(alias: String?, domains: [String]) -> String {
        let arns = [
            "aws_sns_topic": "arn:aws:sns:eu-west-1:123456789012:topic",
            "aws_lambda_function": "arn:aws:lambda:eu-west-1:123456789012:function:forwarder",
            "aws_sqs_queue": "arn:aws:sqs:eu-west-1:123456789012:queue",
            "aws_kms_key": "arn:aws:kms:eu-west-1:123456789012:key/key",
            "aws_iam_role": "arn:aws:iam::123456789012:role/role",
            "aws_cloudwatch_log_group": "arn:aws:logs:eu-west-1:123456789012:log-group:group",
            "aws_wafv2_web_acl": "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/acl/1",
            "aws_lb_listener": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/lb/1/2",
            "aws_backup_vault": "arn:aws:backup:eu-west-1:123456789012:backup-vault:vault",
            "aws_ecs_cluster": "arn:aws:ecs:eu-west-1:123456789012:cluster/cluster",
            "aws_secretsmanager_secret": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:login",
            "aws_s3_bucket": "arn:aws:s3:::bucket",
        ]
        var resources = arns.sorted { $0.key < $1.key }.map { #"mock_resource "\#($0.key)" { defaults = { arn = "\#($0.value)" } }"# }
        resources += [
            #"mock_resource "aws_lb" { defaults = { arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/lb/1", arn_suffix = "app/lb/1" } }"#,
            #"mock_resource "aws_lb_target_group" { defaults = { arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/tg/1", arn_suffix = "targetgroup/tg/1" } }"#,
            // RDS names a proxy's default target group "default".
            #"mock_resource "aws_db_proxy_default_target_group" { defaults = { name = "default" } }"#,
            #"mock_resource "aws_ecs_task_definition" { defaults = { arn = "arn:aws:ecs:eu-west-1:123456789012:task-definition/task:1", arn_without_revision = "arn:aws:ecs:eu-west-1:123456789012:task-definition/task" } }"#,
            #"mock_resource "aws_db_instance" { defaults = { arn = "arn:aws:rds:eu-west-1:123456789012:db:db", master_user_secret = [{ secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db", kms_key_id = "key", secret_status = "active" }] } }"#,
            #"mock_data "aws_availability_zones" { defaults = { names = ["eu-west-1a", "eu-west-1b", "eu-west-1c"] } }"#,
            #"mock_data "aws_caller_identity" { defaults = { account_id = "123456789012" } }"#,
            #"mock_data "aws_region" { defaults = { name = "eu-west-1" } }"#,
            // An ElastiCache auth token, and the CDN's origin secret, must look like one.
            #"mock_data "aws_ssm_parameter" { defaults = { value = "mocked-token-0123456789abcdef0123456789" } }"#,
            #"mock_data "aws_route53_zone" { defaults = { zone_id = "Z0123456789ABCDEFGHIJ" } }"#,
            // An EKS cluster and the OIDC provider IAM knows it by, for the roles its pods take.
            #"mock_data "aws_eks_cluster" { defaults = { identity = [{ oidc = [{ issuer = "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF" }] }] } }"#,
            #"mock_data "aws_iam_openid_connect_provider" { defaults = { arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF" } }"#,
        ]
        let options = domains.map { #"{ domain_name = "\#($0)", resource_record_name = "_0123456789abcdef.\#($0).", resource_record_type = "CNAME", resource_record_value = "_fedcba9876543210.acm-validations.aws." }"# }
        resources.append(#"mock_resource "aws_acm_certificate" { defaults = { arn = "arn:aws:acm:eu-west-1:123456789012:certificate/site", domain_validation_options = [\#(options.joined(separator: ", "))] } }"#)
        let body = (alias.map { ["alias = \"\($0)\""] } ?? []) + resources
        return "mock_provider \"aws\" {\n" + body.map { "  \($0)\n" }.joined() + "}\n"
    }

    /// `terraform test` on `root` with a mocked AWS provider (every alias the root declares): a
    /// plan and an apply with no account and no network, so the provider's own checks (name
    /// lengths, enumerations, conflicting arguments) run. `variables` are the values a deploy
    /// passes (TF_VAR_…).
    static func assertAppliesWithMockedAWS(_ root: String, in output: URL, variables: [String: String] = [:],
                                            file: StaticString = #filePath, line: UInt = #line) throws {
        if let failure = try mockedApplyFailure(root, in: output, variables: variables, first: "") {
            XCTFail(failure, file: file, line: line)
        }
    }

    /// Each of `roots` as `assertAppliesWithMockedAWS` checks it, as many at once as the machine
    /// has cores. `first` holds runs that go before the full apply of the roots it names, as a
    /// deploy does them (a targeted apply, with its asserts).
    static func assertAllApplyWithMockedAWS(_ roots: [String], in output: URL, variables: [String: String] = [:], first: [String: String] = [:],
                                            file: StaticString = #filePath, line: UInt = #line) throws {
        _ = try requireTerraform()
        let failures = ThreadSafeList()
        DispatchQueue.concurrentPerform(iterations: roots.count) { index in
            do {
                if let failure = try mockedApplyFailure(roots[index], in: output, variables: variables, first: first[roots[index]] ?? "") { failures.append(failure) }
            } catch {
                failures.append("\(roots[index]): \(error)")
            }
        }
        XCTAssertEqual(failures.items, [], failures.items.joined(separator: "\n\n"), file: file, line: line)
    }

    /// What went wrong, or nil when the plan and apply passed.
    private static func mockedApplyFailure(_ root: String, in output: URL, variables: [String: String], first: String) throws -> String? {
        let terraform = try requireTerraform()
        let scratch = try Fixtures.temporaryDirectory("terraform-test")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let copy = scratch.appendingPathComponent("output")
        try FileManager.default.copyItem(at: output, to: copy)
        let directory = copy.appendingPathComponent(root)
        let sources = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".tf") }
            .map { try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8) }.joined(separator: "\n")
        let aliases = Set(sources.matches(of: /alias\s*=\s*"([A-Za-z0-9_-]+)"/).map { String($0.output.1) }).sorted()
        // The domains the environment's certificates are for: its own and, behind a CDN, the origin's.
        let domains = Set(sources.matches(of: /\b(?:domain|origin_domain)\s*=\s*"([a-z0-9.-]+)"/).map { String($0.output.1) }).sorted()
        var test = ([String?]([nil]) + aliases.map(Optional.some)).map { mockProvider(alias: $0, domains: domains) }.joined()
        var inputs = variables.sorted { $0.key < $1.key }.map { "  \($0.key) = \"\($0.value)\"\n" }
        if sources.contains("variable \"image_digests\"") {
            // What the deploy passes: a digest for each image CI builds (the workloads marked tagged).
            let built = Set(sources.matches(of: /image\s*=\s*"([^"]+)"\s*\n\s*tagged\s*=\s*true/).map { String($0.output.1) }).sorted()
            let digests = built.map { "\"\($0)\" = \"sha256:\(SHA256.hex(Array($0.utf8)))\"" }.joined(separator: ", ")
            inputs.append("  image_digests = {\(digests)}\n")
        }
        if !inputs.isEmpty { test += "variables {\n" + inputs.joined() + "}\n" }
        test += first + "run \"apply\" {\n  command = apply\n}\n"
        let tests = directory.appendingPathComponent("tests")
        try FileManager.default.createDirectory(at: tests, withIntermediateDirectories: true)
        try test.write(to: tests.appendingPathComponent("mocked-aws.tftest.hcl"), atomically: true, encoding: .utf8)
        let environment = ["TF_DATA_DIR": scratch.appendingPathComponent("data").path, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"]
        let initialise = try Tools.run(terraform, ["init", "-backend=false", "-input=false", "-no-color", "-plugin-dir=\(pluginDirectory)"], in: directory, environment: environment)
        guard initialise.status == 0 else { return "terraform init failed in \(root):\n\(initialise.output)" }
        let result = try Tools.run(terraform, ["test", "-no-color"], in: directory, environment: environment)
        return result.status == 0 ? nil : "terraform test (mocked AWS) failed in \(root):\n\(result.output)"
    }
}
