import Stagecraft
import StagecraftPlanner
import StagecraftReadiness
import XCTest

/// Each rule fires on a stack that lacks what it checks and passes once the stack has it.
final class ReadinessRuleTests: XCTestCase {
    private let audit = ReadinessAudit(planner: Planner(toolVersion: "test"))

    /// A stack that passes every gate at every stage; each case changes one thing.
    private func ready(_ stage: Stage, edit: (inout StackSpec) -> Void = { _ in }) -> StackSpec {
        var spec = Stack("shop", stage: stage) {
            Service("web") {
                Image("ghcr.io/acme/web"); Port(8080); HealthCheck("/healthz")
                Replicas(mvp: 1, growth: 2, scale: .autoscale(min: 3, max: 9, cpu: 60))
                Sessions(.shared(cache: "cache")); Uploads(.bucket("uploads")); Static("/assets/")
            }
            Worker("jobs") { Image("ghcr.io/acme/jobs"); Queue(on: "cache"); HealthCommand("bin/jobs-healthy") }
            Postgres("db") { RecoveryTime(.hours(1)); Migrations("bin/migrate", in: "web") }
            Redis("cache")
            Bucket("uploads")
            LoadBalancer(domain: "shop.example.com")
            CDN()
            Environments { Development(); Staging(branch: "main"); Production(approval: .required) }
            Monitoring { ErrorTracking(secret: "SENTRY_DSN"); Uptime("/healthz"); Alerts { Slack(secret: "SLACK_WEBHOOK_URL") } }
            Platform(mvp: .compose, growth: .compose, scale: .kubernetes)
            Region("us-east-1", backupCopy: "us-west-2")
            Account("111122223333")
        }.spec
        edit(&spec)
        return spec
    }

    private func findings(_ rule: String, _ spec: StackSpec) -> [Finding] {
        audit.audit(spec).findings.filter { $0.rule == rule }
    }

    private func assertFires(_ rule: String, _ stage: Stage, _ severity: Severity, line: UInt = #line, edit: (inout StackSpec) -> Void) {
        XCTAssertEqual(findings(rule, ready(stage)), [], "\(rule) fires on the ready stack at \(stage)", line: line)
        let fired = findings(rule, ready(stage, edit: edit))
        XCTAssertFalse(fired.isEmpty, "\(rule) does not fire at \(stage)", line: line)
        for finding in fired {
            XCTAssertEqual(finding.severity, severity, line: line)
            XCTAssertTrue(finding.location.file.hasSuffix("ReadinessRuleTests.swift") && finding.location.line > 0, "\(finding.location)", line: line)
            XCTAssertFalse(finding.fix.line.isEmpty, line: line)
            XCTAssertTrue(finding.fix.placement.contains("ReadinessRuleTests.swift:"), finding.fix.placement, line: line)
        }
    }

    func testTheReadyStackPassesEveryGateAtEveryStage() {
        for stage in Stage.allCases {
            let report = audit.audit(ready(stage))
            XCTAssertEqual(report.gateFailures, [], "\(stage)")
        }
    }

    func testEveryRuleHasAStableIdAndATest() {
        let ids = ReadinessRules.all.map(\.id)
        XCTAssertEqual(Set(ids).count, ids.count)
        for id in ids { XCTAssertNotNil(id.range(of: #"^SC1\d\d-[a-z-]+$"#, options: .regularExpression), id) }
        XCTAssertEqual(ids.count, 31)
    }

    func testWorkerHealth() {
        assertFires("SC108-worker-health", .growth, .warning) { $0.workers[0].healthCommand = nil }
        XCTAssertEqual(findings("SC108-worker-health", ready(.mvp) { $0.workers[0].healthCommand = nil }), [], "an mvp worker may go without")
    }

    func testStageContradictionTheRulesDoNotExplain() {
        // Declared 1 instance at growth: the planner refuses, and SC100 carries its reason.
        assertFires("SC100-fits-stage", .growth, .error) { $0.services[0].replicas!.value.growth = .fixed(1) }
    }

    func testHealthCheck() {
        assertFires("SC101-health-check", .growth, .error) { $0.services[0].healthCheck = nil }
        assertFires("SC101-health-check", .mvp, .warning) { $0.services[0].healthCheck = nil }
    }

    func testSharedSessions() {
        assertFires("SC102-shared-sessions", .growth, .error) { $0.services[0].sessions!.value = .inProcess }
        assertFires("SC102-shared-sessions", .mvp, .warning) { $0.services[0].sessions = nil }
    }

    func testObjectStorage() {
        assertFires("SC103-object-storage", .growth, .error) { $0.services[0].uploads!.value = .localDisk(path: "/srv/uploads") }
        assertFires("SC103-object-storage", .mvp, .warning) { $0.services[0].uploads!.value = .localDisk(path: "/srv/uploads") }
    }

    func testBackgroundWorker() {
        assertFires("SC104-background-worker", .growth, .error) { $0.services[0].inlineJobs = Located(["thumbnails"], at: $0.services[0].location) }
    }

    func testLiteralSecrets() {
        assertFires("SC105-literal-secrets", .mvp, .error) {
            $0.services[0].config.append(ConfigSpec(key: "STRIPE_API_KEY", value: "sk_live_abc", perEnvironment: [:], location: $0.services[0].location))
        }
    }

    func testRedundantInstances() {
        assertFires("SC106-redundant-instances", .scale, .error) { $0.workers[0].replicas = Located(Staged(scale: .fixed(1)), at: $0.workers[0].location) }
        assertFires("SC106-redundant-instances", .growth, .warning) { $0.workers[0].replicas = Located(Staged(growth: .fixed(1)), at: $0.workers[0].location) }
    }

    func testLoadBalancer() {
        assertFires("SC107-load-balancer", .growth, .warning) { $0.loadBalancer = nil; $0.cdn = nil }
    }

    func testRestoreTest() {
        XCTAssertEqual(findings("SC110-restore-test", ready(.mvp)).map(\.severity), [.info], "mvp has no restore test by default")
        XCTAssertEqual(findings("SC110-restore-test", ready(.mvp) { $0.databases[0].restoreTest = Located(Staged(base: .days(30)), at: $0.location) }), [])
    }

    func testRecoveryPoint() {
        assertFires("SC111-recovery-point", .growth, .error) { $0.databases[0].rpo = Located(Staged(base: .hours(24)), at: $0.databases[0].location) }
        XCTAssertEqual(findings("SC111-recovery-point", ready(.growth) { $0.databases[0].rpo = Located(Staged(base: .hours(24)), at: $0.databases[0].location) })[0].fix.line,
                       "Backups(rpo: .hours(24), growth: .hours(1))")
    }

    func testConnectionPooling() {
        assertFires("SC112-connection-pooling", .growth, .warning) { $0.databases[0].pooling = Located(Staged(base: false), at: $0.databases[0].location) }
        assertFires("SC112-connection-pooling", .scale, .error) { $0.databases[0].pooling = Located(Staged(base: false), at: $0.databases[0].location) }
    }

    func testReadReplicas() {
        assertFires("SC113-read-replicas", .growth, .warning) { $0.databases[0].readReplicas = Located(Staged(base: 0), at: $0.databases[0].location) }
        assertFires("SC113-read-replicas", .scale, .error) { $0.databases[0].readReplicas = Located(Staged(base: 1), at: $0.databases[0].location) }
    }

    func testRecoveryTime() {
        assertFires("SC114-recovery-time", .scale, .error) { $0.databases[0].rto = nil }
    }

    func testCrossRegionBackup() {
        assertFires("SC115-cross-region-backup", .scale, .warning) { $0.regions[0].value.backupCopy = nil }
    }

    func testCacheReplica() {
        assertFires("SC116-cache-replica", .scale, .warning) { $0.caches[0].replica = Located(Staged(base: false), at: $0.caches[0].location) }
    }

    func testLargeTablePartitioned() {
        assertFires("SC117-large-table-partitioned", .scale, .warning) {
            $0.databases[0].largeTables = [LargeTableSpec(name: Located("events", at: $0.databases[0].location))]
        }
    }

    func testMigrations() {
        assertFires("SC118-database-migrations", .growth, .warning) { $0.databases[0].migrations = nil }
        XCTAssertEqual(findings("SC118-database-migrations", ready(.mvp) { $0.databases[0].migrations = nil }), [], "an mvp may migrate by hand")
    }

    func testEnvironmentSeparation() {
        assertFires("SC120-environment-separation", .mvp, .warning) { $0.environments.removeAll { $0.kind != .production } }
    }

    func testStaging() {
        assertFires("SC121-staging", .growth, .warning) { $0.environments.removeAll { $0.kind == .staging } }
    }

    func testProductionApproval() {
        assertFires("SC122-production-approval", .growth, .warning) {
            let index = $0.environments.firstIndex { $0.kind == .production }!
            $0.environments[index].approval = Located(.none, at: $0.environments[index].location)
        }
    }

    func testMultiZone() {
        assertFires("SC123-multi-zone", .scale, .error) { $0.platform!.value.scale = .compose }
    }

    func testCDN() {
        assertFires("SC124-cdn", .growth, .info) { $0.cdn!.enabled = Staged(base: false) }
    }

    func testUptimeCheck() {
        assertFires("SC125-uptime-check", .mvp, .warning) { $0.monitoring!.uptimePath = nil }
    }

    func testErrorTracking() {
        assertFires("SC126-error-tracking", .growth, .warning) { $0.monitoring!.errorTrackingSecret = nil }
    }

    func testPlatformTooEarly() {
        assertFires("SC130-platform-too-early", .mvp, .warning) { $0.platform!.value.mvp = .kubernetes }
    }

    func testMicroservicesTooEarly() {
        assertFires("SC131-microservices-too-early", .mvp, .warning) { spec in
            for name in ["api", "admin", "search"] {
                var service = spec.services[0]
                service.name = name
                service.route = Located("/\(name)/", at: service.location)
                spec.services.append(service)
            }
        }
    }

    func testMultiRegionTooEarly() {
        assertFires("SC132-multi-region-too-early", .growth, .warning) { $0.regions.append(Located(RegionSpec(name: "eu-west-1", backupCopy: nil), at: $0.location)) }
    }

    func testAlertReceivers() {
        assertFires("SC127-alert-receivers", .growth, .warning) { $0.monitoring!.alerts = nil }
    }

    func testMonitoringTooEarly() {
        assertFires("SC133-monitoring-too-early", .mvp, .info) { $0.monitoring!.metrics = Located(true, at: $0.location) }
    }
}
