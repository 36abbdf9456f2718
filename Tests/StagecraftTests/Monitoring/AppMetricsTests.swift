import Foundation
import Stagecraft
import StagecraftOutput
import StagecraftPlanner
import XCTest
import Yams

/// A workload's `ServesMetrics` is scraped from every instance: on Compose a Prometheus job
/// that finds the replicas through the service's name, on Kubernetes a PodMonitor on the
/// workload's pods and a port the monitoring namespace may reach. (The shop's rehearsal
/// scrapes its web replicas for real; the Kubernetes tests check the PodMonitor selects pods
/// that have the port.)
final class AppMetricsTests: XCTestCase {
    private func stack(_ platform: PlatformKind) -> StackSpec {
        Stack("shop", stage: .growth) {
            Service("web") { Image("ghcr.io/acme/web"); Port(8080); HealthCheck("/healthz"); ServesMetrics("/internal/metrics") }
            Worker("jobs") { Image("ghcr.io/acme/jobs"); Queue(on: "cache"); ServesMetrics("/metrics", port: 9102) }
            Worker("mailer") { Image("ghcr.io/acme/mailer"); Queue(on: "cache") }
            Postgres("db")
            Redis("cache")
            LoadBalancer(domain: "shop.example.com")
            Platform(platform)
            Account("111122223333")
        }.spec
    }

    func testComposeScrapesEveryReplicaOfEachWorkloadThatServesMetrics() throws {
        let files = try Fixtures.renderer.render(stack(.compose)).files
        let text = try XCTUnwrap(files["environments/production/monitoring/prometheus.yml"]).text
        let config = try XCTUnwrap(try Yams.load(yaml: text) as? [String: Any])
        let jobs = Dictionary(uniqueKeysWithValues: (config["scrape_configs"] as? [[String: Any]] ?? []).map { ($0["job_name"] as? String ?? "", $0) })
        for (workload, path, port) in [("web", "/internal/metrics", 8080), ("jobs", "/metrics", 9102)] {
            let job = try XCTUnwrap(jobs["app-\(workload)"], "\(jobs.keys)")
            XCTAssertEqual(job["metrics_path"] as? String, path)
            let discovery = try XCTUnwrap((job["dns_sd_configs"] as? [[String: Any]])?.first)
            XCTAssertEqual(discovery["names"] as? [String], [workload])
            XCTAssertEqual(discovery["type"] as? String, "A")
            XCTAssertEqual(discovery["port"] as? Int, port)
        }
        XCTAssertNil(jobs["app-mailer"])
        let promtool = try Tools.require("promtool")
        let directory = try Fixtures.temporaryDirectory("app-metrics")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("prometheus.yml")
        // The rule file it names is checked elsewhere; here the scrape configuration alone.
        try text.replacingOccurrences(of: "- /etc/prometheus/rules.yml", with: "[]").replacingOccurrences(of: "rule_files:\n[]", with: "rule_files: []")
            .write(to: file, atomically: true, encoding: .utf8)
        let checked = try Tools.run(promtool, ["check", "config", "--syntax-only", file.path])
        XCTAssertEqual(checked.status, 0, checked.output)
    }

    func testKubernetesMonitorsTheWorkloadsPodsOnTheirMetricsPort() throws {
        let files = try Fixtures.renderer.render(stack(.kubernetes)).files
        let overlay = "kubernetes/overlays/production"
        func object(_ file: String) throws -> [String: Any]? {
            guard let text = files["\(overlay)/\(file)"]?.text else { return nil }
            return try Yams.load(yaml: text) as? [String: Any]
        }
        func monitor(_ name: String) throws -> [String: Any]? { try object("\(name)-podmonitor.yaml")?["spec"] as? [String: Any] }
        let web = try XCTUnwrap(try monitor("web-metrics")), jobs = try XCTUnwrap(try monitor("jobs-metrics"))
        XCTAssertNil(try monitor("mailer-metrics"))
        XCTAssertEqual((web["podMetricsEndpoints"] as? [[String: Any]])?.first?["port"] as? String, "http", "web serves them on its own port")
        XCTAssertEqual((web["podMetricsEndpoints"] as? [[String: Any]])?.first?["path"] as? String, "/internal/metrics")
        XCTAssertEqual((jobs["podMetricsEndpoints"] as? [[String: Any]])?.first?["port"] as? String, "metrics")
        let patch = try XCTUnwrap(files["\(overlay)/patches/jobs-deployment.yaml"]).text
        XCTAssertTrue(patch.contains("- name: metrics\n          containerPort: 9102\n          protocol: TCP"), patch)
        let policy = try XCTUnwrap(try object("from-monitoring-networkpolicy.yaml"))
        let ports = (((policy["spec"] as? [String: Any])?["ingress"] as? [[String: Any]])?.first?["ports"] as? [[String: Any]] ?? []).compactMap { $0["port"] as? Int }
        XCTAssertTrue(ports.contains(9102) && ports.contains(8080), "\(ports)")
    }

    func testAWorkerWithoutAPortMustNameOne() throws {
        var spec = stack(.compose)
        spec.workers[0].metrics?.value.port = nil
        XCTAssertThrowsError(try Fixtures.renderer.plan(spec)) { error in
            XCTAssertTrue("\(error)".contains("jobs has no Port to serve its metrics on"), "\(error)")
            XCTAssertTrue("\(error)".contains("AppMetricsTests.swift:"), "\(error)")
        }
    }
}
