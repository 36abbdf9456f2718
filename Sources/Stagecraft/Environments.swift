/// The environments the stack runs in. Each declares only what differs from the stack;
/// Stagecraft gives production the stage's shape, staging the same topology at minimum
/// size, and development one of everything.
///
/// ```swift
/// Environments {
///     Development()
///     Staging(branch: "main")
///     Production(approval: .required) {
///         Override("web") { Replicas(6) }
///     }
/// }
/// ```
public struct Environments: StackContent {
    let environments: [EnvironmentSpec]
    let declaredAt: SourceLocation

    public init(file: String = #filePath, line: Int = #line, @EnvironmentsBuilder _ content: () -> [any EnvironmentsContent]) {
        var environments: [EnvironmentSpec] = []
        for part in content() { part.apply(to: &environments) }
        self.environments = environments
        declaredAt = location(file, line)
    }

    public func apply(to stack: inout StackSpec) {
        stack.environments += environments
        stack.environmentsLocation = declaredAt
    }
}

/// Local development: one instance of everything, no CDN, no replicas, no backups.
/// A `stage:` of its own changes the platform and settings it gets, not its size.
///
/// ```swift
/// Development()
/// ```
public struct Development: EnvironmentsContent {
    let spec: EnvironmentSpec

    public init(stage: Stage? = nil, file: String = #filePath, line: Int = #line, @EnvironmentBuilder _ content: () -> [any EnvironmentContent] = { [] }) {
        let at = location(file, line)
        var spec = EnvironmentSpec(kind: .development, location: at)
        spec.stage = stage.map { Located($0, at: at) }
        for part in content() { part.apply(to: &spec) }
        self.spec = spec
    }

    public func apply(to environments: inout [EnvironmentSpec]) { environments.append(spec) }
}

/// A rehearsal of production, deployed automatically from `branch`. Give it a `stage:` to
/// rehearse the next stage before production moves (see `stagecraft promote --environment`).
///
/// ```swift
/// Staging(branch: "main")
/// Staging(branch: "main", stage: .scale)
/// ```
public struct Staging: EnvironmentsContent {
    let spec: EnvironmentSpec

    public init(branch: String = "main", stage: Stage? = nil, file: String = #filePath, line: Int = #line, @EnvironmentBuilder _ content: () -> [any EnvironmentContent] = { [] }) {
        let at = location(file, line)
        var spec = EnvironmentSpec(kind: .staging, location: at)
        spec.branch = Located(branch, at: at)
        spec.stage = stage.map { Located($0, at: at) }
        for part in content() { part.apply(to: &spec) }
        self.spec = spec
    }

    public func apply(to environments: inout [EnvironmentSpec]) { environments.append(spec) }
}

/// Production. With `approval: .required`, deploys wait for a reviewer (a GitHub environment
/// protection rule or a manual GitLab job).
///
/// ```swift
/// Production(approval: .required)
/// ```
public struct Production: EnvironmentsContent {
    let spec: EnvironmentSpec

    public init(approval: Approval? = nil, branch: String? = nil, stage: Stage? = nil, file: String = #filePath, line: Int = #line, @EnvironmentBuilder _ content: () -> [any EnvironmentContent] = { [] }) {
        let at = location(file, line)
        var spec = EnvironmentSpec(kind: .production, location: at)
        spec.approval = approval.map { Located($0, at: at) }
        spec.branch = branch.map { Located($0, at: at) }
        spec.stage = stage.map { Located($0, at: at) }
        for part in content() { part.apply(to: &spec) }
        self.spec = spec
    }

    public func apply(to environments: inout [EnvironmentSpec]) { environments.append(spec) }
}

/// Changes one service or worker in one environment, with the same declarations as in its block.
///
/// ```swift
/// Override("web") { Replicas(6); Config("FEATURE_X", "on") }
/// ```
public struct Override: EnvironmentContent {
    let spec: WorkloadOverrideSpec

    public init(_ target: String, file: String = #filePath, line: Int = #line, @ServiceBuilder _ content: () -> [any ServiceContent]) {
        let at = location(file, line)
        var changes = WorkloadSpec(kind: .service, name: target, location: at)
        for part in content() { part.apply(to: &changes) }
        spec = WorkloadOverrideSpec(target: target, location: at, changes: changes)
    }

    public func apply(to environment: inout EnvironmentSpec) { environment.overrides.append(spec) }
}

/// The public domain of an environment, when it is not derived from the load balancer's
/// (`staging.shop.example.com` for staging).
///
/// ```swift
/// Domain("preview.shop.example.com")
/// ```
public struct Domain: EnvironmentContent {
    let value: Located<String>

    public init(_ domain: String, file: String = #filePath, line: Int = #line) {
        value = Located(domain, at: location(file, line))
    }

    public func apply(to environment: inout EnvironmentSpec) { environment.domain = value }
}
