/// The CI/CD pipeline: which providers, which toolchain, which commands.
///
/// ```swift
/// Pipeline(.githubActions) {
///     Build(.swift("6.1"))
///     Test("swift test --parallel")
///     Lint("swiftlint --strict")
///     SecurityScan()
/// }
/// ```
public struct Pipeline: StackContent {
    let spec: PipelineSpec

    public init(_ providers: CIProvider..., file: String = #filePath, line: Int = #line, @PipelineBuilder _ content: () -> [any PipelineContent] = { [] }) {
        var spec = PipelineSpec(providers: providers.isEmpty ? [.githubActions] : providers, location: location(file, line))
        for part in content() { part.apply(to: &spec) }
        self.spec = spec
    }

    public func apply(to stack: inout StackSpec) { stack.pipeline = spec }
}

/// The toolchain CI sets up, and optionally the build command (its default depends on the toolchain).
/// Swift, Node.js, Python, Go and Java come from pinned setup actions on GitHub; Ruby, Rust, PHP,
/// .NET and Elixir jobs run in the toolchain's official image; on GitLab every job runs in the
/// toolchain's image. Each keeps its packages between runs and has default build, test and lint
/// commands (`bundle exec rake test`, `./gradlew test`, `cargo test --locked`, `mix test`, …).
///
/// ```swift
/// Build(.swift("6.1"))
/// Build(.node("22"), command: "npm ci && npm run build")
/// Build(.ruby("3.3"))                 // Rails: bundle install, bundle exec rake test, RuboCop
/// Build(.java("21", .gradle))         // Java or Kotlin with the Gradle wrapper; .maven for Maven
/// Build(.rust("1.83"))
/// ```
public struct Build: PipelineContent {
    let toolchain: Located<Toolchain>
    let command: Located<String>?

    public init(_ toolchain: Toolchain, command: String? = nil, file: String = #filePath, line: Int = #line) {
        let at = location(file, line)
        self.toolchain = Located(toolchain, at: at)
        self.command = command.map { Located($0, at: at) }
    }

    public func apply(to pipeline: inout PipelineSpec) {
        pipeline.toolchain = toolchain
        if let command { pipeline.buildCommand = command }
    }
}

/// The test command CI runs on every push and pull request.
///
/// ```swift
/// Test("swift test --parallel")
/// ```
public struct Test: PipelineContent {
    let command: Located<String>?

    public init(_ command: String? = nil, file: String = #filePath, line: Int = #line) {
        let at = location(file, line)
        self.command = command.map { Located($0, at: at) }
    }

    public func apply(to pipeline: inout PipelineSpec) { pipeline.testCommand = command ?? pipeline.testCommand }
}

/// The lint command CI runs from the growth stage on.
///
/// ```swift
/// Lint("swiftlint --strict")
/// ```
public struct Lint: PipelineContent {
    let command: Located<String>

    public init(_ command: String, file: String = #filePath, line: Int = #line) {
        self.command = Located(command, at: location(file, line))
    }

    public func apply(to pipeline: inout PipelineSpec) { pipeline.lintCommand = command }
}

/// Code and secret scanning in CI, whatever the stage (the scale stage turns it on by itself).
///
/// ```swift
/// SecurityScan()
/// ```
public struct SecurityScan: PipelineContent {
    let value: Located<Bool>

    public init(_ enabled: Bool = true, file: String = #filePath, line: Int = #line) {
        value = Located(enabled, at: location(file, line))
    }

    public func apply(to pipeline: inout PipelineSpec) { pipeline.securityScan = value }
}

/// Where the generated files live in the repository, for the drift check (default: the repository root,
/// where GitHub finds the workflows).
///
/// ```swift
/// Output("deploy/generated")
/// ```
public struct Output: PipelineContent {
    let value: Located<String>

    public init(_ directory: String, file: String = #filePath, line: Int = #line) {
        value = Located(directory, at: location(file, line))
    }

    public func apply(to pipeline: inout PipelineSpec) { pipeline.outputDirectory = value }
}

/// Where each stage runs. A stage left out takes the stage policy's default
/// (compose at mvp and growth, Kubernetes at scale).
///
/// ```swift
/// Platform(.compose)
/// Platform(mvp: .compose, growth: .compose, scale: .aws)
/// ```
public struct Platform: StackContent {
    let value: Located<Staged<PlatformKind>>

    public init(_ all: PlatformKind, file: String = #filePath, line: Int = #line) {
        value = Located(Staged(base: all), at: location(file, line))
    }

    public init(mvp: PlatformKind? = nil, growth: PlatformKind? = nil, scale: PlatformKind? = nil, file: String = #filePath, line: Int = #line) {
        value = Located(Staged(mvp: mvp, growth: growth, scale: scale), at: location(file, line))
    }

    public func apply(to stack: inout StackSpec) { stack.platform = value }
}

/// A cloud region the stack runs in, and where its backups are copied at scale.
/// Two `Region`s make the stack multi-region.
///
/// ```swift
/// Region("eu-west-1", backupCopy: "eu-central-1")
/// ```
public struct Region: StackContent {
    let value: Located<RegionSpec>

    public init(_ name: String, backupCopy: String? = nil, file: String = #filePath, line: Int = #line) {
        value = Located(RegionSpec(name: name, backupCopy: backupCopy), at: location(file, line))
    }

    public func apply(to stack: inout StackSpec) { stack.regions.append(value) }
}

/// The AWS account an environment's Kubernetes cluster runs in: its pods take IAM roles in
/// this account (IRSA) to read their secrets and reach their buckets and backups. Declared
/// for the stack, or inside an environment whose account differs.
///
/// ```swift
/// Account("111122223333")
/// Environments {
///     Production { Account("444455556666") }
/// }
/// ```
public struct Account: StackContent, EnvironmentContent {
    let value: Located<String>

    public init(_ id: String, file: String = #filePath, line: Int = #line) {
        value = Located(id, at: location(file, line))
    }

    public func apply(to stack: inout StackSpec) { stack.account = value }
    public func apply(to environment: inout EnvironmentSpec) { environment.account = value }
}

/// The External Secrets Operator store a Kubernetes environment's secrets come from, when the
/// cluster already runs one (Vault, another cloud's secret manager, a store shared by several
/// stacks). Without it, each environment gets a `ClusterSecretStore` of its own: AWS Secrets
/// Manager in the stack's region, read with an IAM role. Either way, a secret is looked up as
/// `<stack>/<environment>/<NAME>`.
///
/// ```swift
/// SecretStore(cluster: "vault")
/// Environments {
///     Production { SecretStore(cluster: "vault-production") }
/// }
/// ```
public struct SecretStore: StackContent, EnvironmentContent {
    let value: Located<String>

    public init(cluster name: String, file: String = #filePath, line: Int = #line) {
        value = Located(name, at: location(file, line))
    }

    public func apply(to stack: inout StackSpec) { stack.secretStore = value }
    public func apply(to environment: inout EnvironmentSpec) { environment.secretStore = value }
}
