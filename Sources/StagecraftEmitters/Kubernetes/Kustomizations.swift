import StagecraftOutput
import StagecraftPlanner

/// The two kinds of kustomization.yaml: the base lists the stack's shared shape; an overlay
/// names the environment's namespace, images, config and patches, and adds the resources only
/// some environments have.
enum Kustomizations {
    static let apiVersion = "kustomize.config.k8s.io/v1beta1"
    /// The tag committed in the overlays. The deploy job runs each image by the digest CI
    /// pushed instead; applying an overlay by hand needs `kustomize edit set image` first.
    static let placeholderTag = "set-at-deploy"
    /// Labels the generated ConfigMaps, so a canary deploy can apply them ahead of the canaries.
    static let configLabel = "stagecraft.io/role"

    static func base(resources: [String]) throws -> GeneratedFile {
        let header = """
            # The stack's shared shape: hardened Deployments, Services, the Redis primaries, the
            # CloudNativePG clusters and the network policies that hold in every environment.
            # It is not applied on its own: each overlays/<environment> adds what its plan decides.

            """
        var document = YAMLMap()
        document.set("apiVersion", .string(apiVersion))
        document.set("kind", "Kustomization")
        document.set("resources", .list(resources.map { .string($0) }))
        return try GeneratedFile(path: "kubernetes/base/kustomization.yaml", text: header + document.yaml.serialized(), commentStyle: .hash)
    }

    struct Overlay {
        var stack: String
        var environment: EnvironmentPlan
        var namespace: String
        var resources: [String]
        /// Entries of `patches`: the generated ones, then the stack's own (`KubernetesPatch`).
        var patches: [YAML]
        var images: [YAML]
        var configMaps: [YAML]
        /// Whether `kubernetes/cluster/<environment>` holds cluster-wide objects to apply first.
        var clusterFolder: Bool
    }

    static func overlay(_ overlay: Overlay) throws -> GeneratedFile {
        let header = """
            # \(overlay.environment.name): `kubectl kustomize` this folder to see exactly what is applied.
            #
            # Layout: ../../base holds what every environment shares; this overlay sets the
            # namespace, maps each image to its repository, generates each workload's ConfigMap and
            # patches in what the plan decides here (replicas, resources, probes, secrets, spread,
            # database size and backups). Resources only some environments have (autoscalers,
            # disruption budgets, poolers, scheduled backups, cache replicas, the Ingress) are
            # listed here rather than in the base, so a smaller environment simply leaves them out.
            #
            # ConfigMap names carry a hash of their contents: a config change rolls the pods, and
            # `kubectl rollout undo` returns to the previous config as well as the previous image.
            # Image tags are `\(placeholderTag)` until the deploy job sets each image's digest, as CI pushed it.
            #
            # Expected in the cluster:
            \(ClusterPrerequisites.components(overlay.environment).map { "#   - \($0)" }.joined(separator: "\n"))
            # and, applied once before the first deploy, \(overlay.clusterFolder ? "../../cluster/\(overlay.environment.name) (cluster-wide objects) and " : "")the
            # Terraform in environments/\(overlay.environment.name)/cloud (the buckets and the pods' IAM roles).
            # Every Secret the pods read comes from an ExternalSecret here, or from CloudNativePG (<database>-app).

            """
        var document = YAMLMap()
        document.set("apiVersion", .string(apiVersion))
        document.set("kind", "Kustomization")
        document.set("namespace", .string(overlay.namespace))
        document.set("labels", .list([kubeMap(
            ("pairs", .map([(KubernetesNames.partOfLabel, .string(overlay.stack)), (KubernetesNames.managedByLabel, .string("stagecraft"))])),
            // Selectors are immutable: labels added later must not change them.
            ("includeSelectors", false)
        )]))
        document.set("resources", .list((["../../base"] + overlay.resources).map { .string($0) }))
        if !overlay.patches.isEmpty { document.set("patches", .list(overlay.patches)) }
        if !overlay.images.isEmpty { document.set("images", .list(overlay.images)) }
        if !overlay.configMaps.isEmpty {
            document.set("configMapGenerator", .list(overlay.configMaps))
            document.set("generatorOptions", kubeMap(("labels", .map([(configLabel, .string("config"))]))))
        }
        return try GeneratedFile(path: "\(folder(overlay.environment))/kustomization.yaml", text: header + document.yaml.serialized(), commentStyle: .hash)
    }

    static func folder(_ environment: EnvironmentPlan) -> String { "kubernetes/overlays/\(environment.name)" }

    /// Maps the base's logical image name to the environment's repository. Images CI builds get
    /// the placeholder tag; an image the stack pins (`repo:tag`, `repo@sha256:…`) keeps its pin.
    static func image(_ workload: WorkloadPlan) -> YAML {
        let repository = workload.image.repository
        var entry: [(String, YAML)] = [("name", .string(KubernetesNames.logicalImage(workload.name)))]
        if workload.image.build != nil {
            entry += [("newName", .string(repository)), ("newTag", .string(placeholderTag))]
        } else if let at = repository.firstIndex(of: "@") {
            entry += [("newName", .string(String(repository[..<at]))), ("digest", .string(String(repository[repository.index(after: at)...])))]
        } else if let colon = repository.lastIndex(of: ":"), !repository[colon...].contains("/") {
            entry += [("newName", .string(String(repository[..<colon]))), ("newTag", .string(String(repository[repository.index(after: colon)...])))]
        } else {
            entry.append(("newName", .string(repository)))
        }
        return .map(entry)
    }

    /// kustomize reads a literal as `KEY=VALUE` and strips one pair of matching quotes around
    /// the value, so a value that is itself quoted gets one more pair to keep it as it is.
    static func literal(_ entry: (key: String, value: String)) -> YAML {
        let value = entry.value
        let quoted = value.count >= 2 && value.first == value.last && (value.first == "\"" || value.first == "'")
        return .string("\(entry.key)=\(quoted ? "\"\(value)\"" : value)")
    }
}
