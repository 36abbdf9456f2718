import StagecraftPlanner

/// The environment's domain on ingress-nginx. ingress-nginx applies rate-limit annotations
/// to a whole Ingress, so each path with a limit of its own gets an Ingress of its own for the
/// same hosts (ingress-nginx merges them, the longest path wins); the first Ingress carries the
/// stack-wide limit. Behind a CDN the rules also answer the origin's name, which is where the
/// CDN connects (and the name it asks for: the origin's certificate is for that name), and the
/// apps are asked for the site's name all the same; all of them serve the certificate
/// `CertificateManifests` requests.
enum IngressManifests {
    static func ingresses(_ plan: StackPlan, _ environment: EnvironmentPlan) -> [KubernetesObject] {
        guard let loadBalancer = environment.loadBalancer else { return [] }
        let routed = environment.services.compactMap { service -> (path: String, service: String)? in
            guard service.port != nil, let route = service.route else { return nil }
            return (route, service.name)
        }
        guard !routed.isEmpty else { return [] }
        let pathLimits = loadBalancer.rateLimits.filter { $0.path != nil }
        let limitedPaths = Set(pathLimits.compactMap(\.path))

        let hosts = [loadBalancer.domain] + [environment.cdn?.originDomain].compactMap { $0 }
        let tls = loadBalancer.tls ? (secret: CertificateManifests.secretName(plan), hosts: CertificateManifests.dnsNames(environment)) : nil
        var ingresses = [ingress(
            plan.stack, hosts: hosts, tls: tls, loadBalancer: loadBalancer,
            limit: loadBalancer.rateLimits.first { $0.path == nil },
            paths: routed.filter { !limitedPaths.contains($0.path) }
        )]
        for (index, limit) in pathLimits.enumerated() {
            guard let path = limit.path else { continue }
            // The service whose route is the longest prefix of the limited path serves it.
            let service = routed.filter { path.hasPrefix($0.path) }.max { $0.path.count < $1.path.count }?.service ?? routed[0].service
            ingresses.append(ingress(
                "\(plan.stack)-limit-\(index + 1)", hosts: hosts, tls: tls, loadBalancer: loadBalancer,
                limit: limit, paths: [(path, service)]
            ))
        }
        return ingresses.filter { !$0.paths.isEmpty }.map(\.object)
    }

    private static func ingress(
        _ name: String, hosts: [String], tls: (secret: String, hosts: [String])?, loadBalancer: LoadBalancerPlan, limit: RateLimitPlan?,
        paths: [(path: String, service: String)]
    ) -> (object: KubernetesObject, paths: [(path: String, service: String)]) {
        let prefix = "nginx.ingress.kubernetes.io/"
        var annotations: [(String, YAML)] = [
            (prefix + "proxy-body-size", .string("\(loadBalancer.maxBodyMiB)m")),
            (prefix + "proxy-connect-timeout", "5"),
            (prefix + "proxy-read-timeout", .string(String(loadBalancer.timeoutSeconds))),
            (prefix + "proxy-send-timeout", .string(String(loadBalancer.timeoutSeconds))),
        ]
        if loadBalancer.tls { annotations.append((prefix + "ssl-redirect", "true")) }
        if hosts.count > 1 { annotations.append((prefix + "upstream-vhost", .string(hosts[0]))) }
        if let limit {
            // Per client address (ingress-nginx must be told to trust the CDN's and the load
            // balancer's forwarded address: the README's cluster settings); the burst is
            // expressed as a multiple of the rate.
            let perSecond = limit.periodSeconds == 1
            annotations.append((prefix + (perSecond ? "limit-rps" : "limit-rpm"), .string(String(perSecond ? limit.requests : limit.perMinute))))
            let multiplier = max(1, (limit.burst + limit.requests - 1) / max(1, limit.requests))
            annotations.append((prefix + "limit-burst-multiplier", .string(String(multiplier))))
        }
        let rules = paths.map { route in
            kubeMap(
                ("path", .string(route.path)),
                ("pathType", "Prefix"),
                ("backend", kubeMap(("service", kubeMap(("name", .string(route.service)), ("port", kubeMap(("name", "http")))))))
            )
        }
        let object = KubernetesObject(
            apiVersion: "networking.k8s.io/v1", kind: "Ingress", name: name,
            annotations: annotations,
            body: [("spec", kubeMap(
                ("ingressClassName", .string(KubernetesNames.ingressClass)),
                ("tls", tls.map { .list([kubeMap(("hosts", .list($0.hosts.map { .string($0) })), ("secretName", .string($0.secret)))]) }),
                ("rules", .list(hosts.map { kubeMap(("host", .string($0)), ("http", kubeMap(("paths", .list(rules))))) }))
            ))]
        )
        return (object, paths)
    }
}
