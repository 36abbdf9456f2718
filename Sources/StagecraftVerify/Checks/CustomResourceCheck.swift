import Foundation
import Yams

/// Custom resources — CloudNativePG's (postgresql.cnpg.io), prometheus-operator's
/// (monitoring.coreos.com), the External Secrets Operator's (external-secrets.io) and
/// cert-manager's (cert-manager.io) — against the strict CRD schemas shipped with Stagecraft, which also
/// reject unknown fields. Only complete objects are checked — files a kustomization lists as
/// resources — since a patch holds only the fields it changes.
struct CustomResourceCheck: Check {
    /// An API group, the prefix of its schemas' file names, and the kinds there is a schema for.
    static let groups: [(apiVersion: String, schemaPrefix: String, kinds: [String])] = [
        ("postgresql.cnpg.io/", "cnpg", ["Cluster", "Pooler", "Backup", "ScheduledBackup"]),
        ("monitoring.coreos.com/", "prometheus", ["PrometheusRule", "PodMonitor", "Probe", "ServiceMonitor"]),
        ("external-secrets.io/", "eso", ["ExternalSecret", "ClusterSecretStore"]),
        ("cert-manager.io/", "certmanager", ["Certificate", "ClusterIssuer"]),
    ]

    func tasks(_ output: OutputFolder, _ environment: CheckEnvironment) -> [CheckTask] {
        let resources = Kustomizations(output).resourceFiles
        return output.files.filter { resources.contains($0) }.flatMap { path -> [CheckTask] in
            guard let text = output.text(path), Self.groups.contains(where: { text.contains($0.apiVersion) }),
                  let documents = try? Array(Yams.load_all(yaml: text)) else { return [] }
            return documents.enumerated().compactMap { index, document in
                guard let object = document as? [String: Any], let apiVersion = object["apiVersion"] as? String,
                      let group = Self.groups.first(where: { apiVersion.hasPrefix($0.apiVersion) }),
                      let kind = object["kind"] as? String else { return nil }
                return task(path, group: group, kind: kind, document: index, of: documents.count, text: text, output, environment)
            }
        }
    }

    private func task(_ path: String, group: (apiVersion: String, schemaPrefix: String, kinds: [String]), kind: String, document: Int, of count: Int,
                      text: String, _ output: OutputFolder, _ environment: CheckEnvironment) -> CheckTask {
        let label = "check-jsonschema \(group.schemaPrefix)-\(kind.lowercased())"
        return CheckTask(path: path, tool: label) {
            guard group.kinds.contains(kind) else { return .skipped(path, label, because: "no schema for \(group.apiVersion) \(kind)") }
            guard let schemas = environment.schemas else {
                return .skipped(path, label, because: "Stagecraft's schemas/ folder was not found", hint: "set STAGECRAFT_SCHEMAS to the schemas/ folder of the Stagecraft package")
            }
            let schema = schemas.appendingPathComponent("\(group.schemaPrefix)-\(kind.lowercased()).strict.schema.json")
            var file: URL?
            if count > 1 {
                // check-jsonschema reads one document per file.
                let single = environment.scratch.appendingPathComponent("\(group.schemaPrefix)-\(UUID().uuidString).yaml")
                do {
                    try Yams.dump(object: try Array(Yams.load_all(yaml: text))[document]).write(to: single, atomically: true, encoding: .utf8)
                } catch {
                    return .failed(path, label, "\(error)")
                }
                file = single
            }
            return SchemaCheck(schemaArguments: ["--schemafile", schema.path], label: label).task(path, output, environment, file: file).run()
        }
    }
}
