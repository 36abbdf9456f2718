import StagecraftPlanner

/// The environment's TLS certificate from the stack's ClusterIssuer, and the network policy
/// that lets ingress-nginx reach cert-manager's HTTP-01 solver (the namespace denies all
/// other ingress). With a CDN in front, the certificate is the origin's: its name resolves to
/// the load balancer, where the ACME challenge can reach the solver.
enum CertificateManifests {
    static let apiVersion = "cert-manager.io/v1"
    /// The label and port cert-manager gives its HTTP-01 solver pods.
    static let solverLabel = "acme.cert-manager.io/http01-solver"
    static let solverPort = 8089

    static func needed(_ environment: EnvironmentPlan) -> Bool { environment.loadBalancer?.tls == true }

    static func secretName(_ plan: StackPlan) -> String { "\(plan.stack)-tls" }

    /// The names the certificate covers: the origin's when a CDN fronts the environment, else the domain.
    static func dnsNames(_ environment: EnvironmentPlan) -> [String] {
        guard let loadBalancer = environment.loadBalancer else { return [] }
        return [environment.cdn?.originDomain ?? loadBalancer.domain]
    }

    static func objects(_ plan: StackPlan, _ environment: EnvironmentPlan) -> [KubernetesObject] {
        guard needed(environment) else { return [] }
        let certificate = KubernetesObject(
            apiVersion: apiVersion, kind: "Certificate", name: secretName(plan),
            body: [("spec", kubeMap(
                ("secretName", .string(secretName(plan))),
                ("issuerRef", kubeMap(("group", "cert-manager.io"), ("kind", "ClusterIssuer"), ("name", .string(KubernetesNames.clusterIssuer(plan))))),
                ("dnsNames", .list(dnsNames(environment).map { .string($0) })),
                ("privateKey", kubeMap(("algorithm", "ECDSA"), ("size", 256), ("rotationPolicy", "Always")))
            ))]
        )
        return [certificate, NetworkPolicies.toCertificateSolver()]
    }
}
