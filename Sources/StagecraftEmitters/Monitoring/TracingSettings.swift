import StagecraftPlanner

/// The OpenTelemetry SDK's standard settings a workload is given when the environment traces:
/// who it is, where its collector listens, and how much to sample. Built once; each platform
/// says only where its collector is.
enum TracingSettings {
    /// One trace in ten is kept; a trace a caller sampled is always kept, so none is cut in half.
    static let sampler = "parentbased_traceidratio"
    static let samplingRatio = "0.1"

    /// Nothing unless the environment traces.
    static func environment(service: String, in environment: EnvironmentPlan, collector: String) -> [(key: String, value: String)] {
        guard environment.monitoring.tracing else { return [] }
        return [
            (key: "OTEL_SERVICE_NAME", value: service),
            (key: "OTEL_RESOURCE_ATTRIBUTES", value: "deployment.environment=\(environment.name)"),
            (key: "OTEL_EXPORTER_OTLP_ENDPOINT", value: collector),
            (key: "OTEL_EXPORTER_OTLP_PROTOCOL", value: "grpc"),
            (key: "OTEL_TRACES_EXPORTER", value: "otlp"),
            (key: "OTEL_TRACES_SAMPLER", value: sampler),
            (key: "OTEL_TRACES_SAMPLER_ARG", value: samplingRatio),
            (key: "OTEL_PROPAGATORS", value: "tracecontext,baggage"),
        ]
    }
}
