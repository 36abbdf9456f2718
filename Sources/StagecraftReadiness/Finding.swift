import StagecraftPlanner
import StagecraftSpec

/// How to resolve a finding, written as the stack-file line to add or change and where it goes.
public struct Fix: Codable, Sendable, Equatable, CustomStringConvertible {
    /// The DSL line, e.g. `HealthCheck("/healthz")`.
    public var line: String
    /// Where it goes, e.g. `inside Service("web") at stacks/blog.swift:8`.
    public var placement: String

    public init(_ line: String, _ placement: String) {
        self.line = line
        self.placement = placement
    }

    public var description: String { "\(line) \(placement)" }
}

/// One rule's verdict on one declaration, at the audited stage.
public struct Finding: Codable, Sendable, Equatable {
    public var rule: String
    public var severity: Severity
    public var message: String
    public var location: SourceLocation
    public var fix: Fix

    /// A failed gate: promotion to the audited stage is refused while it stands.
    public var isGate: Bool { severity == .error }
}
