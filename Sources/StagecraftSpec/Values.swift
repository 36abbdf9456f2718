/// A span of time, as the DSL writes it: `.minutes(5)`, `.hours(1)`, `.days(14)`.
public struct TimeSpan: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var seconds: Int

    public init(seconds: Int) { self.seconds = seconds }

    public static func seconds(_ n: Int) -> TimeSpan { TimeSpan(seconds: n) }
    public static func minutes(_ n: Int) -> TimeSpan { TimeSpan(seconds: n * 60) }
    public static func hours(_ n: Int) -> TimeSpan { TimeSpan(seconds: n * 3600) }
    public static func days(_ n: Int) -> TimeSpan { TimeSpan(seconds: n * 86_400) }

    public static func < (lhs: TimeSpan, rhs: TimeSpan) -> Bool { lhs.seconds < rhs.seconds }

    public var description: String {
        if seconds >= 2 * 86_400 && seconds % 86_400 == 0 { return "\(seconds / 86_400) d" }
        if seconds != 0 && seconds % 3600 == 0 { return "\(seconds / 3600) h" }
        if seconds != 0 && seconds % 60 == 0 { return "\(seconds / 60) min" }
        return "\(seconds) s"
    }
}

/// How many instances of a workload run: a fixed count, or autoscaled on CPU.
public enum Instances: Codable, Sendable, Hashable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    case fixed(Int)
    case autoscale(min: Int, max: Int, cpu: Int)

    public init(integerLiteral value: Int) { self = .fixed(value) }

    /// Autoscaling between `min` and `max` instances, targeting `cpu` percent utilisation.
    public static func autoscale(min: Int, max: Int) -> Instances { .autoscale(min: min, max: max, cpu: 70) }

    public var minimum: Int {
        switch self {
        case .fixed(let n): n
        case .autoscale(let min, _, _): min
        }
    }

    public var description: String {
        switch self {
        case .fixed(let n): "\(n)"
        case .autoscale(let min, let max, let cpu): "autoscale \(min)–\(max) at \(cpu)% CPU"
        }
    }
}

/// Where a product runs.
public enum PlatformKind: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    /// One host (or a few) running Docker Compose behind nginx.
    case compose
    /// A Kubernetes cluster, through Kustomize overlays.
    case kubernetes
    /// Amazon Web Services, through Terraform.
    case aws

    public var description: String { rawValue }
}

/// Where user sessions live.
public enum SessionStore: Codable, Sendable, Hashable {
    /// In the memory of each app instance: fine for one instance, lost on every deploy.
    case inProcess
    /// In a shared cache, so any instance can serve any request.
    case shared(cache: String)
    /// No server-side session state (signed tokens).
    case stateless
}

/// Where user uploads are stored.
public enum UploadStore: Codable, Sendable, Hashable {
    /// On the app host's disk: lost with the host, invisible to other instances.
    case localDisk(path: String)
    /// In an object storage bucket declared with `Bucket`.
    case bucket(String)
}

/// The CI providers Stagecraft writes pipelines for.
public enum CIProvider: String, Codable, Sendable, CaseIterable {
    case githubActions
    case gitlab
}

/// A language toolchain the CI pipeline sets up.
public enum Toolchain: Codable, Sendable, Hashable {
    case swift(String)
    case node(String)
    case python(String)
    case go(String)
    /// Ruby (Rails and others) in the official `ruby` image: Bundler, `rake test`, RuboCop.
    case ruby(String)
    /// A JDK (Eclipse Temurin) with Gradle (its wrapper, `./gradlew`) or Maven, for Java and Kotlin.
    case java(String, JavaBuildTool)
    /// Rust in the official `rust` image: Cargo, with the lock file enforced, and Clippy.
    case rust(String)
    /// PHP in the official `php` CLI image, with Composer (its installer checked against its signature).
    case php(String)
    /// .NET in Microsoft's SDK image: `dotnet build`, `dotnet test`, `dotnet format`.
    case dotnet(String)
    /// Elixir in the official `elixir` image: Mix, with Hex and Rebar installed.
    case elixir(String)
    /// No toolchain on the runner: everything happens inside the service images.
    case docker

    /// The version the stack names, or nil for `docker`.
    public var version: String? {
        switch self {
        case .swift(let version), .node(let version), .python(let version), .go(let version), .ruby(let version),
             .java(let version, _), .rust(let version), .php(let version), .dotnet(let version), .elixir(let version): version
        case .docker: nil
        }
    }
}

/// How a JVM project builds.
public enum JavaBuildTool: String, Codable, Sendable, Hashable {
    case gradle, maven
}

/// How a new version reaches production.
public enum Rollout: String, Codable, Sendable {
    /// Replace instances a few at a time.
    case rolling
    /// Send a slice of traffic to the new version first, and roll back automatically if it fails its checks.
    case canary
    /// Start the new version next to the old one and switch traffic at once.
    case blueGreen
}

/// Whether deploys to an environment wait for a person.
public enum Approval: String, Codable, Sendable {
    case none
    case required
}
