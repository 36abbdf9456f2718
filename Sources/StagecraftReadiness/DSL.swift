import StagecraftSpec

/// How fix hints name declarations and values: as the stack file writes them.
enum DSL {
    static func string(_ value: String) -> String { value.debugDescription }

    static func service(_ workload: WorkloadSpec) -> String {
        "\(workload.kind == .service ? "Service" : "Worker")(\(string(workload.name)))"
    }

    static func database(_ database: PostgresSpec) -> String { "Postgres(\(string(database.name)))" }

    static func cache(_ cache: RedisSpec) -> String { "Redis(\(string(cache.name)))" }

    static func timeSpan(_ span: TimeSpan) -> String {
        if span.seconds >= 2 * 86_400 && span.seconds % 86_400 == 0 { return ".days(\(span.seconds / 86_400))" }
        if span.seconds % 3600 == 0 { return ".hours(\(span.seconds / 3600))" }
        if span.seconds % 60 == 0 { return ".minutes(\(span.seconds / 60))" }
        return ".seconds(\(span.seconds))"
    }

    static func inside(_ declaration: String, _ location: SourceLocation) -> String {
        "inside \(declaration) at \(location)"
    }

    static func replacing(at location: SourceLocation) -> String { "replacing the declaration at \(location)" }

    static func inStack(_ spec: StackSpec) -> String {
        inside("Stack(\(string(spec.name)), …)", spec.location)
    }

    static func instances(_ instances: Instances) -> String {
        switch instances {
        case .fixed(let n): "\(n)"
        case .autoscale(let min, let max, let cpu): ".autoscale(min: \(min), max: \(max), cpu: \(cpu))"
        }
    }

    /// A stage-valued declaration with one stage's value set, keeping what it already says:
    /// `Backups(rpo: .hours(24), growth: .hours(1))`. `baseLabel` is the unlabelled-or-labelled
    /// argument that applies to every stage (nil: unlabelled).
    static func staged<T>(_ name: String, baseLabel: String?, _ declared: Staged<T>?, setting stage: Stage, to value: T, render: (T) -> String) -> String {
        var staged = declared ?? Staged()
        switch stage {
        case .mvp: staged.mvp = value
        case .growth: staged.growth = value
        case .scale: staged.scale = value
        }
        var arguments: [String] = []
        if let base = staged.base { arguments.append(baseLabel.map { "\($0): \(render(base))" } ?? render(base)) }
        for (label, value) in [("mvp", staged.mvp), ("growth", staged.growth), ("scale", staged.scale)] {
            if let value { arguments.append("\(label): \(render(value))") }
        }
        return "\(name)(\(arguments.joined(separator: ", ")))"
    }

    /// `Replicas` takes either one count for every stage or per-stage counts, never both.
    static func replicas(_ declared: Staged<Instances>?, setting stage: Stage, to value: Instances) -> String {
        var perStage = declared ?? Staged()
        if let base = perStage.base {
            perStage = Staged(mvp: perStage.mvp ?? base, growth: perStage.growth ?? base, scale: perStage.scale ?? base)
        }
        return staged("Replicas", baseLabel: nil, perStage, setting: stage, to: value, render: instances)
    }

    static func bool(_ value: Bool) -> String { value ? "true" : "false" }

    static func platform(_ kind: PlatformKind) -> String { ".\(kind.rawValue)" }
}
