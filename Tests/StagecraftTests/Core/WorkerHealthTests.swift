import Foundation
import Stagecraft
import StagecraftOutput
import StagecraftPlanner
import XCTest
import Yams

/// A worker's `HealthCommand` is its health check on every platform: Compose's healthcheck
/// (which `up --wait` in the deploy waits on), Kubernetes' probes (readiness holds the rollout),
/// and the ECS container health check (an unhealthy task is replaced, a release whose tasks
/// never pass is rolled back by the circuit breaker). The compose rehearsal runs the shop's.
final class WorkerHealthTests: XCTestCase {
    private func stack(_ platform: PlatformKind) -> StackSpec {
        Stack("shop", stage: .growth) {
            Service("web") { Image("ghcr.io/acme/web"); Port(8080); HealthCheck("/healthz") }
            Worker("jobs") { Image("ghcr.io/acme/jobs"); Queue(on: "cache"); HealthCommand("bin/jobs-healthy --within '30 s'") }
            Worker("mailer") { Image("ghcr.io/acme/mailer"); Queue(on: "cache") }
            Postgres("db")
            Redis("cache")
            LoadBalancer(domain: "shop.example.com")
            Platform(platform)
            Account("111122223333")
        }.spec
    }

    private func files(_ platform: PlatformKind) throws -> FileSet { try Fixtures.renderer.render(stack(platform)).files }

    func testComposeChecksTheWorkerWithItsCommand() throws {
        let compose = try XCTUnwrap(try files(.compose)["environments/production/compose.yaml"]).text
        let document = try XCTUnwrap(try Yams.load(yaml: compose) as? [String: Any])
        let services = try XCTUnwrap(document["services"] as? [String: [String: Any]])
        let check = try XCTUnwrap(services["jobs"]?["healthcheck"] as? [String: Any])
        XCTAssertEqual(check["test"] as? [String], ["CMD-SHELL", "bin/jobs-healthy --within '30 s'"])
        XCTAssertNil(services["mailer"]?["healthcheck"], "a worker without a command has none")
    }

    func testKubernetesProbesTheWorkerWithItsCommand() throws {
        let patch = try XCTUnwrap(try files(.kubernetes)["kubernetes/overlays/production/patches/jobs-deployment.yaml"]).text
        let command = "command:\n            - sh\n            - -c\n            - bin/jobs-healthy --within '30 s'\n"
        for probe in ["startupProbe", "readinessProbe", "livenessProbe"] {
            let start = try XCTUnwrap(patch.range(of: "        \(probe):\n"), probe)
            XCTAssertTrue(patch[start.upperBound...].hasPrefix("          exec:\n            " + command), "\(probe)\n\(patch)")
        }
        let mailer = try XCTUnwrap(try files(.kubernetes)["kubernetes/overlays/production/patches/mailer-deployment.yaml"]).text
        XCTAssertFalse(mailer.contains("Probe:"), mailer)
    }

    func testECSChecksTheWorkerWithItsCommand() throws {
        let files = try files(.aws)
        let production = try XCTUnwrap(files["terraform/environments/production/main.tf"]).text
        XCTAssertTrue(production.contains(#"health_command = "bin/jobs-healthy --within '30 s'""#), production)
        XCTAssertEqual(production.components(separatedBy: "health_command").count - 1, 1, "the mailer has none")
        let ecs = try XCTUnwrap(files["terraform/modules/shop/ecs.tf"]).text
        XCTAssertTrue(ecs.range(of: #"healthCheck = each\.value\.health_command == null \? null : \{\n\s+command\s+= \["CMD-SHELL", each\.value\.health_command\]"#,
                                options: .regularExpression) != nil, ecs)
    }

    func testAnEmptyCommandIsRefusedAtItsLine() throws {
        var spec = stack(.compose)
        spec.workers[0].healthCommand?.value = " "
        XCTAssertThrowsError(try Fixtures.renderer.plan(spec)) { error in
            XCTAssertTrue("\(error)".contains("health command of jobs must be non-empty"), "\(error)")
            XCTAssertTrue("\(error)".contains("WorkerHealthTests.swift:"), "\(error)")
        }
    }
}
