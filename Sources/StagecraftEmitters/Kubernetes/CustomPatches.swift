import StagecraftOutput
import StagecraftPlanner

/// The stack's own `KubernetesPatch` blocks for one overlay: each a file under `custom/`, listed
/// after the generated patches in the kustomization so kustomize applies it last. Each must
/// name an object the overlay has.
struct CustomPatches {
    let environment: EnvironmentPlan
    /// Everything the overlay builds (the base's objects and its own), by kind and name.
    let objects: [KubernetesObject]

    static let folder = "custom"

    /// The patch files, and their entries in the kustomization's `patches`.
    func render(in overlayFolder: String) throws -> (files: [GeneratedFile], entries: [YAML]) {
        var files: [GeneratedFile] = []
        var entries: [YAML] = []
        for hatch in environment.escapeHatches {
            let target: KubernetesTarget, document: YAML, entry: (String) -> YAML
            switch hatch.change {
            case .kubernetesPatch(let patchTarget, let patch):
                let object = try self.object(patchTarget, hatch)
                target = patchTarget
                document = Self.naming(object, patch)
                entry = { kubeMap(("path", .string($0))) }
            case .kubernetesOperations(let patchTarget, let operations):
                let object = try self.object(patchTarget, hatch)
                target = patchTarget
                document = YAML(operations)
                let parts = object.apiVersion.split(separator: "/").map(String.init)
                entry = { path in
                    kubeMap(("path", .string(path)), ("target", kubeMap(
                        ("group", parts.count == 2 ? .string(parts[0]) : nil), ("version", .string(parts.last!)),
                        ("kind", .string(object.kind)), ("name", .string(object.name))
                    )))
                }
            default:
                continue
            }
            let name = "\(Self.folder)/\(files.count + 1)-\(target.kind.lowercased())-\(target.name).yaml"
            files.append(try GeneratedFile(path: "\(overlayFolder)/\(name)", text: try document.serialized(), commentStyle: .hash))
            entries.append(entry(name))
        }
        return (files, entries)
    }

    /// A strategic-merge patch names its object itself: its apiVersion, kind and name first,
    /// then the patch as written (a `null` in it deletes that field, as kustomize reads it).
    static func naming(_ object: KubernetesObject, _ patch: PatchValue) -> YAML {
        guard case .map(let entries) = YAML(patch) else { return YAML(patch) }
        var metadata: [(String, YAML)] = [("name", .string(object.name))]
        if case .map(let declared)? = entries.first(where: { $0.0 == "metadata" })?.1 { metadata += declared }
        return .map([("apiVersion", .string(object.apiVersion)), ("kind", .string(object.kind)), ("metadata", .map(metadata))]
            + entries.filter { $0.0 != "metadata" })
    }

    private func object(_ target: KubernetesTarget, _ hatch: EscapeHatch) throws -> KubernetesObject {
        guard let object = objects.first(where: { $0.kind == target.kind && $0.name == target.name }) else {
            let sameKind = objects.filter { $0.kind == target.kind }.map { "\($0.kind)/\($0.name)" }
            let known = sameKind.isEmpty ? Set(objects.map(\.kind)).sorted().joined(separator: ", ") : sameKind.joined(separator: ", ")
            throw EmitError("\(hatch.declaredAt): error: \(hatch.declaration): the \(environment.name) overlay has no \(target); it has \(known)")
        }
        return object
    }
}
