import StagecraftPlanner

/// How a plan's CDN maps onto CloudFront's terms.
enum CDNOrigin {
    /// CloudFront answers for the site's own domain, so it cannot fetch from that same name:
    /// the origin gets a name of its own that resolves to the load balancer (a DNS record the
    /// owner adds) and that the load balancer's certificate covers.
    static func domain(_ cdn: CDNPlan) -> String { "origin.\(cdn.originDomain)" }

    /// A CloudFront path pattern for a declared path: a folder (`/assets/`) covers what is inside it.
    static func pattern(_ path: String) -> String { path.hasSuffix("/") ? path + "*" : path }
}
