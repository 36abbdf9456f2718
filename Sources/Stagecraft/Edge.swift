/// The load balancer in front of the services: TLS for the domain, health-checked upstreams, rate limits.
///
/// ```swift
/// LoadBalancer(domain: "shop.example.com") {
///     RateLimit(100, per: .minute)
///     RateLimit(10, per: .minute, path: "/login")
/// }
/// ```
public struct LoadBalancer: StackContent {
    let spec: LoadBalancerSpec

    public init(domain: String, file: String = #filePath, line: Int = #line, @LoadBalancerBuilder _ content: () -> [any LoadBalancerContent] = { [] }) {
        var spec = LoadBalancerSpec(domain: domain, location: location(file, line))
        for part in content() { part.apply(to: &spec) }
        self.spec = spec
    }

    public func apply(to stack: inout StackSpec) { stack.loadBalancer = spec }
}

/// The period a rate limit counts requests over.
public enum RatePeriod: Sendable {
    case second, minute

    var seconds: Int { self == .second ? 1 : 60 }
}

/// At most `requests` per client address per period; more are answered 429.
/// With `path`, the limit applies to that path prefix only.
///
/// ```swift
/// RateLimit(100, per: .minute)
/// RateLimit(5, per: .second, burst: 10, path: "/api/")
/// ```
public struct RateLimit: LoadBalancerContent {
    let value: RateLimitSpec

    public init(_ requests: Int, per period: RatePeriod, burst: Int? = nil, path: String? = nil, file: String = #filePath, line: Int = #line) {
        value = RateLimitSpec(requests: requests, periodSeconds: period.seconds, burst: burst, path: path, location: location(file, line))
    }

    public func apply(to loadBalancer: inout LoadBalancerSpec) { loadBalancer.rateLimits.append(value) }
}

/// The largest request body the load balancer accepts.
///
/// ```swift
/// MaxBodySize(mib: 25)
/// ```
public struct MaxBodySize: LoadBalancerContent {
    let value: Located<Int>

    public init(mib: Int, file: String = #filePath, line: Int = #line) {
        value = Located(mib, at: location(file, line))
    }

    public func apply(to loadBalancer: inout LoadBalancerSpec) { loadBalancer.maxBodyMiB = value }
}

/// How long the load balancer waits for a service to answer.
///
/// ```swift
/// Timeout(.seconds(30))
/// ```
public struct Timeout: LoadBalancerContent {
    let value: Located<Int>

    public init(_ span: TimeSpan, file: String = #filePath, line: Int = #line) {
        value = Located(span.seconds, at: location(file, line))
    }

    public func apply(to loadBalancer: inout LoadBalancerSpec) { loadBalancer.timeoutSeconds = value }
}

/// Whether the load balancer terminates TLS for the domain (on by default).
///
/// ```swift
/// TLS(false)   // TLS ends in front of Stagecraft's load balancer
/// ```
public struct TLS: LoadBalancerContent {
    let value: Located<Bool>

    public init(_ enabled: Bool, file: String = #filePath, line: Int = #line) {
        value = Located(enabled, at: location(file, line))
    }

    public func apply(to loadBalancer: inout LoadBalancerSpec) { loadBalancer.tls = value }
}

/// The public DNS zone that holds the stack's domains. On AWS, Terraform then issues the
/// certificates (validated through the zone) and writes the records that point the domains at
/// the CDN and the load balancer, so an account needs neither made by hand. Every environment's
/// domain must be in the zone. Other platforms leave DNS and certificates to the host (compose,
/// through ACME) or the cluster (cert-manager).
///
/// ```swift
/// LoadBalancer(domain: "shop.example.com") {
///     DNSZone("example.com")   // a Route 53 public hosted zone
/// }
/// ```
public struct DNSZone: LoadBalancerContent {
    let value: Located<String>

    public init(_ zone: String, file: String = #filePath, line: Int = #line) {
        value = Located(zone, at: location(file, line))
    }

    public func apply(to loadBalancer: inout LoadBalancerSpec) { loadBalancer.dnsZone = value }
}

/// A content delivery network in front of the load balancer, from the stage the policy asks for one
/// (growth), or as you say per stage. It caches the services' ``Static`` paths, and at scale the
/// ``Cacheable`` API paths.
///
/// ```swift
/// CDN()
/// CDN(mvp: true) { Cacheable("/api/catalog/") }
/// ```
public struct CDN: StackContent {
    let spec: CDNSpec

    public init(mvp: Bool? = nil, growth: Bool? = nil, scale: Bool? = nil, file: String = #filePath, line: Int = #line, @CDNBuilder _ content: () -> [any CDNContent] = { [] }) {
        var spec = CDNSpec(location: location(file, line), enabled: Staged(mvp: mvp, growth: growth, scale: scale))
        for part in content() { part.apply(to: &spec) }
        self.spec = spec
    }

    public func apply(to stack: inout StackSpec) { stack.cdn = spec }
}

/// An API path whose responses the CDN may cache (honouring the service's Cache-Control).
///
/// ```swift
/// Cacheable("/api/catalog/")
/// ```
public struct Cacheable: CDNContent {
    let value: Located<String>

    public init(_ path: String, file: String = #filePath, line: Int = #line) {
        value = Located(path, at: location(file, line))
    }

    public func apply(to cdn: inout CDNSpec) { cdn.cacheablePaths.append(value) }
}
