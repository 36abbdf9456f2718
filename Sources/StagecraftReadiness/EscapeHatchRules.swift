import StagecraftPlanner
import StagecraftSpec

/// Escape hatches change what the DSL has no declaration for. One that changes what a
/// declaration manages works until the declaration changes, and then silently wins or loses.
enum EscapeHatchRules {
    static let all = [managedFields]

    static let managedFields = ReadinessRule(
        id: "SC140-escape-hatch-managed-field",
        summary: "Escape hatches change only what the DSL has no declaration for",
        severity: Staged(base: .warning)
    ) { context in
        guard let plan = context.plan else { return [] }
        var violations: [Violation] = []
        for environment in plan.environments {
            for hatch in environment.escapeHatches {
                violations += check(hatch, in: environment, spec: context.spec)
            }
        }
        return violations
    }

    /// What a declaration manages in a workload's Deployment, by path (`[]` for any list item).
    static let deploymentFields: [(path: String, declaration: String)] = [
        ("spec.replicas", "Replicas"),
        ("spec.template.spec.containers[].image", "Image"),
        ("spec.template.spec.containers[].resources", "Resources"),
        ("spec.template.spec.containers[].env", "Config or Secret"),
        ("spec.template.spec.containers[].envFrom", "Config or Secret"),
        ("spec.template.spec.containers[].livenessProbe", "HealthCheck"),
        ("spec.template.spec.containers[].readinessProbe", "HealthCheck"),
        ("spec.template.spec.containers[].startupProbe", "HealthCheck"),
        ("spec.template.spec.containers[].command", "Command"),
        ("spec.template.spec.containers[].args", "Command"),
        ("spec.template.spec.containers[].ports", "Port"),
    ]

    static let autoscalerFields: [(path: String, declaration: String)] = [
        ("spec.minReplicas", "Replicas"), ("spec.maxReplicas", "Replicas"), ("spec.metrics", "Replicas"),
    ]

    /// The same in a workload's Compose service, under `services.<name>`.
    static let composeServiceFields: [(path: String, declaration: String)] = [
        ("image", "Image"), ("deploy.replicas", "Replicas"), ("deploy.resources", "Resources"),
        ("environment", "Config or Secret"), ("env_file", "Config or Secret"), ("healthcheck", "HealthCheck"),
        ("command", "Command"), ("ports", "Port"),
    ]

    private static func check(_ hatch: EscapeHatch, in environment: EnvironmentPlan, spec: StackSpec) -> [Violation] {
        let workloads = spec.services + spec.workers
        func violations(_ paths: [String], fields: [(path: String, declaration: String)], workload: WorkloadSpec, prefix: String = "") -> [Violation] {
            var seen: Set<String> = []
            return fields.compactMap { field in
                let full = prefix + field.path
                guard paths.contains(where: { $0 == full || $0.hasPrefix(full + ".") || $0.hasPrefix(full + "[") }),
                      seen.insert(field.declaration).inserted else { return nil }
                return Violation(
                    "\(hatch.declaration) changes \(full) in \(environment.name), which \(field.declaration) manages: the declaration would then no longer decide it",
                    at: hatch.declaredAt,
                    fix: Fix("\(field.declaration)(…)", DSL.inside(DSL.service(workload), workload.location) + ", or in Override(\(DSL.string(workload.name))) { … } of \(environment.name)"))
            }
        }
        switch hatch.change {
        case .kubernetesPatch(let target, let patch), .kubernetesOperations(let target, let patch):
            guard let workload = workloads.first(where: { $0.name == target.name }) else { return [] }
            let paths: [String]
            if case .kubernetesOperations = hatch.change { paths = operationPaths(patch) } else { paths = mergePaths(patch) }
            switch target.kind {
            case "Deployment": return violations(paths, fields: deploymentFields, workload: workload)
            case "HorizontalPodAutoscaler": return violations(paths, fields: autoscalerFields, workload: workload)
            default: return []
            }
        case .composeOverride(let patch):
            let paths = mergePaths(patch)
            return workloads.flatMap { violations(paths, fields: composeServiceFields, workload: $0, prefix: "services.\($0.name).") }
        case .terraformFile(let name, _) where name.hasSuffix("_override.tf"):
            return [Violation(
                "\(hatch.declaration) in \(environment.name) is a Terraform override file: it changes generated blocks, whose values the stack's declarations and stage decide",
                at: hatch.declaredAt,
                fix: Fix("a declaration of the stack", "where one exists for what it changes; keep the override for what none manages"))]
        case .terraformFile, .deployStep:
            return []
        }
    }

    /// Every leaf path of a merge patch (`spec.template.spec.containers[].image`).
    static func mergePaths(_ value: PatchValue, prefix: String = "") -> [String] {
        switch value {
        case .map(let entries):
            guard !entries.isEmpty else { return [prefix] }
            return entries.flatMap { mergePaths($0.value, prefix: prefix.isEmpty ? $0.key : "\(prefix).\($0.key)") }
        case .list(let items):
            guard !items.isEmpty else { return [prefix] }
            return items.flatMap { mergePaths($0, prefix: prefix + "[]") }
        default:
            return [prefix]
        }
    }

    /// The paths JSON Patch operations change, each pointer as a merge path: list indexes and
    /// `-` become `[]`, `~1` and `~0` their characters (with the value an `add` sets, below it).
    static func operationPaths(_ operations: PatchValue) -> [String] {
        guard case .list(let items) = operations else { return [] }
        return items.flatMap { item -> [String] in
            guard case .string(let pointer)? = item["path"] else { return [] }
            var path = ""
            for segment in pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
                let token = segment.replacing("~1", with: "/").replacing("~0", with: "~")
                if token == "-" || (!token.isEmpty && token.allSatisfy(\.isNumber)) { path += "[]" } else { path += path.isEmpty ? token : ".\(token)" }
            }
            guard let value = item["value"] else { return [path] }
            return mergePaths(value, prefix: path)
        }
    }
}
