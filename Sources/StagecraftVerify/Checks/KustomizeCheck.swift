import Foundation
import Yams

/// Kustomize overlays (a kustomization no other one includes) built with `kubectl kustomize`
/// and the result validated strictly against the Kubernetes 1.31 API by kubernetes-validate.
struct KustomizeCheck: Check {
    static let kubernetesVersion = "1.31"

    func tasks(_ output: OutputFolder, _ environment: CheckEnvironment) -> [CheckTask] {
        let kustomizations = Kustomizations(output)
        return kustomizations.overlays.flatMap { path in
            let folder = OutputFolder.folder(path)
            return [
                CheckTask(path: path, tool: "kubectl kustomize") {
                    environment.with("kubectl", path: path, label: "kubectl kustomize") { kubectl in
                        let build = try ToolRun.run(kubectl, ["kustomize", folder], in: output.root)
                        return build.succeeded ? .passed(path, "kubectl kustomize") : .failed(path, "kubectl kustomize", build.output)
                    }
                },
                CheckTask(path: path, tool: "kubernetes-validate") {
                    let label = "kubernetes-validate"
                    return environment.with("kubectl", path: path, label: label) { kubectl in
                        environment.with(label, path: path) { validator in
                            let build = try ToolRun.run(kubectl, ["kustomize", folder], in: output.root)
                            guard build.succeeded else { return .skipped(path, label, because: "kubectl kustomize failed") }
                            let run = try ToolRun.run(validator, ["--strict", "-k", Self.kubernetesVersion, "-"], input: Data(build.output.utf8))
                            // It prints ERROR lines for invalid resources; some versions exit 0 all the same.
                            guard !run.succeeded || run.output.contains("ERROR") else { return .passed(path, label) }
                            return .failed(path, label, Self.attributed(run.output, sources: kustomizations.sources(of: path, output)))
                        }
                    }
                },
            ]
        }
    }

    /// kubernetes-validate names resources (`horizontalpodautoscaler/web`), not files: each
    /// error line is followed by the generated file that declares the resource.
    static func attributed(_ output: String, sources: [String: String]) -> String {
        let errors = output.split(separator: "\n").filter { !$0.contains("INFO - passed") }
        return errors.map { line -> String in
            guard let range = line.range(of: "for resource "),
                  let resource = line[range.upperBound...].split(separator: " ").first,
                  let file = sources[String(resource)] else { return String(line) }
            return "\(file): \(line)"
        }.joined(separator: "\n")
    }
}

/// The kustomization.yaml files of an output and what they list.
struct Kustomizations {
    /// Each kustomization's path and its `resources:` resolved to output paths.
    let resources: [(path: String, resources: [String])]

    init(_ output: OutputFolder) {
        resources = output.files.filter { OutputFolder.name($0) == "kustomization.yaml" }.map { path in
            let folder = OutputFolder.folder(path)
            let listed = (try? Yams.load(yaml: output.text(path) ?? "") as? [String: Any])?["resources"] as? [String] ?? []
            return (path, listed.map { Self.normalize(folder + $0) })
        }
    }

    /// Kustomizations no other one includes: the ones that are applied.
    var overlays: [String] {
        let included = Set(resources.flatMap(\.resources).map { $0.hasSuffix("/") ? $0 : $0 + "/" })
        return resources.map(\.path).filter { !included.contains(OutputFolder.folder($0)) }
    }

    /// Files some kustomization lists as resources: complete objects, not patches.
    var resourceFiles: Set<String> { Set(resources.flatMap(\.resources)) }

    /// The files an overlay's resources come from, by `kind/name` in lower case as
    /// kubernetes-validate names them (the overlay's own files win over the base's).
    func sources(of kustomization: String, _ output: OutputFolder) -> [String: String] {
        var result: [String: String] = [:]
        var pending = [kustomization]
        var seen: Set<String> = []
        while let next = pending.popLast(), seen.insert(next).inserted {
            for resource in resources.first(where: { $0.path == next })?.resources ?? [] {
                if let nested = resources.first(where: { OutputFolder.folder($0.path) == resource + "/" }) {
                    pending.insert(nested.path, at: 0)
                    continue
                }
                for document in (try? Yams.load_all(yaml: output.text(resource) ?? "")).map(Array.init) ?? [] {
                    guard let object = document as? [String: Any], let kind = object["kind"] as? String,
                          let name = (object["metadata"] as? [String: Any])?["name"] as? String else { continue }
                    let key = "\(kind.lowercased())/\(name)"
                    if result[key] == nil { result[key] = resource }
                }
            }
        }
        return result
    }

    /// `a/b/../c` → `a/c`.
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == ".." { _ = parts.popLast() } else if part != "." { parts.append(part) }
        }
        return parts.joined(separator: "/")
    }
}
