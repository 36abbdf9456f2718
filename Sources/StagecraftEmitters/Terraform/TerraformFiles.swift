import StagecraftOutput
import StagecraftPlanner

/// The stack's own Terraform files (`TerraformFile`) in an environment's root module, beside the
/// generated ones, whose names they may not take.
enum TerraformFiles {
    static func files(_ environment: EnvironmentPlan, in folder: String, beside generated: [GeneratedFile]) throws -> [GeneratedFile] {
        let taken = Set(generated.map { $0.path.value })
        return try environment.escapeHatches.compactMap { hatch in
            guard case .terraformFile(let name, let contents) = hatch.change else { return nil }
            let path = "\(folder)/\(name)"
            guard !taken.contains(path) else {
                throw EmitError("\(hatch.declaredAt): error: \(hatch.declaration) would replace the generated \(path); choose another name, or \(name.dropLast(3))_override.tf to override what it declares")
            }
            return try GeneratedFile(path: path, text: contents.hasSuffix("\n") ? contents : contents + "\n", commentStyle: .hash)
        }
    }
}
