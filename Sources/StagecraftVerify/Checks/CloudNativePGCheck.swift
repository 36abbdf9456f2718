import Foundation
import Yams

/// CloudNativePG resources (postgresql.cnpg.io) against the strict CRD schemas shipped with
/// Stagecraft, which also reject unknown fields. Only complete objects are checked — files a
/// kustomization lists as resources — since a patch holds only the fields it changes.
struct CloudNativePGCheck: Check {
    static let kinds = ["Cluster", "Pooler", "Backup", "ScheduledBackup"]

    func tasks(_ output: OutputFolder, _ environment: CheckEnvironment) -> [CheckTask] {
        let resources = Kustomizations(output).resourceFiles
        return output.files.filter { resources.contains($0) }.flatMap { path -> [CheckTask] in
            guard let text = output.text(path), text.contains("postgresql.cnpg.io/"),
                  let documents = try? Array(Yams.load_all(yaml: text)) else { return [] }
            return documents.enumerated().compactMap { index, document in
                guard let object = document as? [String: Any],
                      (object["apiVersion"] as? String)?.hasPrefix("postgresql.cnpg.io/") == true,
                      let kind = object["kind"] as? String else { return nil }
                return task(path, kind: kind, document: index, of: documents.count, text: text, output, environment)
            }
        }
    }

    private func task(_ path: String, kind: String, document: Int, of count: Int, text: String, _ output: OutputFolder, _ environment: CheckEnvironment) -> CheckTask {
        let label = "check-jsonschema cnpg-\(kind.lowercased())"
        return CheckTask(path: path, tool: label) {
            guard Self.kinds.contains(kind) else { return .skipped(path, label, because: "no schema for CloudNativePG \(kind)") }
            guard let schemas = environment.schemas else {
                return .skipped(path, label, because: "Stagecraft's schemas/ folder was not found", hint: "set STAGECRAFT_SCHEMAS to the schemas/ folder of the Stagecraft package")
            }
            let schema = schemas.appendingPathComponent("cnpg-\(kind.lowercased()).strict.schema.json")
            var file: URL?
            if count > 1 {
                // check-jsonschema reads one document per file.
                let single = environment.scratch.appendingPathComponent("cnpg-\(UUID().uuidString).yaml")
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
