import StagecraftPlanner
import StagecraftSpec

/// What moving between two plans does to the running product, grouped into the steps an
/// operator takes, each in the order that keeps the product up.
public struct PlanChange: Sendable, Equatable {
    public enum Kind: String, Sendable { case added, changed, removed }

    public var kind: Kind
    public var step: RunbookStep
    public var text: String

    public var symbol: String {
        switch kind {
        case .added: "+"
        case .changed: "~"
        case .removed: "-"
        }
    }
}

public struct EnvironmentChanges: Sendable, Equatable {
    public var environment: String
    public var from: Stage?
    public var to: Stage?
    public var changes: [PlanChange]
}

/// Diffs two stack plans, environment by environment: counts, switches and schedules only
/// (the planner decided them; this just compares its decisions).
public enum PlanChanges {
    public static func between(_ before: StackPlan, _ after: StackPlan) -> [EnvironmentChanges] {
        let names = after.environments.map(\.name) + before.environments.map(\.name).filter { after.environment($0) == nil }
        var result = names.map { name in
            let old = before.environment(name), new = after.environment(name)
            return EnvironmentChanges(environment: name, from: old?.stage, to: new?.stage, changes: environment(old, new))
        }
        let pipeline = pipelineChanges(before.pipeline, after.pipeline)
        if !pipeline.isEmpty {
            result.append(EnvironmentChanges(environment: "CI/CD", from: before.stage, to: after.stage, changes: pipeline))
        }
        return result
    }

    private static func environment(_ old: EnvironmentPlan?, _ new: EnvironmentPlan?) -> [PlanChange] {
        guard let old, let new else {
            let present = (old ?? new)!
            let kind: PlanChange.Kind = old == nil ? .added : .removed
            return [PlanChange(kind: kind, step: .environments, text: "\(present.name) environment on \(present.platform)")]
        }
        var changes: [PlanChange] = []
        func changed(_ step: RunbookStep, _ what: String, _ a: some Equatable & CustomStringConvertible, _ b: some Equatable & CustomStringConvertible) {
            if "\(a)" != "\(b)" { changes.append(PlanChange(kind: .changed, step: step, text: "\(what): \(a) → \(b)")) }
        }
        func toggled(_ step: RunbookStep, _ what: String, _ a: Bool, _ b: Bool) {
            if a != b { changes.append(PlanChange(kind: b ? .added : .removed, step: step, text: what)) }
        }
        changed(.platform, "platform", old.platform, new.platform)
        changed(.platform, "availability zones", old.zones, new.zones)

        for name in union(old.caches.map(\.name), new.caches.map(\.name)) {
            let a = old.caches.first { $0.name == name }, b = new.caches.first { $0.name == name }
            toggled(.cache, "cache \(name)", a != nil, b != nil)
            if let a, let b { toggled(.cache, "replica of cache \(name)", a.replica, b.replica) }
        }

        if let a = old.loadBalancer, let b = new.loadBalancer {
            toggled(.loadBalancer, "multi-zone load balancer", a.multiZone, b.multiZone)
            toggled(.loadBalancer, "web application firewall with per-client rate tiers", a.edgeFirewall, b.edgeFirewall)
            changed(.loadBalancer, "connection draining", "\(a.drainSeconds) s", "\(b.drainSeconds) s")
        }
        for name in union(old.workloads.map(\.name), new.workloads.map(\.name)) {
            let a = old.workloads.first { $0.name == name }, b = new.workloads.first { $0.name == name }
            guard let a, let b else { continue }
            changed(.instances, "instances of \(name)", describe(a.scaling), describe(b.scaling))
            changed(.instances, "size of \(name)", "\(a.resources.cpuMillicores)m CPU / \(a.resources.memoryMiB) MiB", "\(b.resources.cpuMillicores)m CPU / \(b.resources.memoryMiB) MiB")
        }

        for name in union(old.databases.map(\.name), new.databases.map(\.name)) {
            guard let a = old.databases.first(where: { $0.name == name }), let b = new.databases.first(where: { $0.name == name }) else { continue }
            changed(.readReplicas, "read replicas of \(name)", a.readReplicas, b.readReplicas)
            toggled(.pooling, "connection pooling for \(name)", a.pooling, b.pooling)
            changed(.readReplicas, "storage of \(name)", "\(a.storageGiB) GiB", "\(b.storageGiB) GiB")
            backupChanges(name, a.backups, b.backups, into: &changes)
        }

        toggled(.cdn, "CDN for static assets", old.cdn != nil, new.cdn != nil)
        if let a = old.cdn, let b = new.cdn {
            changed(.cdn, "CDN-cached API paths", a.cacheablePaths.joined(separator: ", "), b.cacheablePaths.joined(separator: ", "))
        }

        toggled(.monitoring, "metrics", old.monitoring.metrics, new.monitoring.metrics)
        toggled(.monitoring, "alerting", old.monitoring.alerting, new.monitoring.alerting)
        toggled(.monitoring, "tracing", old.monitoring.tracing, new.monitoring.tracing)
        changed(.monitoring, "availability target", old.monitoring.availabilityTarget.map { "\($0)%" } ?? "none", new.monitoring.availabilityTarget.map { "\($0)%" } ?? "none")
        return changes
    }

    private static func backupChanges(_ name: String, _ a: BackupPlan?, _ b: BackupPlan?, into changes: inout [PlanChange]) {
        guard let a, let b else {
            if a != nil || b != nil {
                changes.append(PlanChange(kind: b == nil ? .removed : .added, step: .backups, text: "backups of \(name)"))
            }
            return
        }
        if a.walArchiving != b.walArchiving {
            changes.append(PlanChange(kind: b.walArchiving ? .added : .removed, step: .backups, text: "WAL archiving (point-in-time recovery) for \(name)"))
        }
        let pairs: [(String, String, String)] = [
            ("RPO of \(name)", "\(a.rpo)", "\(b.rpo)"),
            ("backup retention of \(name)", "\(a.retentionDays) days", "\(b.retentionDays) days"),
            ("restore test of \(name)", a.restoreTestSchedule ?? "none", b.restoreTestSchedule ?? "none"),
            ("cross-region backup copy of \(name)", a.crossRegionCopy ?? "none", b.crossRegionCopy ?? "none"),
        ]
        for (what, old, new) in pairs where old != new {
            changes.append(PlanChange(kind: .changed, step: .backups, text: "\(what): \(old) → \(new)"))
        }
    }

    private static func pipelineChanges(_ a: PipelinePlan, _ b: PipelinePlan) -> [PlanChange] {
        var changes: [PlanChange] = []
        let checks: [(String, Bool, Bool)] = [
            ("lint job", a.lintCommand != nil, b.lintCommand != nil),
            ("dependency review", a.dependencyReview, b.dependencyReview),
            ("drift check", a.driftCheck, b.driftCheck),
            ("code scanning", a.codeScanning, b.codeScanning),
            ("secret scanning", a.secretScanning, b.secretScanning),
        ]
        for (what, old, new) in checks where old != new {
            changes.append(PlanChange(kind: new ? .added : .removed, step: .delivery, text: "CI check: \(what)"))
        }
        for deploy in b.deploys {
            guard let previous = a.deploys.first(where: { $0.environment == deploy.environment }) else { continue }
            if previous.requiresApproval != deploy.requiresApproval {
                changes.append(PlanChange(kind: deploy.requiresApproval ? .added : .removed, step: .delivery, text: "approval before deploying to \(deploy.environment)"))
            }
            if previous.rollout != deploy.rollout {
                changes.append(PlanChange(kind: .changed, step: .delivery, text: "rollout to \(deploy.environment): \(previous.rollout.rawValue) → \(deploy.rollout.rawValue)"))
            }
        }
        return changes
    }

    private static func describe(_ scaling: Scaling) -> String {
        scaling.autoscales ? "\(scaling.min)–\(scaling.max) autoscaled at \(scaling.cpuTarget!)% CPU" : "\(scaling.min)"
    }

    private static func union(_ a: [String], _ b: [String]) -> [String] { a + b.filter { !a.contains($0) } }
}
