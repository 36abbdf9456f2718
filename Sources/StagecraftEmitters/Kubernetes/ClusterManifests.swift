import StagecraftOutput
import StagecraftPlanner

/// `kubernetes/cluster/<environment>/`: the cluster-scoped objects an environment relies on,
/// which a cluster administrator applies once (`kubectl apply -k`) before its first deploy:
/// the environment's ClusterSecretStore and the stack's cert-manager ClusterIssuer. They are
/// kept out of the overlay, whose deploy identity manages one namespace only.
enum ClusterManifests {
    static func folder(_ environment: EnvironmentPlan) -> String { "kubernetes/cluster/\(environment.name)" }

    /// Let's Encrypt's production directory: the certificates browsers trust.
    static let acmeServer = "https://acme-v02.api.letsencrypt.org/directory"

    static func files(_ plan: StackPlan, _ environment: EnvironmentPlan) throws -> [GeneratedFile] {
        var objects: [KubernetesObject] = []
        if environment.secretStore == nil { objects.append(secretStore(plan, environment)) }
        if CertificateManifests.needed(environment) { objects.append(clusterIssuer(plan)) }
        guard !objects.isEmpty else { return [] }
        let folder = folder(environment)
        var kustomization = YAMLMap()
        kustomization.set("apiVersion", .string(Kustomizations.apiVersion))
        kustomization.set("kind", "Kustomization")
        kustomization.set("resources", .list(objects.map { .string($0.fileName) }))
        let header = """
            # What \(environment.name) needs from its cluster beyond its namespace, applied once by a
            # cluster administrator before the first deploy: kubectl apply --server-side -k \(folder)

            """
        return try objects.map { try $0.file(in: folder) }
            + [try GeneratedFile(path: "\(folder)/kustomization.yaml", text: header + kustomization.yaml.serialized(), commentStyle: .hash)]
    }

    /// Secrets Manager in the environment's region, read with the role of the namespace's
    /// `secret-reader` ServiceAccount, for ExternalSecrets of that namespace alone: one
    /// environment cannot read another's secrets through it.
    static func secretStore(_ plan: StackPlan, _ environment: EnvironmentPlan) -> KubernetesObject {
        let namespace = KubernetesNames.namespace(plan, environment)
        return KubernetesObject(
            apiVersion: SecretManifests.apiVersion, kind: "ClusterSecretStore", name: KubernetesNames.secretStore(plan, environment),
            body: [("spec", kubeMap(
                ("conditions", .list([kubeMap(("namespaces", .list([.string(namespace)])))])),
                ("provider", kubeMap(("aws", kubeMap(
                    ("service", "SecretsManager"),
                    ("region", .string(environment.region)),
                    ("auth", kubeMap(("jwt", kubeMap(("serviceAccountRef", kubeMap(
                        ("name", .string(KubernetesNames.secretStoreServiceAccount)),
                        ("namespace", .string(namespace))
                    ))))))
                ))))
            ))]
        )
    }

    /// HTTP-01 through ingress-nginx: cert-manager answers the challenge with a solver pod
    /// behind a temporary Ingress in the certificate's namespace.
    static func clusterIssuer(_ plan: StackPlan) -> KubernetesObject {
        let name = KubernetesNames.clusterIssuer(plan)
        return KubernetesObject(
            apiVersion: CertificateManifests.apiVersion, kind: "ClusterIssuer", name: name,
            body: [("spec", kubeMap(("acme", kubeMap(
                ("server", .string(acmeServer)),
                ("privateKeySecretRef", kubeMap(("name", .string("\(name)-account")))),
                ("solvers", .list([kubeMap(("http01", kubeMap(("ingress", kubeMap(("ingressClassName", .string(KubernetesNames.ingressClass)))))))]))
            ))))]
        )
    }
}
