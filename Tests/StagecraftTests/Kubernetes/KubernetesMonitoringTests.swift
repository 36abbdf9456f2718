import Foundation
import StagecraftEmitters
import XCTest

/// The prometheus-operator resources of the built overlays refer to what exists: each
/// PodMonitor selects a CloudNativePG cluster or pooler, or pods with a `metrics` port; each
/// health Probe names a Service and its port; the rules ask about this namespace only; and a
/// NetworkPolicy lets the monitoring namespace reach every port scraped or probed. (The
/// objects' schemas and the rules' syntax are `stagecraft verify`'s: strict CRD schemas and promtool.)
final class KubernetesMonitoringTests: XCTestCase {
    func testMonitorsProbesAndRulesReferToWhatTheOverlayRuns() throws {
        let rendered = try KubernetesRendering.marketplace()
        for environment in rendered.kubernetesEnvironments {
            let objects = try rendered.objects(environment.name)
            func named(_ kind: String) -> [[String: Any]] { objects.filter { $0["kind"] as? String == kind } }
            func name(_ object: [String: Any]) -> String { (object["metadata"] as? [String: Any])?["name"] as? String ?? "" }
            let namespace = (named("Namespace").first.map(name)) ?? ""
            let monitors = named("PodMonitor"), probes = named("Probe"), rules = named("PrometheusRule")
            guard environment.monitoring.metrics else {
                XCTAssertTrue(monitors.isEmpty && probes.isEmpty && rules.isEmpty, "\(environment.name) has no metrics, yet monitoring objects")
                continue
            }
            XCTAssertEqual(rules.count, 1, environment.name)

            // Pods and the names of their ports, by their labels.
            let templates = (named("Deployment") + named("StatefulSet")).compactMap { object -> (labels: [String: String], ports: [String])? in
                let template = ((object["spec"] as? [String: Any])?["template"] as? [String: Any])
                let labels = (template?["metadata"] as? [String: Any])?["labels"] as? [String: String] ?? [:]
                let containers = (template?["spec"] as? [String: Any])?["containers"] as? [[String: Any]] ?? []
                return (labels, containers.flatMap { ($0["ports"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String } })
            }
            let clusters = Set(named("Cluster").map(name)), poolers = Set(named("Pooler").map(name))
            for monitor in monitors {
                let spec = monitor["spec"] as? [String: Any]
                let selector = (spec?["selector"] as? [String: Any])?["matchLabels"] as? [String: String] ?? [:]
                let endpoints = spec?["podMetricsEndpoints"] as? [[String: Any]] ?? []
                let ports = endpoints.compactMap { $0["port"] as? String }
                XCTAssertEqual(ports.count, 1, name(monitor))
                if let cluster = selector["cnpg.io/cluster"] {
                    XCTAssertTrue(clusters.contains(cluster), "\(name(monitor)) selects cluster \(cluster), which is not in \(environment.name)")
                } else if let pooler = selector["cnpg.io/poolerName"] {
                    XCTAssertTrue(poolers.contains(pooler), "\(name(monitor)) selects pooler \(pooler), which is not in \(environment.name)")
                } else {
                    let matching = templates.filter { template in selector.allSatisfy { template.labels[$0.key] == $0.value } }
                    XCTAssertFalse(matching.isEmpty, "\(name(monitor)) selects no pod in \(environment.name)")
                    XCTAssertTrue(matching.allSatisfy { $0.ports.contains(ports.first ?? "") }, "\(name(monitor)): a selected pod has no port \(ports)")
                }
            }

            // Health probes name a Service of this namespace, on a port it has.
            let services = Dictionary(uniqueKeysWithValues: named("Service").map { service in
                (name(service), ((service["spec"] as? [String: Any])?["ports"] as? [[String: Any]] ?? []).compactMap { $0["port"] as? Int })
            })
            for probe in probes {
                let targets = ((probe["spec"] as? [String: Any])?["targets"] as? [String: Any])?["staticConfig"] as? [String: Any]
                let labels = targets?["labels"] as? [String: String] ?? [:]
                guard labels["check"] == "health" else { continue }
                for url in targets?["static"] as? [String] ?? [] {
                    let match = try XCTUnwrap(url.wholeMatch(of: /http:\/\/([a-z0-9-]+)\.([a-z0-9-]+)\.svc:(\d+)\/.*/), url)
                    XCTAssertEqual(String(match.2), namespace, url)
                    let port = Int(match.3)!
                    XCTAssertTrue(services[String(match.1)]?.contains(port) == true, "\(url): no such Service port")
                }
            }
            XCTAssertEqual(Set(probes.compactMap { ((($0["spec"] as? [String: Any])?["targets"] as? [String: Any])?["staticConfig"] as? [String: Any])?["labels"] as? [String: String] }.compactMap { $0["service"] }),
                           Set(environment.services.filter { $0.port != nil && $0.healthCheck != nil }.map(\.name)))

            // Every series the rules read (and record) is this namespace's.
            let groups = (rules[0]["spec"] as? [String: Any])?["groups"] as? [[String: Any]] ?? []
            for rule in groups.flatMap({ $0["rules"] as? [[String: Any]] ?? [] }) {
                let expression = rule["expr"] as? String ?? ""
                XCTAssertTrue(expression.contains("namespace=\"\(namespace)\""), "\(rule["alert"] ?? rule["record"] ?? ""): \(expression)")
            }

            // The monitoring namespace reaches what it scrapes and probes.
            let policy = try XCTUnwrap(named("NetworkPolicy").first { name($0) == "from-monitoring" }, environment.name)
            let ingress = ((policy["spec"] as? [String: Any])?["ingress"] as? [[String: Any]])?.first
            let ports = Set((ingress?["ports"] as? [[String: Any]] ?? []).compactMap { $0["port"] as? Int })
            let appPorts = Set(environment.services.compactMap(\.port))
            XCTAssertTrue(ports.isSuperset(of: appPorts.union([MonitoringPorts.cnpg, MonitoringPorts.pooler, MonitoringPorts.redis])), "\(ports)")
        }
    }
}

/// The metrics ports of CloudNativePG's instances and poolers and of the Redis exporter.
private enum MonitoringPorts {
    static let cnpg = 9187, pooler = 9127, redis = 9121
}
