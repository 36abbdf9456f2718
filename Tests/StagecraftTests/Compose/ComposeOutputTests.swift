import Foundation
import StagecraftCLI
import StagecraftEmitters
import StagecraftOutput
import XCTest

/// What the compose platform generates for the examples, checked by reading it and by the
/// real consumers: check-jsonschema, nginx -t, shellcheck, actionlint, zizmor.
final class ComposeOutputTests: XCTestCase {
    private func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    func testBlogAtMVPRunsOneAppInstanceAndNoReplica() throws {
        let compose = try ComposeFixtures.text("blog", "environments/production/compose.yaml")
        XCTAssertTrue(compose.contains("    deploy:\n      replicas: 1\n"), compose)
        XCTAssertFalse(compose.contains("replica-"), "the mvp blog has no read replica")
        XCTAssertTrue(compose.contains("DB_READ_HOST: db\n"), "without a replica, reads go to the primary")
        let nginx = try ComposeFixtures.text("blog", "environments/production/nginx/nginx.conf")
        XCTAssertEqual(NginxHarness.upstreams(nginx), ["web:3000"])
        let generated = try ComposeFixtures.generation("blog").files.paths.map(\.value)
        XCTAssertFalse(generated.contains { $0.hasPrefix("environments/production/postgres/db/replica") })
    }

    func testShopAtGrowthRunsSeveralInstancesAReplicaRateLimitsAndAnHourlyRPO() throws {
        let folder = "environments/production"
        let compose = try ComposeFixtures.text("shop", "\(folder)/compose.yaml")
        XCTAssertTrue(compose.contains("  web:\n    image: ghcr.io/acme/shop-web@${WEB_IMAGE_DIGEST:?WEB_IMAGE_DIGEST names the image to run}\n"), compose)
        XCTAssertTrue(compose.contains("    deploy:\n      replicas: 3\n"))
        XCTAssertTrue(compose.contains("  db-replica-1:\n"))
        XCTAssertTrue(compose.contains("DB_READ_HOST: db-read\n"))
        XCTAssertTrue(compose.contains("- ./nginx/nginx.conf:/etc/nginx/nginx.conf:ro"))

        let nginx = try ComposeFixtures.text("shop", "\(folder)/nginx/nginx.conf")
        XCTAssertEqual(NginxHarness.upstreams(nginx), ["web:8080"], "every replica, by the service's name")
        XCTAssertTrue(nginx.contains("limit_req_zone $client_address zone=rate_limit_0:10m rate=100r/m;"))
        XCTAssertTrue(nginx.contains("limit_req_zone $client_address zone=rate_limit_1:10m rate=10r/m;"))
        XCTAssertTrue(nginx.contains("limit_req_status 429;"))
        XCTAssertTrue(nginx.contains("location ^~ \"/login\" {\n            set $service_name web;\n            limit_req zone=rate_limit_0"))

        let replica = try ComposeFixtures.text("shop", "\(folder)/postgres/db/replica-1.conf")
        XCTAssertTrue(replica.contains("primary_slot_name = 'db_replica_1'"))
        XCTAssertTrue(replica.contains("passfile="))
        XCTAssertFalse(replica.contains("password="), "the standby authenticates through a password file")

        // RPO ≤ 1 h: WAL is archived continuously, a segment waits at most half an hour, and
        // an incremental backup runs every hour.
        let primary = try ComposeFixtures.text("shop", "\(folder)/postgres/db/primary.conf")
        XCTAssertTrue(primary.contains("archive_mode = on\narchive_command = 'pgbackrest --stanza=db archive-push %p'"))
        let timeout = try XCTUnwrap(primary.split(separator: "\n").first { $0.hasPrefix("archive_timeout = ") })
        XCTAssertLessThanOrEqual(Int(timeout.dropFirst("archive_timeout = ".count))!, 3600)
        let crontab = try ComposeFixtures.text("shop", "\(folder)/ops/crontab")
        XCTAssertTrue(crontab.contains("\n30 * * * * cd /srv/shop/production && sh ops/cron-job.sh db-incr-backup flock ops/.db-backup.lock docker compose exec -T --user postgres db pgbackrest --stanza=db --repo=1 --type=incr backup"))
        let pgbackrest = try ComposeFixtures.text("shop", "\(folder)/pgbackrest/pgbackrest.conf")
        XCTAssertTrue(pgbackrest.contains("repo1-retention-full=14\n"))
        XCTAssertTrue(pgbackrest.contains("repo1-cipher-type=aes-256-cbc\n"))
        XCTAssertFalse(pgbackrest.contains("cipher-pass="), "the key comes from the environment, never the file")
    }

    func testComposeFilesMatchTheComposeSpecification() throws {
        let checker = try Tools.require("check-jsonschema")
        for stack in ComposeFixtures.stacks {
            let directory = try ComposeFixtures.materialized(try ComposeFixtures.generation(stack).files, label: "compose-spec")
            defer { try? FileManager.default.removeItem(at: directory) }
            let files = try ComposeFixtures.composeEnvironments(stack).map { directory.appendingPathComponent("environments/\($0.name)/compose.yaml").path }
            XCTAssertFalse(files.isEmpty)
            let result = try Tools.run(checker, ["--builtin-schema", "vendor.compose-spec"] + files)
            XCTAssertEqual(result.status, 0, "\(stack): \(result.output)")
        }
    }

    func testEveryNginxConfigPassesNginxCheck() throws {
        for stack in ComposeFixtures.stacks {
            for environment in try ComposeFixtures.composeEnvironments(stack) {
                try NginxHarness.check(try ComposeFixtures.text(stack, "environments/\(environment.name)/nginx/nginx.conf"))
            }
        }
    }

    func testEveryScriptPassesShellcheck() throws {
        let shellcheck = try Tools.require("shellcheck")
        for stack in ComposeFixtures.stacks {
            let files = try ComposeFixtures.generation(stack).files
            let scripts = files.files.filter { $0.path.value.hasSuffix(".sh") }
            XCTAssertTrue(scripts.allSatisfy(\.executable))
            XCTAssertFalse(scripts.isEmpty)
            let directory = try ComposeFixtures.materialized(files, label: "shellcheck")
            defer { try? FileManager.default.removeItem(at: directory) }
            let result = try Tools.run(shellcheck, ["--severity=style"] + scripts.map { directory.appendingPathComponent($0.path.value).path })
            XCTAssertEqual(result.status, 0, "\(stack): \(result.output)")
        }
    }

    func testDeployWorkflowsPassActionlintZizmorAndTheSchema() throws {
        let actionlint = try Tools.require("actionlint")
        let zizmor = try Tools.require("zizmor")
        let checker = try Tools.require("check-jsonschema")
        _ = try Tools.require("shellcheck")
        for stack in ComposeFixtures.stacks {
            let files = try ComposeFixtures.generation(stack).files
            let deploy = try XCTUnwrap(files[GitHubActionsEmitter.deployPath(stack)]).text
            XCTAssertTrue(deploy.contains("${{ secrets.DEPLOY_SSH_KEY }}"))
            XCTAssertTrue(deploy.contains("StrictHostKeyChecking yes"))
            XCTAssertFalse(deploy.contains("StrictHostKeyChecking no"))
            XCTAssertTrue(deploy.contains("docker compose up --detach --remove-orphans --wait"))
            XCTAssertTrue(deploy.contains("if: failure()"))
            let directory = try ComposeFixtures.materialized(files, label: "workflows")
            defer { try? FileManager.default.removeItem(at: directory) }
            let workflows = [GitHubActionsEmitter.ciPath(stack), GitHubActionsEmitter.deployPath(stack)].map { directory.appendingPathComponent($0).path }
            let lint = try Tools.run(actionlint, workflows, in: directory)
            XCTAssertEqual(lint.status, 0, "\(stack): \(lint.output)")
            let audit = try Tools.run(zizmor, ["--offline", "--min-severity", "medium"] + workflows, in: directory)
            XCTAssertEqual(audit.status, 0, "\(stack): \(audit.output)")
            let schema = try Tools.run(checker, ["--builtin-schema", "vendor.github-workflows"] + workflows)
            XCTAssertEqual(schema.status, 0, "\(stack): \(schema.output)")
        }
    }

    func testAUserOverrideOfTheNginxTemplateIsUsedAndRecorded() throws {
        let overrides = try Fixtures.temporaryDirectory("templates")
        defer { try? FileManager.default.removeItem(at: overrides) }
        let builtIn = Fixtures.repositoryRoot.appendingPathComponent("templates/compose/nginx.conf.mustache")
        let custom = try String(contentsOf: builtIn, encoding: .utf8)
            .replacingOccurrences(of: "    server_tokens off;\n", with: "    server_tokens off;\n    # acme-corp: reviewed by the edge team\n")
        try FileManager.default.createDirectory(at: overrides.appendingPathComponent("compose"), withIntermediateDirectories: true)
        try custom.write(to: overrides.appendingPathComponent("compose/nginx.conf.mustache"), atomically: true, encoding: .utf8)

        let templates = try TemplateLibrary(builtIn: Fixtures.repositoryRoot.appendingPathComponent("templates"), overrides: overrides)
        let files = try Renderer(templates: templates).render(try Fixtures.example("shop")).files
        let nginx = try XCTUnwrap(files["environments/production/nginx/nginx.conf"]).text
        XCTAssertTrue(nginx.contains("# acme-corp: reviewed by the edge team"))
        let manifest = try XCTUnwrap(files[Manifest.path])
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(manifest.contents)) as? [String: Any])
        XCTAssertEqual(json["templateOverrides"] as? [String], ["compose/nginx.conf"])
        try NginxHarness.check(nginx)
    }
}
