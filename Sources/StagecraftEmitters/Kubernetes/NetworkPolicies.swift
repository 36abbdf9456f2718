import StagecraftPlanner

/// Ingress is denied to every pod of the namespace, then allowed only where the plan says
/// traffic comes from: the ingress controller to the services, and each data store's declared
/// dependants to it. Egress stays open (DNS, object storage, third-party APIs).
enum NetworkPolicies {
    static func defaultDeny() -> KubernetesObject {
        policy("default-deny-ingress", selecting: .map([]), rules: [])
    }

    static func fromIngressController(service name: String) -> KubernetesObject {
        policy("\(name)-from-ingress", selecting: KubernetesNames.selector(name, track: false), rules: [
            rule(from: [ingressController], ports: [.string("http")]),
        ])
    }

    /// cert-manager's HTTP-01 solver pods answer the ACME challenge that ingress-nginx forwards.
    static func toCertificateSolver() -> KubernetesObject {
        policy("certificate-solver-from-ingress", selecting: .map([(CertificateManifests.solverLabel, .string("true"))]), rules: [
            rule(from: [ingressController], ports: [.int(CertificateManifests.solverPort)]),
        ])
    }

    private static var ingressController: YAML {
        kubeMap(("namespaceSelector", kubeMap(("matchLabels", .map([
            ("kubernetes.io/metadata.name", .string(KubernetesNames.ingressControllerNamespace)),
        ])))))
    }

    static func cache(_ cache: CachePlan, dependants: [String]) -> [KubernetesObject] {
        var replicaSources: [YAML] = []
        if cache.replica { replicaSources.append(pods(named: [KubernetesNames.cacheReplica(cache.name)])) }
        var policies = [policy(
            "\(cache.name)-from-dependants", selecting: KubernetesNames.selector(cache.name, track: false),
            rules: [dependantsRule(dependants, ports: [.string("redis")]), replicaSources.isEmpty ? nil : rule(from: replicaSources, ports: [.string("redis")])].compactMap { $0 }
        )]
        if cache.replica {
            let name = KubernetesNames.cacheReplica(cache.name)
            policies.append(policy("\(name)-from-dependants", selecting: KubernetesNames.selector(name, track: false),
                                   rules: [dependantsRule(dependants, ports: [.string("redis")])].compactMap { $0 }))
        }
        return policies
    }

    /// `direct`: pods that reach the primary itself, never through the pooler (the partition maintenance, the migrations).
    static func database(_ database: DatabasePlan, dependants: [String], direct: [String] = []) -> [KubernetesObject] {
        let instances = kubeMap(("podSelector", kubeMap(("matchLabels", .map([("cnpg.io/cluster", .string(database.name))])))))
        let postgres = YAML.int(PostgresManifests.port)
        // 8000 is each instance's status endpoint, which the operator and the other instances call.
        var rules: [YAML] = [rule(from: [instances, operatorNamespace], ports: [postgres, 8000])]
        if let dependantsRule = dependantsRule(dependants + direct, ports: [postgres]) { rules.append(dependantsRule) }
        let pooler = KubernetesNames.pooler(database.name)
        let poolerPods = YAML.map([("cnpg.io/poolerName", .string(pooler))])
        if database.pooling { rules.append(rule(from: [kubeMap(("podSelector", kubeMap(("matchLabels", poolerPods))))], ports: [postgres])) }
        var policies = [policy("\(database.name)-from-dependants", selecting: .map([("cnpg.io/cluster", .string(database.name))]), rules: rules)]
        if database.pooling {
            policies.append(policy("\(pooler)-from-dependants", selecting: poolerPods,
                                   rules: [dependantsRule(dependants, ports: [postgres])].compactMap { $0 }))
        }
        return policies
    }

    /// The restore test's throwaway cluster: its own instances and the operator, as for the
    /// database, and the runner that checks the marker.
    static func restoreTest(_ database: DatabasePlan, runner: String) -> KubernetesObject {
        let target = KubernetesNames.restoreTest(database.name)
        let instances = kubeMap(("podSelector", kubeMap(("matchLabels", .map([("cnpg.io/cluster", .string(target))])))))
        let postgres = YAML.int(PostgresManifests.port)
        return policy("\(target)-from-runner", selecting: .map([("cnpg.io/cluster", .string(target))]), rules: [
            rule(from: [instances, operatorNamespace], ports: [postgres, 8000]),
            rule(from: [pods(named: [runner])], ports: [postgres]),
        ])
    }

    private static var operatorNamespace: YAML {
        kubeMap(("namespaceSelector", kubeMap(("matchLabels", .map([
            ("kubernetes.io/metadata.name", .string(KubernetesNames.cnpgOperatorNamespace)),
        ])))))
    }

    // MARK: - Building blocks

    /// No rule for no dependants: a rule without sources would let everyone in.
    private static func dependantsRule(_ dependants: [String], ports: [YAML]) -> YAML? {
        dependants.isEmpty ? nil : rule(from: [pods(named: dependants)], ports: ports)
    }

    private static func pods(named names: [String]) -> YAML {
        kubeMap(("podSelector", kubeMap(("matchExpressions", .list([kubeMap(
            ("key", .string(KubernetesNames.nameLabel)), ("operator", "In"), ("values", .list(names.map { .string($0) }))
        )])))))
    }

    private static func rule(from sources: [YAML], ports: [YAML]) -> YAML {
        kubeMap(("from", .list(sources)), ("ports", .list(ports.map { kubeMap(("protocol", "TCP"), ("port", $0)) })))
    }

    private static func policy(_ name: String, selecting labels: YAML, rules: [YAML]) -> KubernetesObject {
        KubernetesObject(apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", name: name, body: [("spec", kubeMap(
            ("podSelector", labels == .map([]) ? .map([]) : kubeMap(("matchLabels", labels))),
            ("policyTypes", .list(["Ingress"])),
            ("ingress", rules.isEmpty ? nil : .list(rules))
        ))])
    }
}
