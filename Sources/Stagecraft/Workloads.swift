/// A web or API service: receives traffic through the load balancer.
///
/// ```swift
/// Service("web") {
///     Image("ghcr.io/acme/shop-web")
///     Port(8080)
///     HealthCheck("/healthz")
///     Replicas(mvp: 1, growth: 3, scale: .autoscale(min: 4, max: 40, cpu: 60))
/// }
/// ```
public struct Service: StackContent {
    let spec: WorkloadSpec

    public init(_ name: String, file: String = #filePath, line: Int = #line, @ServiceBuilder _ content: () -> [any ServiceContent]) {
        var spec = WorkloadSpec(kind: .service, name: name, location: location(file, line))
        for part in content() { part.apply(to: &spec) }
        self.spec = spec
    }

    public func apply(to stack: inout StackSpec) { stack.services.append(spec) }
}

/// A background worker: takes jobs from a queue, never receives requests.
///
/// ```swift
/// Worker("jobs") {
///     Image("ghcr.io/acme/shop-jobs")
///     Queue(on: "cache")
/// }
/// ```
public struct Worker: StackContent {
    let spec: WorkloadSpec

    public init(_ name: String, file: String = #filePath, line: Int = #line, @WorkerBuilder _ content: () -> [any WorkerContent]) {
        var spec = WorkloadSpec(kind: .worker, name: name, location: location(file, line))
        for part in content() { part.apply(to: &spec) }
        self.spec = spec
    }

    public func apply(to stack: inout StackSpec) { stack.workers.append(spec) }
}

/// The container image repository of a service or worker. CI builds and pushes it,
/// tagged with the commit SHA, and deploys run it by the digest the push reported. An image
/// with a tag or digest (`redis:7`, `…@sha256:…`) is used as it is and not built.
///
/// ```swift
/// Image("ghcr.io/acme/shop-web")
/// ```
public struct Image: ServiceContent, WorkerContent {
    let value: Located<String>

    public init(_ repository: String, file: String = #filePath, line: Int = #line) {
        value = Located(repository, at: location(file, line))
    }

    public func apply(to workload: inout WorkloadSpec) { workload.image = value }
}

/// How CI builds the image: the Dockerfile and the build context, relative to the repository root.
/// Without it, a built image uses `Dockerfile` in the repository root.
///
/// ```swift
/// Dockerfile("services/web/Dockerfile", context: "services/web")
/// ```
public struct Dockerfile: ServiceContent, WorkerContent {
    let value: Located<BuildSpec>

    public init(_ path: String, context: String = ".", file: String = #filePath, line: Int = #line) {
        value = Located(BuildSpec(dockerfile: path, context: context), at: location(file, line))
    }

    public func apply(to workload: inout WorkloadSpec) { workload.build = value }
}

/// The port the service listens on inside its container.
///
/// ```swift
/// Port(8080)
/// ```
public struct Port: ServiceContent {
    let value: Located<Int>

    public init(_ port: Int, file: String = #filePath, line: Int = #line) {
        value = Located(port, at: location(file, line))
    }

    public func apply(to workload: inout WorkloadSpec) { workload.port = value }
}

/// The HTTP path that answers 200 when an instance is ready for traffic.
/// Load balancers, Compose and Kubernetes probes all use it.
///
/// ```swift
/// HealthCheck("/healthz")
/// ```
public struct HealthCheck: ServiceContent {
    let value: Located<String>

    public init(_ path: String, file: String = #filePath, line: Int = #line) {
        value = Located(path, at: location(file, line))
    }

    public func apply(to workload: inout WorkloadSpec) { workload.healthCheck = value }
}

/// A command that exits 0 while a worker is well, run by `sh -c` inside its container every
/// 30 seconds. Three failures in a row and the platform replaces the instance; a release whose
/// workers never pass it is rolled back. A worker has no port to probe: without one, a hung
/// worker keeps running.
///
/// ```swift
/// Worker("jobs") {
///     Image("ghcr.io/acme/shop-jobs")
///     HealthCommand("bin/jobs-healthy")
/// }
/// ```
public struct HealthCommand: WorkerContent {
    let value: Located<String>

    public init(_ command: String, file: String = #filePath, line: Int = #line) {
        value = Located(command, at: location(file, line))
    }

    public func apply(to workload: inout WorkloadSpec) { workload.healthCommand = value }
}

/// Where the workload serves its own Prometheus metrics, which the stack's Prometheus scrapes
/// from every instance wherever the stage collects metrics. A service serves them on its
/// ``Port`` unless `port` names another; a worker has no port, so it names one.
///
/// ```swift
/// Service("web") { Port(8080); ServesMetrics("/metrics") }
/// Worker("jobs") { ServesMetrics("/metrics", port: 9102) }
/// ```
public struct ServesMetrics: ServiceContent, WorkerContent {
    let value: Located<MetricsSpec>

    public init(_ path: String = "/metrics", port: Int? = nil, file: String = #filePath, line: Int = #line) {
        value = Located(MetricsSpec(path: path, port: port), at: location(file, line))
    }

    public func apply(to workload: inout WorkloadSpec) { workload.metrics = value }
}

/// How many instances run, per stage. A stage left out takes the stage policy's default.
///
/// ```swift
/// Replicas(2)                                    // every stage
/// Replicas(mvp: 1, growth: 3, scale: .autoscale(min: 4, max: 40, cpu: 60))
/// ```
public struct Replicas: ServiceContent, WorkerContent {
    let value: Located<Staged<Instances>>

    public init(_ all: Instances, file: String = #filePath, line: Int = #line) {
        value = Located(Staged(base: all), at: location(file, line))
    }

    public init(mvp: Instances? = nil, growth: Instances? = nil, scale: Instances? = nil, file: String = #filePath, line: Int = #line) {
        value = Located(Staged(mvp: mvp, growth: growth, scale: scale), at: location(file, line))
    }

    public func apply(to workload: inout WorkloadSpec) { workload.replicas = value }
}

/// A non-secret configuration value, handed to the workload as an environment variable.
/// Give an environment its own value by naming it.
///
/// ```swift
/// Config("LOG_LEVEL", "info", production: "warn")
/// ```
///
/// Secrets never go here: declare them with ``Secret``.
public struct Config: ServiceContent, WorkerContent {
    let value: ConfigSpec

    public init(
        _ key: String,
        _ value: String,
        development: String? = nil,
        staging: String? = nil,
        production: String? = nil,
        file: String = #filePath,
        line: Int = #line
    ) {
        var perEnvironment: [String: String] = [:]
        perEnvironment["development"] = development
        perEnvironment["staging"] = staging
        perEnvironment["production"] = production
        self.value = ConfigSpec(key: key, value: value, perEnvironment: perEnvironment, location: location(file, line))
    }

    public func apply(to workload: inout WorkloadSpec) { workload.config.append(value) }
}

/// A secret the workload needs, by name only. Its value lives in your secret store
/// (GitHub environment secrets, a Kubernetes Secret, SSM Parameter Store) and never
/// enters Stagecraft or its output.
///
/// ```swift
/// Secret("STRIPE_API_KEY")
/// ```
public struct Secret: ServiceContent, WorkerContent {
    let value: Located<String>

    public init(_ name: String, file: String = #filePath, line: Int = #line) {
        value = Located(name, at: location(file, line))
    }

    public func apply(to workload: inout WorkloadSpec) { workload.secrets.append(value) }
}

/// Where user sessions live. From the growth stage on, instances must not keep them in memory.
///
/// ```swift
/// Sessions(.shared(cache: "cache"))
/// ```
public struct Sessions: ServiceContent {
    let value: Located<SessionStore>

    public init(_ store: SessionStore, file: String = #filePath, line: Int = #line) {
        value = Located(store, at: location(file, line))
    }

    public func apply(to workload: inout WorkloadSpec) { workload.sessions = value }
}

/// Where user uploads are stored. From the growth stage on, they belong in a bucket.
///
/// ```swift
/// Uploads(.bucket("uploads"))
/// ```
public struct Uploads: ServiceContent {
    let value: Located<UploadStore>

    public init(_ store: UploadStore, file: String = #filePath, line: Int = #line) {
        value = Located(store, at: location(file, line))
    }

    public func apply(to workload: inout WorkloadSpec) { workload.uploads = value }
}

/// A URL path of static files, given long cache headers and served through the CDN when there is one.
///
/// ```swift
/// Static("/assets/")
/// ```
public struct Static: ServiceContent {
    let value: Located<String>

    public init(_ path: String, file: String = #filePath, line: Int = #line) {
        value = Located(path, at: location(file, line))
    }

    public func apply(to workload: inout WorkloadSpec) { workload.staticPaths.append(value) }
}

/// The URL path prefix the load balancer routes to this service. The first service gets `/`.
///
/// ```swift
/// Route("/api/")
/// ```
public struct Route: ServiceContent {
    let value: Located<String>

    public init(_ prefix: String, file: String = #filePath, line: Int = #line) {
        value = Located(prefix, at: location(file, line))
    }

    public func apply(to workload: inout WorkloadSpec) { workload.route = value }
}

/// The databases, caches and buckets the workload connects to. Without it, a workload
/// uses every database and cache in the stack.
///
/// ```swift
/// Uses("db", "cache")
/// ```
public struct Uses: ServiceContent, WorkerContent {
    let values: [Located<String>]

    public init(_ names: String..., file: String = #filePath, line: Int = #line) {
        values = names.map { Located($0, at: location(file, line)) }
    }

    public func apply(to workload: inout WorkloadSpec) { workload.uses += values }
}

/// The cache whose queue a worker consumes.
///
/// ```swift
/// Queue(on: "cache")
/// ```
public struct Queue: WorkerContent {
    let value: Located<String>

    public init(on cache: String, file: String = #filePath, line: Int = #line) {
        value = Located(cache, at: location(file, line))
    }

    public func apply(to workload: inout WorkloadSpec) { workload.queue = value }
}

/// The command the container runs instead of its image's default.
///
/// ```swift
/// Command("bin/worker", "--concurrency", "8")
/// ```
public struct Command: ServiceContent, WorkerContent {
    let value: Located<[String]>

    public init(_ arguments: String..., file: String = #filePath, line: Int = #line) {
        value = Located(arguments, at: location(file, line))
    }

    public func apply(to workload: inout WorkloadSpec) { workload.command = value }
}

/// CPU and memory for each instance. Without it, the stage policy's defaults apply.
///
/// ```swift
/// Resources(cpu: 0.5, memoryMiB: 512)
/// ```
public struct Resources: ServiceContent, WorkerContent {
    let value: Located<ResourcesSpec>

    public init(cpu: Double, memoryMiB: Int, file: String = #filePath, line: Int = #line) {
        value = Located(ResourcesSpec(cpuMillicores: Int((cpu * 1000).rounded()), memoryMiB: memoryMiB), at: location(file, line))
    }

    public func apply(to workload: inout WorkloadSpec) { workload.resources = value }
}

/// Heavy work the service still does inside requests (sending mail, resizing images …).
/// Allowed at mvp with a warning; from growth on it belongs in a ``Worker``.
///
/// ```swift
/// InlineJobs("send-email", "resize-image")
/// ```
public struct InlineJobs: ServiceContent {
    let value: Located<[String]>

    public init(_ jobs: String..., file: String = #filePath, line: Int = #line) {
        value = Located(jobs, at: location(file, line))
    }

    public func apply(to workload: inout WorkloadSpec) { workload.inlineJobs = value }
}
