/// The root of a stack file: a product, its growth stage, and everything it runs.
///
/// ```swift
/// import Stagecraft
///
/// let stack = Stack("shop", stage: .growth) {
///     Service("web") { Image("ghcr.io/acme/shop-web"); Port(8080); HealthCheck("/healthz") }
///     Postgres("db", version: 16)
///     Environments { Development(); Staging(branch: "main"); Production(approval: .required) }
/// }
/// ```
///
/// Changing `stage:` is how a product moves to its next stage: `stagecraft promote` does it for you.
public struct Stack: Sendable {
    /// What this stack declares, as plain data.
    public let spec: StackSpec

    public init(
        _ name: String,
        stage: Stage,
        file: String = #filePath,
        line: Int = #line,
        @StackBuilder _ content: () -> [any StackContent]
    ) {
        var spec = StackSpec(name: name, stage: stage, location: location(file, line))
        for part in content() { part.apply(to: &spec) }
        self.spec = spec
        StackRegistry.register(spec)
    }
}
