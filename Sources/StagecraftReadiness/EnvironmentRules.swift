import StagecraftPlanner
import StagecraftSpec

/// Environments, delivery, platform and monitoring.
enum EnvironmentRules {
    static let all = [environmentSeparation, staging, productionApproval, multiZone, cdn, uptimeCheck, errorTracking, alertReceivers]

    private static func environmentsDeclaration(_ spec: StackSpec) -> String {
        spec.environmentsLocation.map { DSL.inside("Environments", $0) } ?? DSL.inStack(spec)
    }

    static let environmentSeparation = ReadinessRule(
        id: "SC120-environment-separation",
        summary: "Development is separate from production",
        severity: Staged(base: .warning)
    ) { context in
        let kinds = context.plan.map { $0.environments.map(\.kind) } ?? context.spec.environments.map(\.kind)
        guard !kinds.isEmpty, !kinds.contains(.development) else { return [] }
        return [Violation(
            "the stack has no development environment: changes are first tried where users are",
            at: context.spec.environmentsLocation ?? context.spec.location,
            fix: Fix("Development()", environmentsDeclaration(context.spec)))]
    }

    static let staging = ReadinessRule(
        id: "SC121-staging",
        summary: "A staging environment rehearses every production change",
        severity: Staged(growth: .warning, scale: .warning)
    ) { context in
        let kinds = context.plan.map { $0.environments.map(\.kind) } ?? context.spec.environments.map(\.kind)
        guard !kinds.isEmpty, !kinds.contains(.staging) else { return [] }
        return [Violation(
            "there is no staging environment: migrations and config changes meet production data first",
            at: context.spec.environmentsLocation ?? context.spec.location,
            fix: Fix("Staging(branch: \"main\")", environmentsDeclaration(context.spec)))]
    }

    static let productionApproval = ReadinessRule(
        id: "SC122-production-approval",
        summary: "Production deploys wait for a reviewer's approval",
        severity: Staged(growth: .warning, scale: .error)
    ) { context in
        guard let plan = context.plan,
              let deploy = plan.pipeline.deploys.first(where: { plan.environment($0.environment)?.kind == .production }),
              !deploy.requiresApproval else { return [] }
        let declaration = context.spec.environments.first { $0.kind == .production }
        return [Violation(
            "production deploys without approval: every push to \(deploy.branch) reaches users unreviewed",
            at: declaration?.location ?? context.spec.location,
            fix: Fix("Production(approval: .required)", declaration.map { DSL.replacing(at: $0.location) } ?? environmentsDeclaration(context.spec)))]
    }

    static let multiZone = ReadinessRule(
        id: "SC123-multi-zone",
        summary: "Production runs across availability zones",
        severity: Staged(scale: .error)
    ) { context in
        let production = context.production
        let declared = context.spec.platform?.value[context.stage]
        let platform = production?.platform ?? declared
        guard platform == .compose || (production?.zones ?? 2) < 2 else { return [] }
        let declaration = context.spec.platform
        return [Violation(
            "production runs in one zone\(platform == .compose ? " on a single Compose host" : ""): losing the zone takes the product down",
            at: declaration?.location ?? context.spec.location,
            fix: Fix(
                DSL.staged("Platform", baseLabel: nil, declaration?.value, setting: context.stage, to: .kubernetes, render: DSL.platform),
                declaration.map { DSL.replacing(at: $0.location) } ?? DSL.inStack(context.spec)))]
    }

    static let cdn = ReadinessRule(
        id: "SC124-cdn",
        summary: "Static assets are served through a CDN",
        severity: Staged(growth: .info, scale: .warning)
    ) { context in
        guard let production = context.production, production.cdn == nil,
              let service = context.spec.services.first(where: { !$0.staticPaths.isEmpty }) else { return [] }
        return [Violation(
            "\(service.name) serves static assets from the app instances: a CDN would take that traffic and latency off them",
            at: context.spec.cdn?.location ?? service.staticPaths[0].location,
            fix: Fix("CDN()", context.spec.cdn.map { DSL.replacing(at: $0.location) } ?? DSL.inStack(context.spec)))]
    }

    private static func monitoringDeclaration(_ spec: StackSpec) -> String {
        spec.monitoring.map { DSL.inside("Monitoring", $0.location) } ?? "inside a Monitoring { … } block " + DSL.inStack(spec)
    }

    static let uptimeCheck = ReadinessRule(
        id: "SC125-uptime-check",
        summary: "An uptime check watches the public endpoint",
        severity: Staged(base: .warning)
    ) { context in
        guard context.spec.loadBalancer != nil, context.spec.monitoring?.uptimePath == nil else { return [] }
        let path = context.spec.services.compactMap(\.healthCheck).first?.value ?? "/healthz"
        return [Violation(
            "nothing checks from outside that the site is up: users notice an outage first",
            at: context.spec.monitoring?.location ?? context.spec.location,
            fix: Fix("Uptime(\(DSL.string(path)))", monitoringDeclaration(context.spec)))]
    }

    static let errorTracking = ReadinessRule(
        id: "SC126-error-tracking",
        summary: "Errors are reported to an error tracker",
        severity: Staged(base: .warning)
    ) { context in
        guard !context.spec.services.isEmpty, context.spec.monitoring?.errorTrackingSecret == nil else { return [] }
        return [Violation(
            "errors are not tracked: exceptions end in logs nobody reads",
            at: context.spec.monitoring?.location ?? context.spec.location,
            fix: Fix("ErrorTracking(secret: \"SENTRY_DSN\")", monitoringDeclaration(context.spec)))]
    }

    static let alertReceivers = ReadinessRule(
        id: "SC127-alert-receivers",
        summary: "Alerts reach someone",
        severity: Staged(base: .warning)
    ) { context in
        guard context.production?.monitoring.alerting == true, context.production?.monitoring.receivers.isEmpty == true else { return [] }
        return [Violation(
            "alerts fire, but go nowhere: no one hears that the site is down or a backup failed",
            at: context.spec.monitoring?.location ?? context.spec.location,
            fix: Fix("Alerts { Slack(secret: \"SLACK_WEBHOOK_URL\") }", monitoringDeclaration(context.spec)))]
    }
}
