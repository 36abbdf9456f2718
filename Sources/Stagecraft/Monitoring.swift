import StagecraftSpec

/// What the stack is watched with.
///
/// ```swift
/// Monitoring {
///     ErrorTracking(secret: "SENTRY_DSN")
///     Uptime("/healthz")
///     SlowQueryLog(milliseconds: 500)
///     Availability(99.9)
///     Alerts {
///         Slack(secret: "SLACK_WEBHOOK_URL")
///         PagerDuty(secret: "PAGERDUTY_ROUTING_KEY")
///     }
/// }
/// ```
public struct Monitoring: StackContent {
    let spec: MonitoringSpec

    public init(file: String = #filePath, line: Int = #line, @MonitoringBuilder _ content: () -> [any MonitoringContent]) {
        var spec = MonitoringSpec(location: location(file, line))
        for part in content() { part.apply(to: &spec) }
        self.spec = spec
    }

    public func apply(to stack: inout StackSpec) { stack.monitoring = spec }
}

/// Error tracking (Sentry or similar), its DSN given as a secret's name.
///
/// ```swift
/// ErrorTracking(secret: "SENTRY_DSN")
/// ```
public struct ErrorTracking: MonitoringContent {
    let value: Located<String>

    public init(secret: String, file: String = #filePath, line: Int = #line) {
        value = Located(secret, at: location(file, line))
    }

    public func apply(to monitoring: inout MonitoringSpec) { monitoring.errorTrackingSecret = value }
}

/// An external uptime check of a path on the public domain.
///
/// ```swift
/// Uptime("/healthz")
/// ```
public struct Uptime: MonitoringContent {
    let value: Located<String>

    public init(_ path: String, file: String = #filePath, line: Int = #line) {
        value = Located(path, at: location(file, line))
    }

    public func apply(to monitoring: inout MonitoringSpec) { monitoring.uptimePath = value }
}

/// Log database queries slower than this.
///
/// ```swift
/// SlowQueryLog(milliseconds: 500)
/// ```
public struct SlowQueryLog: MonitoringContent {
    let value: Located<Int>

    public init(milliseconds: Int, file: String = #filePath, line: Int = #line) {
        value = Located(milliseconds, at: location(file, line))
    }

    public func apply(to monitoring: inout MonitoringSpec) { monitoring.slowQueryMilliseconds = value }
}

/// The availability objective, in percent, that burn-rate alerts protect at scale.
///
/// ```swift
/// Availability(99.9)
/// ```
public struct Availability: MonitoringContent {
    let value: Located<Double>

    public init(_ percent: Double, file: String = #filePath, line: Int = #line) {
        value = Located(percent, at: location(file, line))
    }

    public func apply(to monitoring: inout MonitoringSpec) { monitoring.availabilityTarget = value }
}

/// Metrics (and the alert rules over them) whatever the stage; from growth on they are there
/// without asking.
///
/// ```swift
/// Metrics()
/// ```
public struct Metrics: MonitoringContent {
    let value: Located<Bool>

    public init(_ enabled: Bool = true, file: String = #filePath, line: Int = #line) {
        value = Located(enabled, at: location(file, line))
    }

    public func apply(to monitoring: inout MonitoringSpec) { monitoring.metrics = value }
}

/// Distributed tracing (OpenTelemetry) on or off, whatever the stage; at scale it is on
/// without asking. Workloads are told the OpenTelemetry settings for the platform's collector
/// (an ADOT collector beside each ECS task, sending to X-Ray; the cluster's collector on
/// Kubernetes). Compose has no collector, so tracing there is refused.
///
/// ```swift
/// Tracing(true)
/// ```
public struct Tracing: MonitoringContent {
    let value: Located<Bool>

    public init(_ enabled: Bool, file: String = #filePath, line: Int = #line) {
        value = Located(enabled, at: location(file, line))
    }

    public func apply(to monitoring: inout MonitoringSpec) { monitoring.tracing = value }
}

/// Where alerts go. Every receiver gets every alert; pages and tickets differ by severity.
///
/// ```swift
/// Alerts {
///     Email("ops@acme.com", smarthost: "smtp.acme.com:587", from: "alerts@acme.com", passwordSecret: "SMTP_PASSWORD")
///     Slack(secret: "SLACK_WEBHOOK_URL")
///     PagerDuty(secret: "PAGERDUTY_ROUTING_KEY")
/// }
/// ```
public struct Alerts: MonitoringContent {
    let spec: AlertsSpec

    public init(file: String = #filePath, line: Int = #line, @AlertsBuilder _ content: () -> [any AlertReceiver]) {
        var spec = AlertsSpec(location: location(file, line))
        spec.receivers = content().map(\.receiver)
        self.spec = spec
    }

    public func apply(to monitoring: inout MonitoringSpec) { monitoring.alerts = spec }
}

/// An email address that receives alerts, through an SMTP server (`host:port`, STARTTLS).
/// The password is a secret's name.
///
/// ```swift
/// Email("ops@acme.com", smarthost: "smtp.acme.com:587", from: "alerts@acme.com", passwordSecret: "SMTP_PASSWORD")
/// ```
public struct Email: AlertReceiver {
    public let receiver: Located<AlertReceiverSpec>

    public init(_ address: String, smarthost: String, from: String, passwordSecret: String? = nil, file: String = #filePath, line: Int = #line) {
        receiver = Located(.email(address: address, smarthost: smarthost, from: from, passwordSecret: passwordSecret), at: location(file, line))
    }
}

/// A Slack channel that receives alerts; the secret holds its incoming-webhook URL.
///
/// ```swift
/// Slack(secret: "SLACK_WEBHOOK_URL")
/// ```
public struct Slack: AlertReceiver {
    public let receiver: Located<AlertReceiverSpec>

    public init(secret: String, file: String = #filePath, line: Int = #line) {
        receiver = Located(.slack(webhookSecret: secret), at: location(file, line))
    }
}

/// A PagerDuty service that receives alerts; the secret holds its Events API v2 routing key.
///
/// ```swift
/// PagerDuty(secret: "PAGERDUTY_ROUTING_KEY")
/// ```
public struct PagerDuty: AlertReceiver {
    public let receiver: Located<AlertReceiverSpec>

    public init(secret: String, file: String = #filePath, line: Int = #line) {
        receiver = Located(.pagerDuty(routingKeySecret: secret), at: location(file, line))
    }
}

/// What a service promises: the percentage of requests that succeed, and the time within
/// which 99 % of them are answered. What is left out is the stack's (`Availability`, 1 s).
///
/// ```swift
/// Service("web") {
///     Objective(availability: 99.95, latencyMilliseconds: 300)
/// }
/// ```
public struct Objective: ServiceContent {
    let value: Located<ObjectiveSpec>

    public init(availability: Double? = nil, latencyMilliseconds: Int? = nil, file: String = #filePath, line: Int = #line) {
        value = Located(ObjectiveSpec(availability: availability, latencyMilliseconds: latencyMilliseconds), at: location(file, line))
    }

    public func apply(to workload: inout WorkloadSpec) { workload.objective = value }
}
