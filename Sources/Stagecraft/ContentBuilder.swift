/// Collects the declarations written inside a DSL block, in order, with `if`, `if/else`
/// and `for` allowed as in any result builder.
@resultBuilder
public enum ContentBuilder<Content> {
    public static func buildExpression(_ content: Content) -> [Content] { [content] }
    public static func buildBlock(_ parts: [Content]...) -> [Content] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [Content]?) -> [Content] { part ?? [] }
    public static func buildEither(first: [Content]) -> [Content] { first }
    public static func buildEither(second: [Content]) -> [Content] { second }
    public static func buildArray(_ parts: [[Content]]) -> [Content] { parts.flatMap { $0 } }
}

/// A declaration that may appear directly inside `Stack { … }`.
public protocol StackContent { func apply(to stack: inout StackSpec) }
/// A declaration that may appear inside `Service { … }`.
public protocol ServiceContent { func apply(to workload: inout WorkloadSpec) }
/// A declaration that may appear inside `Worker { … }`.
public protocol WorkerContent { func apply(to workload: inout WorkloadSpec) }
/// A declaration that may appear inside `Postgres { … }`.
public protocol PostgresContent { func apply(to database: inout PostgresSpec) }
/// A declaration that may appear inside `Redis { … }`.
public protocol RedisContent { func apply(to cache: inout RedisSpec) }
/// A declaration that may appear inside `LoadBalancer { … }`.
public protocol LoadBalancerContent { func apply(to loadBalancer: inout LoadBalancerSpec) }
/// A declaration that may appear inside `CDN { … }`.
public protocol CDNContent { func apply(to cdn: inout CDNSpec) }
/// An environment declared inside `Environments { … }`.
public protocol EnvironmentsContent { func apply(to environments: inout [EnvironmentSpec]) }
/// A declaration that may appear inside `Development { … }`, `Staging { … }` or `Production { … }`.
public protocol EnvironmentContent { func apply(to environment: inout EnvironmentSpec) }
/// A declaration that may appear inside `Pipeline { … }`.
public protocol PipelineContent { func apply(to pipeline: inout PipelineSpec) }
/// A declaration that may appear inside `Monitoring { … }`.
public protocol MonitoringContent { func apply(to monitoring: inout MonitoringSpec) }
/// A receiver declared inside `Alerts { … }`.
public protocol AlertReceiver { var receiver: Located<AlertReceiverSpec> { get } }

public typealias StackBuilder = ContentBuilder<any StackContent>
public typealias ServiceBuilder = ContentBuilder<any ServiceContent>
public typealias WorkerBuilder = ContentBuilder<any WorkerContent>
public typealias PostgresBuilder = ContentBuilder<any PostgresContent>
public typealias RedisBuilder = ContentBuilder<any RedisContent>
public typealias LoadBalancerBuilder = ContentBuilder<any LoadBalancerContent>
public typealias CDNBuilder = ContentBuilder<any CDNContent>
public typealias EnvironmentsBuilder = ContentBuilder<any EnvironmentsContent>
public typealias EnvironmentBuilder = ContentBuilder<any EnvironmentContent>
public typealias PipelineBuilder = ContentBuilder<any PipelineContent>
public typealias MonitoringBuilder = ContentBuilder<any MonitoringContent>
public typealias AlertsBuilder = ContentBuilder<any AlertReceiver>

func location(_ file: String, _ line: Int) -> SourceLocation { SourceLocation(file: file, line: line) }
