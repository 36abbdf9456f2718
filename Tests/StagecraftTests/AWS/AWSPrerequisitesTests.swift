import Foundation
@testable import StagecraftEmitters
import StagecraftOutput
import StagecraftSpec
import XCTest
import Yams

/// What an account needs before the first apply, generated where AWS allows and listed where it
/// does not: certificates and records through a named Route 53 zone, secret parameters made as
/// placeholders the deploy waits for, and the cache's password kept out of the state.
final class AWSPrerequisitesTests: XCTestCase {
    private func files(_ variant: String) throws -> FileSet { try Fixtures.renderer.render(try Fixtures.variant(variant)).files }

    private func text(_ files: FileSet, _ path: String) throws -> String {
        try XCTUnwrap(files[path], "\(path) was not generated").text
    }

    private func deploySteps(_ files: FileSet, stack: String, environment: String) throws -> [String: [String: Any]] {
        let workflow = try XCTUnwrap(try Yams.load(yaml: try text(files, ".github/workflows/\(stack)-deploy.yml")) as? [String: Any])
        let jobs = try XCTUnwrap(workflow["jobs"] as? [String: Any])
        let steps = try XCTUnwrap((jobs[environment] as? [String: Any])?["steps"] as? [[String: Any]], "no \(environment) job")
        return Dictionary(steps.map { ($0["name"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
    }

    // MARK: - Certificates and records

    func testANamedZoneGetsTheCertificatesAndRecordsFromTerraform() throws {
        let files = try files("shop-scale-aws")
        let production = try text(files, "terraform/environments/production/main.tf")
        XCTAssertTrue(production.contains("dns = {\n    zone   = \"example.com\"\n    domain = \"shop.example.com\"\n  }"), production)
        XCTAssertFalse(production.contains("certificate_arn"), "no certificate is passed in")
        XCTAssertFalse(try text(files, "terraform/environments/production/variables.tf").contains("certificate_arn"))
        let dns = try text(files, "terraform/modules/shop/dns.tf")
        for expected in [
            #"resource "aws_acm_certificate" "load_balancer""#, #"resource "aws_acm_certificate" "cdn""#,
            "provider                  = aws.us_east_1", #"validation_method         = "DNS""#,
            "subject_alternative_names = var.cdn == null ? [] : var.cdn.aliases",
            #"resource "aws_route53_record" "certificate_validation""#, #"resource "aws_acm_certificate_validation" "cdn""#,
            #"resource "aws_route53_record" "site""#, "target = module.cdn[0].domain_name", "target = aws_lb.this.dns_name",
        ] {
            XCTAssertTrue(dns.contains(expected), "dns.tf lacks \(expected)")
        }
        XCTAssertTrue(try text(files, "terraform/modules/shop/alb.tf").contains("certificate_arn   = local.certificate_arn"))
        XCTAssertTrue(try text(files, "terraform/modules/shop/cdn.tf").contains("certificate_arn      = local.cdn_certificate_arn"))
        let workflow = try text(files, ".github/workflows/shop-deploy.yml")
        XCTAssertFalse(workflow.contains("AWS_CERTIFICATE_ARN") || workflow.contains("AWS_CDN_CERTIFICATE_ARN"), "no certificate secret to set")
        let readme = try text(files, "README.md")
        XCTAssertTrue(readme.contains("the Route 53 public hosted zone `example.com`"), readme)
        XCTAssertTrue(readme.contains("points `shop.example.com` and `origin.shop.example.com` at the environment"), readme)
        XCTAssertFalse(readme.contains("AWS_CERTIFICATE_ARN"), "no certificate to make by hand")
    }

    func testWithoutAZoneTheReadmeListsTheCertificatesAndExactRecords() throws {
        let files = try files("marketplace-aws")
        XCTAssertTrue(try text(files, "terraform/environments/production/main.tf").contains("certificate_arn         = var.certificate_arn"))
        let readme = try text(files, "README.md")
        for expected in [
            "a certificate in us-east-1 for `www.market.example.com`, its ARN in the `AWS_CDN_CERTIFICATE_ARN` secret",
            "for `origin.www.market.example.com` and `www.market.example.com` (CloudFront asks the load balancer for the site's name), its ARN in the `AWS_CERTIFICATE_ARN` secret",
            "`www.market.example.com` as an alias (or CNAME) of the `cdn_domain` output",
            "`origin.www.market.example.com` as a CNAME of the `load_balancer_dns_name` output",
        ] {
            XCTAssertTrue(readme.contains(expected), "README lacks: \(expected)")
        }
        XCTAssertTrue(try text(files, ".github/workflows/marketplace-deploy.yml").contains("TF_VAR_certificate_arn: ${{ secrets.AWS_CERTIFICATE_ARN }}"))
    }

    func testADomainOutsideTheZoneIsRefusedAtItsLine() throws {
        var spec = try Fixtures.variant("shop-scale-aws")
        let zoneLine = SourceLocation(file: "Stack.swift", line: 12)
        spec.loadBalancer?.dnsZone = Located("example.org", at: zoneLine)
        XCTAssertThrowsError(try Fixtures.renderer.render(spec)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("Stack.swift:12"), message)
            XCTAssertTrue(message.contains("shop.example.com, is not in the DNS zone example.org"), message)
        }
    }

    // MARK: - Secret parameters

    func testSecretParametersArePlaceholdersTerraformNeverRewrites() throws {
        let files = try files("marketplace-aws")
        let parameters = try text(files, "terraform/modules/marketplace/parameters.tf")
        XCTAssertTrue(parameters.contains(#"value_wo         = "\#(AWSSecretParameters.placeholder)""#), "written once, never in the state")
        XCTAssertTrue(parameters.contains("ignore_changes = all"), "an update would put the placeholder back")
        for file in files.files where file.path.value.hasPrefix("terraform/") {
            XCTAssertFalse(file.text.contains(#"data "aws_ssm_parameter""#), "\(file.path.value) reads a parameter's value into the state")
        }
        let readme = try text(files, "README.md")
        XCTAssertTrue(readme.contains("which the first deploy creates as a placeholder and then waits for"), readme)
    }

    /// The check step as the deploy runs it, against an AWS CLI that answers as Parameter Store
    /// would: it stops on a placeholder (naming that parameter, never a value) and passes once
    /// every parameter is set.
    func testTheDeployStopsWhileAParameterHoldsThePlaceholder() throws {
        let steps = try deploySteps(try files("marketplace-aws"), stack: "marketplace", environment: "production")
        let check = try XCTUnwrap(steps["Check that every secret parameter is set"])
        let script = try XCTUnwrap(check["run"] as? String)
        let environment = try XCTUnwrap(check["env"] as? [String: String])
        let names = script.matches(of: /'(\/marketplace\/production\/[A-Z_]+)'/).map { String($0.output.1) }
        XCTAssertGreaterThan(names.count, 1, script)

        func run(unset: [String]) throws -> Tools.Result {
            let bin = try Fixtures.temporaryDirectory("aws-stub")
            defer { try? FileManager.default.removeItem(at: bin) }
            // Answers the query the step asks: is the value the placeholder?
            try Tools.stub("aws", in: bin, """
                #!/bin/bash
                name=""; query=""
                while [ $# -gt 0 ]; do
                  case "$1" in --name) name="$2"; shift ;; --query) query="$2"; shift ;; esac
                  shift
                done
                [ "$query" = "Parameter.Value == '$EXPECTED_PLACEHOLDER'" ] || { echo "unexpected query: $query" >&2; exit 2; }
                case " $UNSET " in *" $name "*) echo True ;; *) echo False ;; esac
                """)
            return try Tools.run("/bin/bash", ["-e", "-c", script], environment: environment.merging([
                "PATH": bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? ""),
                "UNSET": unset.joined(separator: " "), "EXPECTED_PLACEHOLDER": AWSSecretParameters.placeholder,
            ]) { _, new in new })
        }
        let stopped = try run(unset: [names[1]])
        XCTAssertEqual(stopped.status, 1, stopped.output)
        XCTAssertTrue(stopped.output.contains("--name \(names[1]) --value"), stopped.output)
        XCTAssertFalse(stopped.output.contains("--name \(names[0]) "), "only the unset parameter is named")
        let passed = try run(unset: [])
        XCTAssertEqual(passed.status, 0, passed.output)
    }

    // MARK: - The cache's password

    func testTheCachePasswordIsNotInTheState() throws {
        let files = try files("marketplace-aws")
        let cache = try text(files, "terraform/modules/marketplace/cache.tf")
        XCTAssertFalse(cache.contains("auth_token"), "ElastiCache keeps an AUTH token in the state")
        XCTAssertTrue(cache.contains("secret_string_wo"), "the password is written once, write-only")
        XCTAssertTrue(cache.contains("user_group_ids"), "the cache authenticates through its user group")
        XCTAssertTrue(cache.contains(#"type = "no-password-required""#) && cache.contains(#"access_string = "off ~* -@all""#), "the user starts switched off")
        let ecs = try text(files, "terraform/modules/marketplace/ecs.tf")
        XCTAssertTrue(ecs.contains(#"name = "${var.caches[cache].env_prefix}_PASSWORD", valueFrom = aws_secretsmanager_secret.cache_password[cache].arn"#), ecs)
        XCTAssertTrue(ecs.contains("[for password in aws_secretsmanager_secret.cache_password : password.arn]"), "the execution role reads it")
    }

    /// The step as the deploy runs it, against Terraform's outputs and an AWS CLI that answers as
    /// ElastiCache and Secrets Manager would: the password reaches modify-user on its input, never
    /// on a command line; a user with a password already is left alone.
    func testTheDeploySetsTheCachePasswordOnceThroughAPipe() throws {
        let steps = try deploySteps(try files("marketplace-aws"), stack: "marketplace", environment: "production")
        let step = try XCTUnwrap(steps["Set the password of the cache cache"])
        let script = try XCTUnwrap(step["run"] as? String)
        let environment = try XCTUnwrap(step["env"] as? [String: String])
        let password = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"

        func run(hasPassword: Bool) throws -> (Tools.Result, calls: String, input: String) {
            let bin = try Fixtures.temporaryDirectory("aws-stub")
            defer { try? FileManager.default.removeItem(at: bin) }
            let calls = bin.appendingPathComponent("calls"), input = bin.appendingPathComponent("input")
            try Tools.stub("terraform", in: bin, """
                #!/bin/bash
                case "$*" in
                  *"output -json cache_users") echo '{"cache":"marketplace-production-cache"}' ;;
                  *"output -json cache_password_secrets") echo '{"cache":"arn:aws:secretsmanager:eu-west-1:123456789012:secret:cache"}' ;;
                  *) exit 2 ;;
                esac
                """)
            try Tools.stub("aws", in: bin, """
                #!/bin/bash
                echo "$*" >> "\(calls.path)"
                case "$1 $2" in
                  "elasticache describe-users")
                    case "$*" in
                      *Authentication.Type*) if [ -e "\(input.path)" ] || [ "$HAS_PASSWORD" = 1 ]; then echo password; else echo no-password; fi ;;
                      *Status*) echo active ;;
                    esac ;;
                  "secretsmanager get-secret-value")
                    [ "$*" = "secretsmanager get-secret-value --secret-id arn:aws:secretsmanager:eu-west-1:123456789012:secret:cache --query SecretString --output json" ] || exit 2
                    echo '"\(password)"' ;;
                  "elasticache modify-user")
                    [ "$*" = "elasticache modify-user --cli-input-json file:///dev/stdin" ] || exit 2
                    cat > "\(input.path)" ;;
                  *) exit 2 ;;
                esac
                """)
            let result = try Tools.run("/bin/bash", ["-e", "-o", "pipefail", "-c", script], environment: environment.merging([
                "PATH": bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? ""), "HAS_PASSWORD": hasPassword ? "1" : "0",
            ]) { _, new in new })
            return (result, (try? String(contentsOf: calls, encoding: .utf8)) ?? "", (try? String(contentsOf: input, encoding: .utf8)) ?? "")
        }

        let (first, calls, input) = try run(hasPassword: false)
        XCTAssertEqual(first.status, 0, first.output)
        let request = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(input.utf8)) as? [String: Any], input)
        XCTAssertEqual(request["UserId"] as? String, "marketplace-production-cache")
        XCTAssertEqual(request["AccessString"] as? String, "on ~* +@all")
        XCTAssertEqual((request["AuthenticationMode"] as? [String: Any])?["Passwords"] as? [String], [password])
        XCTAssertFalse(calls.contains(password), "the password is on no command line:\n\(calls)")
        XCTAssertFalse(first.output.contains(password), "nor in the log")

        let (again, callsAgain, _) = try run(hasPassword: true)
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertFalse(callsAgain.contains("modify-user") || callsAgain.contains("get-secret-value"), "a user with its password is left alone:\n\(callsAgain)")
    }
}
