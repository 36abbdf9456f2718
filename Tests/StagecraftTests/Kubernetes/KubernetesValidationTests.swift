import Foundation
import XCTest
import Yams

/// The overlays as the tools that consume them see them: kubectl + kubernetes-validate
/// (strict, Kubernetes 1.31), the CloudNativePG CRD schemas, and checkov.
final class KubernetesValidationTests: XCTestCase {
    func testEveryOverlayBuildsAndValidatesStrictlyAgainstKubernetes131() throws {
        let validator = try Tools.require("kubernetes-validate")
        for rendered in try KubernetesRendering.both() {
            defer { try? FileManager.default.removeItem(at: rendered.root) }
            XCTAssertEqual(rendered.kubernetesEnvironments.map(\.name), ["development", "staging", "production"], rendered.name)
            for environment in rendered.kubernetesEnvironments {
                let manifests = try rendered.build(environment.name)
                let result = try Tools.run(validator, ["--strict", "-k", "1.31", "-"], input: manifests)
                XCTAssertEqual(result.status, 0, "\(rendered.name)/\(environment.name):\n\(result.output)")
                XCTAssertFalse(result.output.contains("ERROR"), "\(rendered.name)/\(environment.name):\n\(result.output)")
            }
        }
    }
}

extension KubernetesValidationTests {
    /// Every custom resource of every overlay and cluster folder — CloudNativePG's, the External
    /// Secrets Operator's, cert-manager's — and the throwaway cluster the restore test creates,
    /// against the strict schemas of the operators' CRDs.
    func testEveryCustomResourceMatchesItsStrictSchema() throws {
        let checker = try Tools.require("check-jsonschema")
        let schemas = Fixtures.repositoryRoot.appendingPathComponent("schemas")
        let folder = try Fixtures.temporaryDirectory("custom-resources")
        defer { try? FileManager.default.removeItem(at: folder) }
        let prefixes = ["postgresql.cnpg.io/": "cnpg", "external-secrets.io/": "eso", "cert-manager.io/": "certmanager"]
        var files: [String: [String]] = [:]
        func add(_ object: [String: Any], _ label: String) throws {
            guard let apiVersion = object["apiVersion"] as? String, let prefix = prefixes.first(where: { apiVersion.hasPrefix($0.key) })?.value else { return }
            // One document per file: check-jsonschema reads a single document.
            let file = folder.appendingPathComponent("\(label)-\(object.kind)-\(object.name).yaml")
            try Yams.dump(object: object).write(to: file, atomically: true, encoding: .utf8)
            files["\(prefix)-\(object.kind.lowercased())", default: []].append(file.path)
        }
        for rendered in try KubernetesRendering.both() {
            defer { try? FileManager.default.removeItem(at: rendered.root) }
            for environment in rendered.kubernetesEnvironments {
                let label = "\(rendered.name)-\(environment.name)"
                let objects = try rendered.objects(environment.name)
                for object in objects { try add(object, label) }
                let cluster = try Tools.run(try Tools.require("kubectl"), ["kustomize", "kubernetes/cluster/\(environment.name)"], in: rendered.root)
                XCTAssertEqual(cluster.status, 0, cluster.output)
                for object in try Yams.load_all(yaml: cluster.output).compactMap({ $0 as? [String: Any] }) { try add(object, label) }
                // The restore test's cluster, as its script completes it with a recovery target.
                for cronJob in objects where cronJob.kind == "CronJob" && cronJob.name.hasSuffix("-restore-test-runner") {
                    let env = (cronJob.value(at: "spec.jobTemplate.spec.template.spec.containers") as? [[String: Any]])?.first?["env"] as? [[String: Any]] ?? []
                    let json = try XCTUnwrap(env.first { $0["name"] as? String == "CLUSTER" }?["value"] as? String)
                    // JSON is YAML: Yams keeps its booleans booleans.
                    var restored = try XCTUnwrap(try Yams.load(yaml: json) as? [String: Any])
                    var spec = restored["spec"] as? [String: Any] ?? [:]
                    var bootstrap = spec["bootstrap"] as? [String: Any] ?? [:]
                    var recovery = bootstrap["recovery"] as? [String: Any] ?? [:]
                    recovery["recoveryTarget"] = ["targetTime": "2026-12-01T00:00:00.000000Z"]
                    bootstrap["recovery"] = recovery
                    spec["bootstrap"] = bootstrap
                    restored["spec"] = spec
                    try add(restored, label)
                }
            }
        }
        XCTAssertEqual(Set(files.keys), [
            "cnpg-cluster", "cnpg-scheduledbackup", "cnpg-pooler", "eso-externalsecret", "eso-clustersecretstore",
            "certmanager-certificate", "certmanager-clusterissuer",
        ])
        XCTAssertTrue(files["cnpg-cluster", default: []].contains { $0.contains("db-restore-test") }, "the restore test's cluster is checked")
        for (schema, paths) in files.sorted(by: { $0.key < $1.key }) {
            let result = try Tools.run(checker, ["--schemafile", schemas.appendingPathComponent("\(schema).strict.schema.json").path] + paths.sorted())
            XCTAssertEqual(result.status, 0, "\(schema):\n\(result.output)")
        }
    }
}
