import Stagecraft
@testable import StagecraftPlanner
import XCTest

final class PlannerTests: XCTestCase {
    private func growthShop() -> StackSpec {
        Stack("shop", stage: .growth) {
            Service("web") {
                Image("ghcr.io/acme/web")
                Port(8080)
                HealthCheck("/healthz")
                Replicas(mvp: 1, growth: 3, scale: .autoscale(min: 4, max: 40, cpu: 60))
                Config("LOG_LEVEL", "info", production: "warn")
                Secret("STRIPE_API_KEY")
                Sessions(.shared(cache: "cache"))
            }
            Postgres("db") { ReadReplicas(growth: 1, scale: 3) }
            Redis("cache")
            LoadBalancer(domain: "shop.example.com")
            Environments {
                Development()
                Staging(branch: "main")
                Production(approval: .required)
            }
            Account("111122223333")
        }.spec
    }

    func testEnvironmentsTakeTheirShapes() throws {
        let plan = try Planner(toolVersion: "test").plan(growthShop())
        XCTAssertEqual(plan.environments.map(\.name), ["development", "staging", "production"])
        let (development, staging, production) = (plan.environments[0], plan.environments[1], plan.environments[2])

        XCTAssertEqual(production.services[0].scaling, Scaling(Instances.fixed(3)))
        XCTAssertEqual(staging.services[0].scaling, Scaling(Instances.fixed(2)))
        XCTAssertEqual(development.services[0].scaling, Scaling(Instances.fixed(1)))

        XCTAssertEqual(production.databases[0].readReplicas, 1)
        XCTAssertEqual(development.databases[0].readReplicas, 0)
        XCTAssertNil(development.databases[0].backups)
        XCTAssertEqual(production.databases[0].backups?.rpo, .hours(1))
        XCTAssertEqual(production.databases[0].backups?.walArchiving, true)
        XCTAssertEqual(production.databases[0].backups?.retentionDays, 14)
        XCTAssertEqual(staging.databases[0].backups?.retentionDays, 7)

        XCTAssertNotNil(production.cdn)
        XCTAssertNotNil(staging.cdn)
        XCTAssertNil(development.cdn)
        XCTAssertEqual(production.loadBalancer?.tls, true)
        XCTAssertEqual(development.loadBalancer?.tls, false)
        XCTAssertEqual(staging.domain, "staging.shop.example.com")

        XCTAssertEqual(production.services[0].config, [ConfigEntry(key: "LOG_LEVEL", value: "warn")])
        XCTAssertEqual(staging.services[0].config, [ConfigEntry(key: "LOG_LEVEL", value: "info")])
        XCTAssertEqual(production.services[0].secrets.map(\.name), ["CACHE_PASSWORD", "DB_PASSWORD", "STRIPE_API_KEY"])
    }

    /// A web app and its worker from one image: CI builds and pushes it once, and both run it
    /// by the digest of that push; an image the stack pins is never built.
    func testWorkloadsSharingAnImageShareItsBuildAndDigest() throws {
        let spec = Stack("shop", stage: .mvp) {
            Service("web") { Image("ghcr.io/acme/app"); Port(8080); HealthCheck("/healthz") }
            Worker("jobs") { Image("ghcr.io/acme/app"); Command("bin/jobs") }
            Worker("mailer") { Image("ghcr.io/acme/mailer:1.4") }
            Environments { Production() }
        }.spec
        let plan = try Planner(toolVersion: "test").plan(spec)
        XCTAssertEqual(plan.pipeline.images.map(\.workload), ["web"])
        XCTAssertEqual(plan.pipeline.images.map(\.digestVariable), ["WEB_IMAGE_DIGEST"])
        let workloads = try XCTUnwrap(plan.environments.first).workloads
        XCTAssertEqual(workloads.map(\.image.digestVariable), ["WEB_IMAGE_DIGEST", "WEB_IMAGE_DIGEST", nil])
        XCTAssertEqual(workloads.map { $0.image.reference(digest: "sha256:1") }, ["ghcr.io/acme/app@sha256:1", "ghcr.io/acme/app@sha256:1", "ghcr.io/acme/mailer:1.4"])
    }

    func testScaleStagingKeepsAutoscalingAtMinimumSize() throws {
        var spec = growthShop()
        spec.stage = .scale
        let plan = try Planner(toolVersion: "test").plan(spec)
        XCTAssertEqual(plan.environment("production")?.services[0].scaling, Scaling(Instances.autoscale(min: 4, max: 40, cpu: 60)))
        XCTAssertEqual(plan.environment("staging")?.services[0].scaling, Scaling(Instances.autoscale(min: 2, max: 4, cpu: 60)))
        XCTAssertEqual(plan.environment("production")?.platform, .kubernetes)
        XCTAssertEqual(plan.environment("production")?.zones, 3)
        XCTAssertEqual(plan.environment("production")?.databases[0].readReplicas, 3)
        XCTAssertEqual(plan.environment("production")?.databases[0].backups?.rpo, .minutes(5))
    }

    func testDeploysFollowTheStage() throws {
        let growth = try Planner(toolVersion: "test").plan(growthShop()).pipeline
        XCTAssertEqual(growth.deploys.map(\.environment), ["staging", "production"])
        XCTAssertEqual(growth.deploys[1].after, "staging")
        XCTAssertTrue(growth.deploys[1].requiresApproval)
        XCTAssertFalse(growth.deploys[0].requiresApproval)
        XCTAssertTrue(growth.dependencyReview)

        let mvp = try Planner(toolVersion: "test").plan(Stack("blog", stage: .mvp) {
            Service("web") { Image("ghcr.io/acme/blog"); Port(3000) }
        }.spec)
        XCTAssertEqual(mvp.environments.map(\.name), ["development", "production"])
        XCTAssertEqual(mvp.pipeline.deploys.map(\.environment), ["production"])
        XCTAssertFalse(mvp.pipeline.deploys[0].requiresApproval)
        XCTAssertNil(mvp.pipeline.lintCommand)
        XCTAssertFalse(mvp.pipeline.dependencyReview)
        XCTAssertTrue(mvp.pipeline.driftCheck)
    }

    func testBackupScheduleMeetsTheRPO() {
        let daily = Planner.backupSchedule(rpo: .hours(24), retentionDays: 7, walArchiving: false, restoreEvery: nil, crossRegionCopy: nil, rto: nil)
        XCTAssertFalse(daily.walArchiving)
        XCTAssertEqual(daily.fullSchedule, "0 2 * * *")
        XCTAssertNil(daily.archiveTimeoutSeconds)

        let tighter = Planner.backupSchedule(rpo: .hours(12), retentionDays: 7, walArchiving: false, restoreEvery: .days(30), crossRegionCopy: nil, rto: nil)
        XCTAssertTrue(tighter.walArchiving, "an RPO under a day needs WAL archiving")
        XCTAssertEqual(tighter.restoreTestSchedule, "0 5 1 * *")

        let fiveMinutes = Planner.backupSchedule(rpo: .minutes(5), retentionDays: 35, walArchiving: true, restoreEvery: .days(7), crossRegionCopy: "eu-central-1", rto: .hours(1))
        XCTAssertEqual(fiveMinutes.archiveTimeoutSeconds, 150)
        XCTAssertEqual(fiveMinutes.incrementalSchedule, "30 * * * *")
        XCTAssertEqual(fiveMinutes.restoreTestSchedule, "0 5 * * 1")
    }

    func testOverEngineeringIsAWarningNotAnError() throws {
        let plan = try Planner(toolVersion: "test").plan(Stack("tiny", stage: .mvp) {
            Service("web") { Image("ghcr.io/acme/tiny"); Port(80) }
            Platform(.kubernetes)
            Account("111122223333")
        }.spec)
        XCTAssertTrue(plan.warnings.contains { $0.severity == .warning && $0.message.contains("kubernetes at mvp") }, "\(plan.warnings)")
    }

    func testProductionIsSizedByItsStageAndRehearsalsBySmallest() throws {
        var spec = growthShop()
        spec.stage = .scale
        let plan = try Planner(toolVersion: "test").plan(spec)
        XCTAssertEqual(plan.environment("production")?.databases[0].resources, ResourcesSpec(cpuMillicores: 4000, memoryMiB: 16384))
        XCTAssertEqual(plan.environment("production")?.caches[0].memoryMiB, 6144)
        XCTAssertEqual(plan.environment("staging")?.databases[0].resources, ResourcesSpec(cpuMillicores: 500, memoryMiB: 1024))
        XCTAssertEqual(plan.environment("development")?.caches[0].memoryMiB, 256)
    }
}
