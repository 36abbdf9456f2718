import Foundation
import StagecraftEmitters
import StagecraftPlanner
import XCTest

/// The README.md every output carries.
final class GeneratedReadmeTests: XCTestCase {
    private func readme(_ plan: StackPlan) throws -> String {
        let context = EmitContext(templates: Fixtures.templates, toolVersion: "9.9.9")
        let files = try ReadmeEmitter().emit(plan, context: context)
        XCTAssertEqual(files.map(\.path.value), ["README.md"])
        return files[0].text
    }

    func testEachEnvironmentShowsItsStagePlatformAndMermaidDiagram() throws {
        for example in Fixtures.examples {
            let plan = try Fixtures.renderer.plan(try Fixtures.example(example))
            let text = try readme(plan)
            for environment in plan.environments {
                let diagram = MermaidDiagram.render(ArchitectureGraph(environment: environment, stack: plan.stack))
                XCTAssertTrue(text.contains("## \(environment.name)\n\n\(environment.stage.rawValue) stage on \(environment.platform.rawValue)"), "\(example)/\(environment.name):\n\(text)")
                XCTAssertTrue(text.contains("```mermaid\n\(diagram)```\n"), "\(example)/\(environment.name)")
                XCTAssertTrue(text.contains("| [\(environment.name)](#\(environment.name)) | \(environment.stage.rawValue) | \(environment.platform.rawValue) |"), text)
            }
            XCTAssertTrue(text.contains("stagecraft generate stacks/\(example).swift --out ."), text)
            XCTAssertTrue(text.contains("`stacks/\(example).swift`"), text)
        }
    }

    func testProductionNamesItsApprovalAndTheContentsFollowThePlan() throws {
        let shop = try readme(try Fixtures.renderer.plan(try Fixtures.example("shop")))
        XCTAssertTrue(shop.contains("growth stage on compose; deploys after a reviewer approves: on GitHub, give the `production` environment required reviewers (Settings → Environments, or `.github/configure-repository.sh OWNER/REPOSITORY REVIEWER…`, which also limits each environment to its branch and protects the default branch)."), shop)
        var gitlab = try Fixtures.renderer.plan(try Fixtures.variant("shop-gitlab"))
        gitlab.pipeline.providers = [.gitlab]
        XCTAssertTrue(try readme(gitlab).contains("make `production` a protected environment with required approvals (Settings → CI/CD → Protected environments)"))
        XCTAssertTrue(shop.contains("- `.github/workflows/`"), shop)
        XCTAssertFalse(shop.contains("- `kubernetes/`"), shop)
        XCTAssertTrue(shop.contains("drift check fails"), shop)

        let marketplace = try readme(try Fixtures.renderer.plan(try Fixtures.example("marketplace")))
        XCTAssertTrue(marketplace.contains("- `kubernetes/`"), marketplace)
        XCTAssertTrue(marketplace.contains("- `terraform/`"), marketplace)
    }

    /// Each environment says what a restore achieves where it runs and in the copy region, and
    /// a migrated stack explains its schema changes.
    func testRecoveryAndSchemaChangesAreStated() throws {
        let shop = try readme(try Fixtures.renderer.plan(try Fixtures.example("shop")))
        XCTAssertTrue(shop.contains("growth stage on compose; deploys after a reviewer approves: on GitHub, give the `production` environment required reviewers (Settings → Environments, or `.github/configure-repository.sh OWNER/REPOSITORY REVIEWER…`, which also limits each environment to its branch and protects the default branch).\n\n- `db`: a restore in eu-west-1 loses at most 1 h of data (RPO) and takes at most 2 h, from backups kept 14 days; in eu-central-1, where the backups and the WAL are copied as they are made, a restore loses at most 1 h too.\n"), shop)
        XCTAssertFalse(shop.contains("## development\n\ngrowth stage on compose.\n\n- `db`"), "development keeps no backups")
        XCTAssertTrue(shop.contains("## Schema changes\n\n- `db` is migrated by `dbmate --no-dump-schema --migrations-dir db/migrations migrate`, run in the `web` image; pull requests that add migrations to `db/migrations/` are linted by squawk."), shop)
        XCTAssertTrue(shop.contains("expand, migrate, contract"), shop)
        let blog = try readme(try Fixtures.renderer.plan(try Fixtures.example("blog")))
        XCTAssertFalse(blog.contains("## Schema changes"), "the blog declares no migrations")
    }

    /// Values from the stack cannot close a code span, a fence or a table cell.
    /// Each AWS environment lists what its account needs before the first apply: the exact
    /// certificates, DNS records and Parameter Store names the module reads; no other platform does.
    func testAWSEnvironmentsListWhatTheAccountNeedsFirst() throws {
        let plan = try Fixtures.renderer.plan(try Fixtures.variant("marketplace-aws"))
        let text = try readme(plan)
        for environment in plan.environments {
            let start = try XCTUnwrap(text.range(of: "## \(environment.name)\n"))
            let section = String(text[start.upperBound...].prefix { $0 != "#" })
            let list = try XCTUnwrap(section.range(of: "Before the first apply, the account needs:\n\n"), environment.name)
            let lines = section[list.upperBound...].split(separator: "\n").prefix { $0.hasPrefix("- ") }
            // Terraform makes the database and cache passwords and the CDN's origin secret; a person sets the rest.
            let parameters = Set(environment.workloads.flatMap(\.secrets).filter { $0.purpose == .declared || $0.purpose == .errorTracking }.map(\.name))
                .union(environment.monitoring.receivers.filter { $0.kind != .email }.compactMap(\.secret))
            let listed = try XCTUnwrap(lines.first { $0.contains("secret parameter") })
            XCTAssertEqual(Set(listed.matches(of: /`\/marketplace\/[a-z]+\/([A-Z0-9_]+)`/).map { String($0.output.1) }), parameters, environment.name)
            XCTAssertTrue(listed.contains("`/marketplace/\(environment.name)/"), String(listed))
            if let cdn = environment.cdn {
                XCTAssertTrue(lines.contains { $0.contains("`\(environment.domain)` as an alias (or CNAME) of the `cdn_domain` output, and `\(cdn.originDomain)` as a CNAME of the `load_balancer_dns_name` output") }, "\(lines)")
                XCTAssertTrue(lines.contains { $0.contains("a certificate in us-east-1 for `\(environment.domain)`") }, "\(lines)")
                XCTAssertTrue(lines.contains { $0.contains("a certificate in \(environment.region) for `\(cdn.originDomain)`") }, "\(lines)")
            } else {
                XCTAssertTrue(lines.contains { $0.contains("`\(environment.domain)` as an alias (or CNAME) of the `load_balancer_dns_name` output") }, "\(lines)")
            }
            XCTAssertTrue(lines.contains { $0.contains("`TF_STATE_BUCKET`") } && lines.contains { $0.contains("`AWS_LOG_BUCKET`") } && lines.contains { $0.contains("`AWS_DEPLOY_ROLE_ARN`") })
        }
        for example in Fixtures.examples {
            let plan = try Fixtures.renderer.plan(try Fixtures.example(example))
            guard !plan.environments.contains(where: { $0.platform == .aws }) else { continue }
            XCTAssertFalse(try readme(plan).contains("Before the first apply"), example)
        }
    }

    func testStackValuesCannotBreakTheMarkdown() throws {
        var plan = try Fixtures.renderer.plan(try Fixtures.example("blog"))
        plan.stackFile = "odd `name`.swift"
        plan.pipeline.outputDirectory = "out ```"
        plan.environments[1].domain = "a|b*c*.example.com"
        let text = try readme(plan)
        XCTAssertTrue(text.contains("from ``odd `name`.swift``."), text)
        XCTAssertTrue(text.contains("````sh\nstagecraft generate 'odd `name`.swift' --out 'out ```'"), text)
        XCTAssertTrue(text.contains(#"| a\|b\*c\*.example.com |"#), text)
    }
}
