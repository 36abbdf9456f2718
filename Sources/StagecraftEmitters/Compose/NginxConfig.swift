import StagecraftPlanner

/// The nginx load balancer of a compose environment: each app service found by its name in
/// Docker's DNS (every replica answers to it), a location per route, static path and
/// rate-limited path, and TLS with the certificate the acme service keeps.
struct NginxConfig {
    let layout: ComposeLayout
    let loadBalancer: LoadBalancerPlan

    static let template = "compose/nginx.conf"

    /// A location block: the traffic under one path prefix and what applies to it.
    struct Location: Equatable {
        var path: String
        var upstream: String
        var isStatic = false
        var limits: [Int] = []
    }

    func render(_ templates: TemplateLibrary) throws -> String {
        try templates.render(Self.template, context)
    }

    var services: [WorkloadPlan] { layout.environment.services.filter { $0.port != nil } }

    var context: [String: Any] {
        let limits = loadBalancer.rateLimits
        let globals = limits.indices.filter { limits[$0].path == nil }
        let verification = layout.environment.cdn?.originVerification
        return [
            "project": layout.project,
            "metricsSocket": layout.environment.monitoring.metrics ? ComposeMonitoring.mtailSocket : false,
            "originVerification": verification.map { ["header": $0.header, "config": ComposeLayout.nginxOriginVerifyConfig] as Any } ?? false,
            "clientAddress": verification == nil ? "$remote_addr" : "$client_address",
            // The binary form is smaller, but exists only for the peer's address.
            "rateKey": verification == nil ? "$binary_remote_addr" : "$client_address",
            // The CDN fetches from its own origin name, which must reach this server too.
            "serverNames": ([loadBalancer.domain] + [layout.environment.cdn?.originDomain].compactMap { $0 }).map { ["name": $0] },
            "cdnOrigin": layout.environment.cdn.map { ["origin": $0.originDomain, "site": loadBalancer.domain] as Any } ?? false,
            "hostVariable": layout.environment.cdn == nil ? "$host" : "$site_host",
            "tls": loadBalancer.tls,
            "maxBodyMiB": loadBalancer.maxBodyMiB,
            "timeoutSeconds": loadBalancer.timeoutSeconds,
            "drainSeconds": loadBalancer.drainSeconds,
            "rateZones": limits.indices.map { ["zone": zone($0), "rate": "\(limits[$0].perMinute)r/m"] },
            "globalLimits": globals.map(limitContext),
            "ttlSeconds": ComposeLayout.upstreamTTLSeconds,
            "resolverConfig": ComposeLayout.nginxResolverConfig,
            "challengesRoot": ComposeLayout.challengesRoot,
            "certificateDomain": layout.certificateDomain ?? "",
            "certificateFile": layout.certificateDomain.map { "\(ComposeLayout.nginxCertificates)/certificates/\($0).crt" } ?? "",
            "certificateKeyFile": layout.certificateDomain.map { "\(ComposeLayout.nginxCertificates)/certificates/\($0).key" } ?? "",
            "upstreams": services.map { service in
                ["variable": Self.variable(service.name), "address": "\(service.name):\(service.port!)"]
            },
            "locations": locations.map { location in
                // A location's own limit_req replaces the server's, so it repeats the global ones.
                let applied = location.limits.isEmpty ? [] : globals + location.limits
                return [
                    "path": location.path,
                    "service": location.upstream,
                    "metrics": layout.environment.monitoring.metrics,
                    "upstream": Self.variable(location.upstream),
                    "static": location.isStatic,
                    "tls": loadBalancer.tls,
                    "limits": applied.map(limitContext),
                ] as [String: Any]
            },
        ]
    }

    private func zone(_ index: Int) -> String { "rate_limit_\(index)" }

    /// The variable that holds a service's address: a name in a variable is resolved per request.
    static func variable(_ service: String) -> String { "$upstream_\(service.replacing("-", with: "_"))" }

    /// How nginx names a request header's variable: `X-Origin-Verify` is `$http_x_origin_verify`.
    static func headerVariable(_ header: String) -> String { header.lowercased().replacing("-", with: "_") }

    private func limitContext(_ index: Int) -> [String: Any] {
        ["zone": zone(index), "burst": loadBalancer.rateLimits[index].burst]
    }

    /// Every path prefix that needs its own block, once, in a stable order.
    var locations: [Location] {
        var result: [Location] = []
        func merge(_ path: String, upstream: String, _ change: (inout Location) -> Void) {
            if let index = result.firstIndex(where: { $0.path == path }) {
                change(&result[index])
            } else {
                var location = Location(path: path, upstream: upstream)
                change(&location)
                result.append(location)
            }
        }
        for service in services {
            if let route = service.route { merge(route, upstream: service.name) { _ in } }
        }
        for service in services {
            for path in service.staticPaths { merge(Self.prefix(path), upstream: service.name) { $0.isStatic = true } }
        }
        for (index, limit) in loadBalancer.rateLimits.enumerated() {
            guard let path = limit.path, let owner = owner(of: path) else { continue }
            merge(Self.prefix(path), upstream: owner) { $0.limits.append(index) }
        }
        return result
    }

    /// The service whose route is the longest prefix of `path`.
    private func owner(of path: String) -> String? {
        let routed = services.compactMap { service in service.route.map { (service.name, $0) } }
        return routed.filter { path.hasPrefix($0.1) }.max { $0.1.count < $1.1.count }?.0 ?? services.first?.name
    }

    /// `/assets/*` as an nginx prefix: `/assets/`.
    static func prefix(_ path: String) -> String {
        var prefix = path
        while prefix.hasSuffix("*") { prefix.removeLast() }
        return prefix.isEmpty ? "/" : prefix
    }
}
