import Foundation
import StagecraftEmitters
import StagecraftSpec
import XCTest
import Yams

/// Migrations before every rollout, in every generated deploy job of both CI providers, and the
/// squawk lint of the migrations a pull request adds, run through the generated step's own script.
final class MigrationTests: XCTestCase {
    /// The steps that change what serves traffic, by platform: compose's rollout, the
    /// Kubernetes canary and overlay, Terraform's apply of the services.
    private static let rolloutSteps = ["Roll out ", "Canary", "Apply the ", "Terraform apply"]

    func testEveryDeployMigratesBeforeAnyStepThatChangesWhatServes() throws {
        var checked = 0
        for name in Fixtures.variantNames {
            var spec = try Fixtures.variant(name)
            spec.pipeline?.providers = [.githubActions, .gitlab]
            let generation = try Fixtures.renderer.render(spec)
            let plan = generation.plan
            let workflow = try XCTUnwrap(try Yams.load(yaml: try XCTUnwrap(generation.files[".github/workflows/\(plan.stack)-deploy.yml"]).text) as? [String: Any])
            let gitlab = try XCTUnwrap(try Yams.load(yaml: try XCTUnwrap(generation.files[GitLabCIEmitter.path]).text) as? [String: Any])
            for target in plan.pipeline.deploys {
                let migrated = plan.environment(target.environment)?.databases.filter { $0.migrations != nil }.map(\.name) ?? []
                // The environment's deploy jobs in order: one, or (a reviewed AWS plan) the release's and the apply's.
                let jobs = [target.environment, target.environment + "-apply"].filter { workflow.value(at: "jobs.\($0)") != nil }
                let github = try jobs.flatMap { try XCTUnwrap(workflow.value(at: "jobs.\($0).steps") as? [[String: Any]]).map { $0["name"] as? String ?? "" } }
                // A GitLab job's script is its steps in order, each opening with "# <name>".
                let gitlabScript = try jobs.flatMap { try XCTUnwrap((gitlab[$0] as? [String: Any])?["script"] as? [String]) }
                let gitlabSteps = gitlabScript.map { String(($0.split(separator: "\n", maxSplits: 1).first ?? "").dropFirst(2)) }
                for (provider, steps) in [("GitHub", github), ("GitLab", gitlabSteps)] {
                    let where_ = "\(name) \(provider) \(target.environment): \(steps)"
                    let rollouts = steps.indices.filter { index in Self.rolloutSteps.contains { steps[index].hasPrefix($0) } }
                    XCTAssertFalse(rollouts.isEmpty, where_)
                    for database in migrated {
                        let migration = try XCTUnwrap(steps.firstIndex(of: "Migrate the \(database) database"), "no migration of \(database): \(where_)")
                        XCTAssertLessThan(migration, try XCTUnwrap(rollouts.min()), where_)
                        checked += 1
                    }
                }
            }
        }
        // compose (GitHub and GitLab), Kubernetes and AWS, staging and production each.
        XCTAssertGreaterThanOrEqual(checked, 16)
    }

    /// The pull request job's lint step, run as CI runs it on a repository whose change adds a
    /// migration that builds an index without CONCURRENTLY (and whose base already has one,
    /// which is not reported again).
    func testSquawkReportsAnIndexBuiltWithoutConcurrentlyThatAChangeAdds() throws {
        let squawk = try Tools.require("squawk")
        let bash = try Tools.require("bash")
        let generation = try Fixtures.renderer.render(try Fixtures.variant("shop"))
        let ci = try XCTUnwrap(try Yams.load(yaml: try XCTUnwrap(generation.files[GitHubActionsEmitter.ciPath("shop")]).text) as? [String: Any])
        let steps = try XCTUnwrap(ci.value(at: "jobs.migrations.steps") as? [[String: Any]])
        let lint = try XCTUnwrap(steps.first { $0["name"] as? String == "Lint the migrations this change adds" })
        XCTAssertEqual(lint.value(at: "env.BASE_SHA") as? String, "${{ github.event.pull_request.base.sha }}")
        let script = try XCTUnwrap(lint["run"] as? String)
        XCTAssertEqual(try XCTUnwrap(ci.value(at: "jobs.migrations.if") as? String), "github.event_name == 'pull_request'")

        // GitLab runs the same script, comparing with the merge request's base.
        let gitlab = try Fixtures.renderer.render(try Fixtures.variant("shop-gitlab"))
        let gitlabJob = try XCTUnwrap(try Yams.load(yaml: try XCTUnwrap(gitlab.files[GitLabCIEmitter.path]).text) as? [String: Any])["migrations"] as? [String: Any]
        let gitlabScript = try XCTUnwrap(gitlabJob?["script"] as? [String]).joined(separator: "\n")
        XCTAssertTrue(gitlabScript.contains("export BASE_SHA=\"$CI_MERGE_REQUEST_DIFF_BASE_SHA\""), gitlabScript)
        XCTAssertTrue(gitlabScript.contains("squawk --pg-version 16 \"${added[@]}\""), gitlabScript)

        let repository = try Fixtures.temporaryDirectory("squawk")
        defer { try? FileManager.default.removeItem(at: repository) }
        let migrations = repository.appendingPathComponent("db/migrations")
        try FileManager.default.createDirectory(at: migrations, withIntermediateDirectories: true)
        func git(_ arguments: String...) throws -> String {
            let result = try Tools.run("git", ["-c", "user.name=CI", "-c", "user.email=ci@example.com"] + arguments, in: repository)
            XCTAssertEqual(result.status, 0, result.output)
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try git("init", "--quiet")
        try "-- migrate:up\nCREATE TABLE orders (id bigint PRIMARY KEY, created_at timestamptz NOT NULL);\nCREATE INDEX orders_old ON orders (id);\n-- migrate:down\n"
            .write(to: migrations.appendingPathComponent("20260101000000_orders.sql"), atomically: true, encoding: .utf8)
        _ = try git("add", ".")
        _ = try git("commit", "--quiet", "-m", "orders")
        let base = try git("rev-parse", "HEAD")
        try "-- migrate:up\nCREATE INDEX orders_created_at ON orders (created_at);\n-- migrate:down\n"
            .write(to: migrations.appendingPathComponent("20260201000000_orders_created_at.sql"), atomically: true, encoding: .utf8)
        _ = try git("add", ".")
        _ = try git("commit", "--quiet", "-m", "index")

        // What the install step leaves: squawk in the runner's temporary folder.
        let runnerTemp = repository.appendingPathComponent(".runner")
        try FileManager.default.createDirectory(at: runnerTemp.appendingPathComponent("squawk/bin"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: runnerTemp.appendingPathComponent("squawk/bin/squawk").path, withDestinationPath: squawk)

        let environment = ["BASE_SHA": base, "RUNNER_TEMP": runnerTemp.path, "NO_COLOR": "1"]
        let reported = try Tools.run(bash, ["-c", script], in: repository, environment: environment)
        XCTAssertNotEqual(reported.status, 0, reported.output)
        XCTAssertTrue(reported.output.contains("require-concurrent-index-creation"), reported.output)
        XCTAssertTrue(reported.output.contains("20260201000000_orders_created_at.sql"), reported.output)
        XCTAssertFalse(reported.output.contains("20260101000000_orders.sql"), "a merged migration was linted again:\n\(reported.output)")

        // The fix squawk asks for passes.
        try "-- migrate:up transaction:false\nSET lock_timeout = '1s';\nSET statement_timeout = '60s';\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_created_at ON orders (created_at);\n-- migrate:down\n"
            .write(to: migrations.appendingPathComponent("20260201000000_orders_created_at.sql"), atomically: true, encoding: .utf8)
        _ = try git("commit", "--quiet", "-am", "concurrently")
        let fixed = try Tools.run(bash, ["-c", script], in: repository, environment: environment)
        XCTAssertEqual(fixed.status, 0, fixed.output)
    }
}
