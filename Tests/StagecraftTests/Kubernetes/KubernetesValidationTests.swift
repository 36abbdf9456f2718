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
    func testEveryCloudNativePGResourceMatchesItsStrictSchema() throws {
        let checker = try Tools.require("check-jsonschema")
        let schemas = Fixtures.repositoryRoot.appendingPathComponent("schemas")
        let folder = try Fixtures.temporaryDirectory("cnpg")
        defer { try? FileManager.default.removeItem(at: folder) }
        var files: [String: [String]] = [:]
        for rendered in try KubernetesRendering.both() {
            defer { try? FileManager.default.removeItem(at: rendered.root) }
            for environment in rendered.kubernetesEnvironments {
                for object in try rendered.objects(environment.name) where (object["apiVersion"] as? String)?.hasPrefix("postgresql.cnpg.io/") == true {
                    // One document per file: check-jsonschema reads a single document.
                    let file = folder.appendingPathComponent("\(rendered.name)-\(environment.name)-\(object.kind)-\(object.name).yaml")
                    try Yams.dump(object: object).write(to: file, atomically: true, encoding: .utf8)
                    files[object.kind.lowercased(), default: []].append(file.path)
                }
            }
        }
        XCTAssertEqual(Set(files.keys), ["cluster", "scheduledbackup", "pooler"])
        for (kind, paths) in files.sorted(by: { $0.key < $1.key }) {
            let schema = schemas.appendingPathComponent("cnpg-\(kind).strict.schema.json").path
            let result = try Tools.run(checker, ["--schemafile", schema] + paths.sorted())
            XCTAssertEqual(result.status, 0, "\(kind):\n\(result.output)")
        }
    }
}
