import StagecraftPlanner
import StagecraftSpec

/// "Too much, too early": what costs more to run and change than the stage can use (DESIGN §3).
enum OverEngineeringRules {
    static let all = [platformTooEarly, microservicesTooEarly, multiRegionTooEarly, monitoringTooEarly]

    static let platformTooEarly = ReadinessRule(
        id: "SC130-platform-too-early",
        summary: "An mvp runs on one host with Compose, not Kubernetes or a cloud platform",
        severity: Staged(mvp: .warning)
    ) { context in
        guard let declaration = context.spec.platform,
              let chosen = context.production?.platform ?? declaration.value[context.stage], chosen != .compose else { return [] }
        return [Violation(
            "\(chosen) at \(context.stage) is more platform than a first version needs: one host with Compose is cheaper to run and to change",
            at: declaration.location,
            fix: Fix(
                DSL.staged("Platform", baseLabel: nil, declaration.value, setting: context.stage, to: .compose, render: DSL.platform),
                DSL.replacing(at: declaration.location)))]
    }

    static let microservicesTooEarly = ReadinessRule(
        id: "SC131-microservices-too-early",
        summary: "An mvp is a few services, not microservices",
        severity: Staged(mvp: .warning)
    ) { context in
        let services = context.spec.services
        guard services.count > 3 else { return [] }
        return [Violation(
            "\(services.count) services at \(context.stage): each one multiplies deploys, configs and failure modes before there is traffic to justify it",
            at: services[3].location,
            fix: Fix("Route(\"/\(services[3].name)/\")", "inside \(DSL.service(services[0])) at \(services[0].location), merging \(DSL.service(services[3])) into it"))]
    }

    static let multiRegionTooEarly = ReadinessRule(
        id: "SC132-multi-region-too-early",
        summary: "Multi-region waits for the scale stage",
        severity: Staged(mvp: .warning, growth: .warning)
    ) { context in
        let regions = context.spec.regions
        guard regions.count > 1 else { return [] }
        return [Violation(
            "\(regions.count) regions at \(context.stage): multi-region is a scale-stage concern; one region with backups copied to another is enough for now",
            at: regions[1].location,
            fix: Fix(
                "Region(\(DSL.string(regions[0].value.name)), backupCopy: \(DSL.string(regions[1].value.name)))",
                "replacing the Region declarations at \(regions[0].location) and \(regions[1].location)"))]
    }

    static let monitoringTooEarly = ReadinessRule(
        id: "SC133-monitoring-too-early",
        summary: "An mvp is watched by error tracking and an uptime check, not a metrics stack",
        severity: Staged(mvp: .info)
    ) { context in
        guard let monitoring = context.spec.monitoring else { return [] }
        var asked: [(String, SourceLocation)] = []
        if let metrics = monitoring.metrics, metrics.value { asked.append(("Metrics()", metrics.location)) }
        if let tracing = monitoring.tracing, tracing.value { asked.append(("Tracing(true)", tracing.location)) }
        guard let first = asked.first else { return [] }
        return [Violation(
            "\(asked.map(\.0).joined(separator: ", ")) at \(context.stage): Prometheus, Alertmanager and their exporters are more to run than a first version needs; error tracking and an uptime check tell you what users see",
            at: first.1,
            fix: Fix("ErrorTracking(secret: \"SENTRY_DSN\")", "instead, inside Monitoring { … } at \(monitoring.location)"))]
    }
}
