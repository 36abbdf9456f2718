import Foundation
import XCTest

/// Staging rehearses production's topology at smaller counts; development is one of everything.
final class KubernetesEnvironmentShapeTests: XCTestCase {
    func testStagingHasProductionsKindsAtSmallerCounts() throws {
        for rendered in try KubernetesRendering.both() {
            defer { try? FileManager.default.removeItem(at: rendered.root) }
            let staging = try rendered.objects("staging")
            let production = try rendered.objects("production")
            XCTAssertEqual(Set(staging.map(\.kind)), Set(production.map(\.kind)), rendered.name)
            XCTAssertEqual(Set(staging.map(identity)), Set(production.map(identity)), rendered.name)

            var smaller = 0
            for object in production {
                guard let twin = staging.first(where: { $0.kind == object.kind && $0.name == object.name }) else { continue }
                for path in ["spec.minReplicas", "spec.maxReplicas", "spec.replicas", "spec.instances"] {
                    guard let big = object.value(at: path) as? Int, let small = twin.value(at: path) as? Int else { continue }
                    XCTAssertLessThanOrEqual(small, big, "\(rendered.name): \(object.kind)/\(object.name) \(path)")
                    if small < big { smaller += 1 }
                }
            }
            XCTAssertGreaterThan(smaller, 0, "\(rendered.name): staging is not smaller than production anywhere")
            XCTAssertTrue(staging.contains { $0.kind == "HorizontalPodAutoscaler" }, rendered.name)
        }
    }

    /// An object's kind and name, without what differs by design (the namespace, a ConfigMap's content hash).
    private func identity(_ object: [String: Any]) -> String {
        switch object.kind {
        case "Namespace": "Namespace"
        case "ConfigMap": "ConfigMap/" + object.name.split(separator: "-").dropLast().joined(separator: "-")
        default: "\(object.kind)/\(object.name)"
        }
    }

    func testDevelopmentHasNoAutoscalerNoDisruptionBudgetAndOneInstanceOfEverything() throws {
        for rendered in try KubernetesRendering.both() {
            defer { try? FileManager.default.removeItem(at: rendered.root) }
            let objects = try rendered.objects("development")
            let kinds = Set(objects.map(\.kind))
            XCTAssertFalse(kinds.contains("HorizontalPodAutoscaler"), rendered.name)
            XCTAssertFalse(kinds.contains("PodDisruptionBudget"), rendered.name)
            XCTAssertFalse(kinds.contains("ScheduledBackup"), rendered.name)
            for object in objects where ["Deployment", "StatefulSet"].contains(object.kind) {
                XCTAssertEqual(object.value(at: "spec.replicas") as? Int, 1, "\(rendered.name): \(object.kind)/\(object.name)")
                XCTAssertNil(object.value(at: "spec.template.spec.topologySpreadConstraints"), "\(rendered.name): \(object.name) spreads over one zone")
            }
            for object in objects where ["Cluster", "Pooler"].contains(object.kind) {
                XCTAssertEqual(object.value(at: "spec.instances") as? Int, 1, "\(rendered.name): \(object.kind)/\(object.name)")
            }
            XCTAssertFalse(objects.contains { $0.name.hasSuffix("-replica") }, "\(rendered.name): development has no cache replica")
        }
    }

    func testProductionSpreadsAcrossZonesAndPostgresHasReplicasBackupsAndAPooler() throws {
        let rendered = try KubernetesRendering.marketplace()
        defer { try? FileManager.default.removeItem(at: rendered.root) }
        let objects = try rendered.objects("production")
        let web = try XCTUnwrap(objects.first { $0.kind == "Deployment" && $0.name == "web" })
        let spread = try XCTUnwrap(web.value(at: "spec.template.spec.topologySpreadConstraints") as? [[String: Any]])
        XCTAssertEqual(spread.first?["topologyKey"] as? String, "topology.kubernetes.io/zone")
        XCTAssertNil(web.value(at: "spec.replicas"), "an autoscaled Deployment leaves replicas to its autoscaler")
        let autoscaler = try XCTUnwrap(objects.first { $0.kind == "HorizontalPodAutoscaler" && $0.name == "web" })
        XCTAssertEqual(autoscaler.value(at: "spec.minReplicas") as? Int, 6)
        XCTAssertEqual(autoscaler.value(at: "spec.maxReplicas") as? Int, 60)

        let cluster = try XCTUnwrap(objects.first { $0.kind == "Cluster" })
        XCTAssertEqual(cluster.value(at: "spec.instances") as? Int, 4, "a primary and three read replicas")
        XCTAssertEqual(cluster.value(at: "spec.storage.size") as? String, "500Gi")
        XCTAssertEqual(cluster.value(at: "spec.affinity.topologyKey") as? String, "topology.kubernetes.io/zone")
        XCTAssertEqual(cluster.value(at: "spec.backup.retentionPolicy") as? String, "35d")
        XCTAssertNotNil(cluster.value(at: "spec.backup.barmanObjectStore.wal"), "WAL archiving")
        XCTAssertEqual(cluster.value(at: "spec.postgresql.parameters.log_min_duration_statement") as? String, "200")
        XCTAssertEqual(cluster.value(at: "spec.postgresql.parameters.archive_timeout") as? String, "150s", "half the five-minute RPO")
        let schedules = objects.filter { $0.kind == "ScheduledBackup" }.compactMap { $0.value(at: "spec.schedule") as? String }
        XCTAssertEqual(schedules.sorted(), ["0 0 2 * * 0", "0 0 2 * * 1-6"], "six fields, seconds first")
        let pooler = try XCTUnwrap(objects.first { $0.kind == "Pooler" })
        XCTAssertEqual(pooler.value(at: "spec.type") as? String, "rw")

        let api = try XCTUnwrap(objects.first { $0.kind == "ConfigMap" && $0.name.hasPrefix("api-config-") })
        XCTAssertEqual(api.value(at: "data.DB_HOST") as? String, "db-pooler-rw")
        XCTAssertEqual(api.value(at: "data.DB_READ_HOST") as? String, "db-ro")
    }

    func testSecretsAreOnlyReferencedByName() throws {
        let rendered = try KubernetesRendering.marketplace()
        defer { try? FileManager.default.removeItem(at: rendered.root) }
        let objects = try rendered.objects("production")
        XCTAssertFalse(objects.contains { $0.kind == "Secret" })
        let api = try XCTUnwrap(objects.first { $0.kind == "Deployment" && $0.name == "api" })
        let container = try XCTUnwrap((api.value(at: "spec.template.spec.containers") as? [[String: Any]])?.first)
        let env = try XCTUnwrap(container["env"] as? [[String: Any]])
        XCTAssertTrue(env.allSatisfy { $0["value"] == nil && $0.value(at: "valueFrom.secretKeyRef.name") != nil })
        func source(_ name: String) -> String? {
            env.first { $0["name"] as? String == name }.flatMap { $0.value(at: "valueFrom.secretKeyRef.name") as? String }
        }
        XCTAssertEqual(source("DB_PASSWORD"), "db-app")
        XCTAssertEqual(source("PAYMENTS_API_KEY"), "api-secrets")
        XCTAssertEqual(source("CACHE_PASSWORD"), "cache-secrets")
    }
}
