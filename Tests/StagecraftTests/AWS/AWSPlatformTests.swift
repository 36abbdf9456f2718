import Foundation
import Stagecraft
@testable import StagecraftEmitters
import StagecraftOutput
import StagecraftSpec
import XCTest
import Yams

final class AWSPlatformTests: XCTestCase {
    private static func marketplace() throws -> StackSpec { try Fixtures.variant("marketplace-aws") }
    private static func shopAtScale() throws -> StackSpec { try Fixtures.variant("shop-scale-aws") }

    private func output(_ spec: StackSpec) throws -> (URL, FileSet) {
        let files = try Fixtures.renderer.render(spec).files
        let directory = try Fixtures.temporaryDirectory("aws")
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        try Fixtures.materialize(files, in: directory)
        return (directory, files)
    }

    private func text(_ files: FileSet, _ path: String) throws -> String {
        try XCTUnwrap(files[path], "\(path) was not generated").text
    }

    /// The longest names a stack may have (32 characters for the stack and for each workload,
    /// database, cache and bucket), planned and applied against the mocked provider at every
    /// stage: every name AWS limits in length is within its limit.
    func testThirtyTwoCharacterNamesPlanAndApplyAtEveryStage() throws {
        let names = ["acme-marketplace-global-platform", "storefront-web-frontend-service1", "background-order-worker-process1",
                     "orders-primary-database-cluster1", "sessions-and-queues-redis-cache1", "customer-uploads-media-bucket-01"]
        XCTAssertEqual(Set(names.map(\.count)), [32])
        // One output folder per stage, their production roots applied side by side.
        let folder = try Fixtures.temporaryDirectory("aws-long-names")
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        for stage in Stage.allCases {
            var spec = Stack(names[0], stage: stage) {
                Service(names[1]) {
                    Image("ghcr.io/acme/web"); Port(8080); HealthCheck("/healthz")
                    Uses(names[3], names[4], names[5])
                }
                Worker(names[2]) { Image("ghcr.io/acme/worker"); Queue(on: names[4]); Uses(names[3], names[4]) }
                Postgres(names[3]) {
                    ReadReplicas(growth: 1, scale: 2)
                    RestoreTest(every: .days(7))
                    RecoveryTime(.hours(1))
                    Migrations("bin/migrate", in: names[1])
                    LargeTable("orders", partitionBy: "created_at", every: .month, keep: .days(365))
                }
                Redis(names[4]) { Persistence(true) }
                Bucket(names[5])
                LoadBalancer(domain: "shop.example.com")
                CDN()
                Environments { Development(); Staging(branch: "main"); Production(approval: .required) }
                Monitoring { ErrorTracking(secret: "SENTRY_DSN"); Uptime("/healthz"); Alerts { Slack(secret: "SLACK_WEBHOOK_URL") } }
                Platform(.aws)
                Region("us-east-1", backupCopy: "us-west-2")
            }.spec
            // At scale without the CDN: the firewall is then the regional one, on the load balancer.
            if stage == .scale { spec.cdn = nil }
            try Fixtures.materialize(try Fixtures.renderer.render(spec).files, in: folder.appendingPathComponent(stage.rawValue))
        }
        // Production has every resource the stage plans (replicas, the copy region, the restore
        // test); the other environments have fewer, under the same names.
        try TerraformCheck.assertAllApplyWithMockedAWS(Stage.allCases.map { "\($0.rawValue)/terraform/environments/production" }, in: folder, variables: [
            "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/site",
            "cdn_certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/cdn",
            "log_bucket": "acme-logs",
        ])
    }

    func testLayout() throws {
        let (_, files) = try output(try Self.marketplace())
        let paths = Set(files.paths.map(\.value))
        for file in ["versions.tf", "variables.tf", "outputs.tf", "main.tf", "network.tf", "alb.tf", "ecs.tf", "rds.tf", "backup.tf", "cache.tf", "buckets.tf", "cdn.tf"] {
            XCTAssertTrue(paths.contains("terraform/modules/marketplace/\(file)"), file)
        }
        for environment in ["development", "staging", "production"] {
            for file in ["main.tf", "variables.tf", "terraform.tfvars", "outputs.tf"] {
                XCTAssertTrue(paths.contains("terraform/environments/\(environment)/\(file)"), "\(environment)/\(file)")
            }
            XCTAssertFalse(paths.contains("environments/\(environment)/cdn/main.tf"), "AWS environments use the module from their own root")
        }
        XCTAssertTrue(paths.contains("terraform/modules/cdn/main.tf"))
        let versions = try text(files, "terraform/modules/marketplace/versions.tf")
        XCTAssertTrue(versions.contains(#"version               = "~> 5.100""#) || versions.contains(#""~> 5.100""#), versions)
        let main = try text(files, "terraform/environments/production/main.tf")
        XCTAssertTrue(main.contains(#"backend "s3" {"#) && main.contains("use_lockfile = true"), main)
    }

    func testFormattedAndValid() throws {
        for spec in [try Self.marketplace(), try Self.shopAtScale()] {
            let (directory, _) = try output(spec)
            try TerraformCheck.assertFormatted(directory)
            for environment in ["development", "staging", "production"] {
                try TerraformCheck.assertValid("terraform/environments/\(environment)", in: directory)
            }
        }
    }

    /// Plans and applies every environment's root against a mocked provider: the provider's
    /// own checks (name lengths, ARNs passed between resources, enumerations) run on all of it.
    ///
    /// In production first, as the deploy does before it migrates: the targeted apply its
    /// "Prepare the release" step runs (from nothing, as on a first deploy), after which the
    /// outputs the later steps read must name the tasks, their networks, the registry login, and
    /// each cache's user and secret. (The other environments run the same step against the same module.)
    func testEveryRootAppliesWithMockedAWS() throws {
        for spec in [try Self.marketplace(), try Self.shopAtScale()] {
            let (directory, files) = try output(spec)
            let workflow = try text(files, ".github/workflows/\(spec.name)-deploy.yml")
            let targets = workflow.matches(of: /-target='([^']+)'/).map { String($0.output.1) }
            let module = "module.\(spec.name)."
            XCTAssertEqual(Set(targets), Set(["aws_ssm_parameter.secrets", "aws_secretsmanager_secret.registry", "aws_elasticache_user.default",
                                              "aws_secretsmanager_secret_version.cache_password", "aws_ecs_task_definition.database_roles",
                                              "aws_ecs_task_definition.migrations", "aws_ecs_cluster.this"].map { module + $0 }),
                           "the secret parameters, the registry login, the caches' users and passwords, the roles tasks, the migration tasks and the cluster")
            let first = """
                run "register_migration_tasks" {
                  command = apply
                  plan_options {
                    target = [\(Set(targets).sorted().joined(separator: ", "))]
                  }
                  assert {
                    condition     = length(output.migration_task_definitions) == 1 && alltrue([for arn in values(output.migration_task_definitions) : arn != ""])
                    error_message = "the migration task is not registered"
                  }
                  assert {
                    condition     = alltrue([for network in values(output.migration_networks) : length(network.awsvpcConfiguration.subnets) > 0 && length(network.awsvpcConfiguration.securityGroups) == 1])
                    error_message = "the migration task has no network"
                  }
                  assert {
                    condition     = length(output.migration_networks) == length(output.migration_task_definitions)
                    error_message = "a migration task has no network"
                  }
                  assert {
                    condition     = length(output.database_role_tasks) > 0 && keys(output.database_role_tasks) == keys(output.database_role_networks)
                    error_message = "a database has no roles task, or one has no network"
                  }
                  assert {
                    condition     = startswith(output.registry_credentials_secret, "arn:aws:secretsmanager:")
                    error_message = "the registry login the deploy checks is not made"
                  }
                  assert {
                    condition     = length(output.cache_users) > 0 && keys(output.cache_users) == keys(output.cache_password_secrets)
                    error_message = "a cache has no user for the deploy to give its password, or no secret holding it"
                  }
                }

                """
            let roots = ["development", "staging", "production"].map { "terraform/environments/\($0)" }
            try TerraformCheck.assertAllApplyWithMockedAWS(roots, in: directory, variables: [
                "certificate_arn": "arn:aws:acm:eu-west-1:123456789012:certificate/site",
                "cdn_certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/cdn",
                "log_bucket": "acme-logs",
            ], first: ["terraform/environments/production": first])
        }
    }

    func testCheckovPassesExceptTheAllowList() throws {
        let checkov = try Tools.require("checkov")
        let skipped = try TerraformCheck.checkovAllowList("Tests/StagecraftTests/AWS/checkov-allowlist.yaml")
        XCTAssertLessThanOrEqual(skipped.count, 25, "the allow-list should stay short")
        let (directory, _) = try output(try Self.marketplace())
        let result = try Tools.run(checkov, [
            "-d", directory.appendingPathComponent("terraform").path, "--framework", "terraform", "--compact", "--quiet",
            "--skip-check", skipped.joined(separator: ","), "--skip-download",
        ])
        XCTAssertEqual(result.status, 0, result.output)
    }

    func testNoSecretValueAnywhere() throws {
        let spec = try Self.marketplace()
        let plan = try Fixtures.renderer.plan(spec)
        let (_, files) = try output(spec)
        let terraform = files.files.filter { $0.path.value.hasPrefix("terraform/") }
        for file in terraform {
            let text = file.text
            XCTAssertFalse(text.range(of: #"(password|auth_token|secret_string)\s*=\s*""#, options: .regularExpression) != nil, file.path.value)
        }
        let ecs = try text(files, "terraform/modules/marketplace/ecs.tf")
        XCTAssertTrue(ecs.contains("valueFrom"), "secrets reach containers as ARNs")
        assertSetting(try text(files, "terraform/modules/marketplace/rds.tf"), "manage_master_user_password", "true")
        // Secrets appear in the environment's values by name only.
        let production = try text(files, "terraform/environments/production/main.tf")
        for secret in plan.environment("production")!.workloads.flatMap(\.secrets) where secret.purpose == .declared {
            XCTAssertTrue(production.contains("\"\(secret.name)\""), secret.name)
        }
    }

    private func assertSetting(_ text: String, _ name: String, _ value: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNotNil(text.range(of: "\\b\(name) += \(NSRegularExpression.escapedPattern(for: value))\\s", options: .regularExpression),
                        "expected \(name) = \(value)", file: file, line: line)
    }

    private func assertNoSetting(_ text: String, _ name: String, _ value: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNil(text.range(of: "\\b\(name) += \(NSRegularExpression.escapedPattern(for: value))\\s", options: .regularExpression),
                     "unexpected \(name) = \(value)", file: file, line: line)
    }

    func testDevelopmentIsSmall() throws {
        for spec in [try Self.marketplace(), try Self.shopAtScale()] {
            let (_, files) = try output(spec)
            let development = try text(files, "terraform/environments/development/main.tf")
            assertSetting(development, "zones", "1")
            assertSetting(development, "read_replicas", "0")
            assertSetting(development, "edge_firewall", "false")
            assertNoSetting(development, "replica", "true")
            assertNoSetting(development, "multi_az", "true")
            assertSetting(development, "cdn", "null")
        }
    }

    func testProductionAtScale() throws {
        let expectations = [(try Self.marketplace(), "3", "us-west-2", "35"), (try Self.shopAtScale(), "3", "eu-central-1", "35")]
        for (spec, replicas, copyRegion, retention) in expectations {
            let (_, files) = try output(spec)
            let production = try text(files, "terraform/environments/production/main.tf")
            assertSetting(production, "multi_az", "true")
            assertSetting(production, "read_replicas", replicas)
            assertSetting(production, "backup_retention_days", retention)
            assertSetting(production, "backup_copy_region", "\"\(copyRegion)\"")
            assertSetting(production, "edge_firewall", "true")
            assertSetting(production, "deletion_protection", "true")
            assertSetting(production, "replica", "true")
            let backup = try text(files, "terraform/modules/\(spec.name)/backup.tf")
            XCTAssertTrue(backup.contains("copy_action"), "cross-region copy")
            XCTAssertTrue(backup.contains("provider    = aws.backup_copy") || backup.contains("provider = aws.backup_copy"), backup)
        }
    }

    /// Recovery as declared: with a copy region, RDS's automated backups (point-in-time) are
    /// replicated there; the restore test runs on the plan's schedule, and its failure pages.
    func testTheCopyRegionKeepsPointInTimeBackupsAndTheRestoreTestRunsOnThePlansSchedule() throws {
        let spec = try Self.marketplace()
        let (_, files) = try output(spec)
        let backup = try text(files, "terraform/modules/marketplace/backup.tf")
        let start = try XCTUnwrap(backup.range(of: #"resource "aws_db_instance_automated_backups_replication" "copy" {"#))
        let block = String(backup[start.lowerBound..<(backup.range(of: "\n}\n", range: start.upperBound..<backup.endIndex)?.upperBound ?? backup.endIndex)])
        func has(_ text: String, _ pattern: String) -> Bool { text.range(of: pattern, options: .regularExpression) != nil }
        XCTAssertTrue(has(block, #"provider\s+= aws\.backup_copy\n"#), block)
        XCTAssertTrue(has(block, #"source_db_instance_arn\s+= aws_db_instance\.primary\[each\.key\]\.arn"#), block)
        XCTAssertTrue(has(block, #"kms_key_id\s+= aws_kms_key\.backup_copy\[0\]\.arn"#), block)
        let production = try text(files, "terraform/environments/production/main.tf")
        XCTAssertTrue(production.contains(#"backup_copy_region      = "us-west-2""#))

        let plan = try Fixtures.renderer.plan(spec)
        let schedule = try XCTUnwrap(plan.environment("production")?.databases.first?.backups?.restoreTestSchedule)
        XCTAssertTrue(production.contains("restore_test_schedule = \"\(AWSCron.expression(schedule))\""), production)
        XCTAssertTrue(has(backup, #"schedule_expression\s+= each\.value\.backup\.restore_test_schedule"#), backup)
        XCTAssertTrue(has(backup, #"protected_resource_type\s+= "RDS""#), backup)
        let alarms = try text(files, "terraform/modules/marketplace/alarms.tf")
        XCTAssertTrue(has(alarms, #"metric_name\s+= "NumberOfRestoreJobsFailed""#), alarms)
        // Development keeps no backups, so it has nothing to restore.
        XCTAssertFalse(try text(files, "terraform/environments/development/main.tf").contains("restore_test_schedule"))
    }

    /// The bucket the CDN serves is encrypted with the stack's key: the key's policy lets that
    /// distribution, and only it, decrypt; log groups wait for the policy that admits CloudWatch Logs.
    func testTheKeyPolicyLetsTheDistributionDecryptTheBucketItServes() throws {
        let (_, files) = try output(try Self.marketplace())
        let main = try text(files, "terraform/modules/marketplace/main.tf")
        XCTAssertTrue(main.contains(#"resource "aws_kms_key_policy" "this""#), main)
        XCTAssertTrue(main.contains("try(var.cdn.bucket, null) == null ? [] : [local.cdn_decrypt_statement]"), main)
        let cdn = try text(files, "terraform/modules/marketplace/cdn.tf")
        let start = try XCTUnwrap(cdn.range(of: "cdn_decrypt_statement = {"))
        let statement = String(cdn[start.lowerBound...].prefix(400))
        XCTAssertTrue(statement.contains(#"Service = "cloudfront.amazonaws.com""#), statement)
        XCTAssertTrue(statement.range(of: #"Action\s+= "kms:Decrypt""#, options: .regularExpression) != nil, statement)
        XCTAssertTrue(statement.contains(#""AWS:SourceArn" = one(module.cdn[*].distribution_arn)"#), statement)
        XCTAssertEqual(try text(files, "terraform/modules/marketplace/main.tf").components(separatedBy: "\n  policy").count, 2, "one policy, on the policy resource")
        // Every log group under the stack's key waits for its policy (those in us-east-1 have a key of their own).
        var groups = 0
        for file in files.paths.map(\.value) where file.hasPrefix("terraform/modules/marketplace/") && file.hasSuffix(".tf") {
            for match in try text(files, file).matches(of: /resource "aws_cloudwatch_log_group" "(\w+)" \{\n(?s:(.*?))\n\}\n/) {
                let body = String(match.output.2)
                if body.contains("aws_kms_key.this.arn") {
                    groups += 1
                    XCTAssertTrue(body.contains("depends_on = [aws_kms_key_policy.this]"), "\(file): \(match.output.1)")
                } else {
                    XCTAssertTrue(body.contains("provider          = aws.us_east_1"), "\(file): \(match.output.1)\n\(body)")
                }
            }
        }
        XCTAssertGreaterThan(groups, 4)
    }

    func testDeployStepsApplyThePlanWaitAndRollBack() throws {
        let (directory, files) = try output(try Self.marketplace())
        let workflow = try text(files, ".github/workflows/marketplace-deploy.yml")
        XCTAssertTrue(workflow.contains("aws-actions/configure-aws-credentials@"), "OIDC credentials")
        XCTAssertTrue(workflow.contains("id-token: write"))
        XCTAssertTrue(workflow.contains("plan -input=false -out=tfplan"))
        XCTAssertTrue(workflow.contains("GITHUB_STEP_SUMMARY"))
        XCTAssertTrue(workflow.contains("apply -input=false tfplan"))
        XCTAssertTrue(workflow.contains("deployments[?status=='PRIMARY'] | [0].[rolloutState, taskDefinition]"), "the rollout, not services-stable")
        XCTAssertFalse(workflow.contains("services-stable"), "services-stable passes after a circuit-breaker rollback")
        XCTAssertTrue(workflow.contains("if: failure()"), "a rollback step")
        XCTAssertFalse(workflow.contains("aws-secret-access-key"), "no long-lived keys")
        if let actionlint = Tools.path("actionlint") {
            let result = try Tools.run(actionlint, [directory.appendingPathComponent(".github/workflows/marketplace-deploy.yml").path])
            XCTAssertEqual(result.status, 0, result.output)
        }
    }
}

/// On a pull request, each AWS environment gets a plan of what deploying it would change, with
/// read-only credentials, shown in the job summary, and nothing applied.
final class AWSReviewTests: XCTestCase {
    func testPullRequestsPlanEveryAWSEnvironmentWithoutApplying() throws {
        let files = try Fixtures.renderer.render(try Fixtures.variant("marketplace-aws")).files
        let workflow = try XCTUnwrap(try Yams.load(yaml: try XCTUnwrap(files[".github/workflows/marketplace-ci.yml"]).text) as? [String: Any])
        let jobs = try XCTUnwrap(workflow["jobs"] as? [String: [String: Any]])
        for environment in ["staging", "production"] {
            let job = try XCTUnwrap(jobs["review-\(environment)"], environment)
            XCTAssertEqual(job["if"] as? String, "github.event_name == 'pull_request'")
            XCTAssertNil(job["environment"], "a pull request must not wait for, or deploy to, the environment")
            let text = try Yams.dump(object: job)
            XCTAssertTrue(text.contains("AWS_PLAN_ROLE_ARN"), text)
            XCTAssertTrue(text.contains("-lock=false"), text)
            XCTAssertTrue(text.contains("GITHUB_STEP_SUMMARY"), text)
            XCTAssertFalse(text.contains("terraform -chdir=\"$TF_ROOT\" apply"), text)
        }
        XCTAssertNil(jobs["review-development"])
        let secrets = try XCTUnwrap(files["environments/production/secrets.yaml"]).text
        XCTAssertTrue(secrets.contains("pullRequestReview:\n- AWS_CDN_CERTIFICATE_ARN_PRODUCTION"), secrets)
    }
}

final class AWSSizingTests: XCTestCase {
    func testTheSmallestClassWithThePlannedMemoryIsChosen() throws {
        let files = try Fixtures.renderer.render(try Fixtures.variant("marketplace-aws")).files
        let production = try XCTUnwrap(files["terraform/environments/production/main.tf"]).text
        let staging = try XCTUnwrap(files["terraform/environments/staging/main.tf"]).text
        XCTAssertTrue(production.contains("\"db.r6g.large\""), "16 GiB at scale")
        XCTAssertTrue(production.contains("\"cache.m7g.large\""), "6 GiB at scale")
        XCTAssertTrue(staging.contains("\"db.t4g.micro\""), "staging rehearses at the smallest size")
    }
}
