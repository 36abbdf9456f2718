import StagecraftSpec

/// A finding about a stack, pointing at the line that caused it.
public struct Diagnostic: Codable, Sendable, Equatable, CustomStringConvertible, Error {
    public var severity: Severity
    public var message: String
    public var location: SourceLocation

    public init(_ severity: Severity, _ message: String, at location: SourceLocation) {
        self.severity = severity
        self.message = message
        self.location = location
    }

    /// `stacks/shop.swift:12: error: …`, the shape compilers and editors understand.
    public var description: String { "\(location.file):\(location.line): \(severity.rawValue): \(message)" }
}

/// The stack cannot be planned; every error is listed.
public struct PlanningFailed: Error, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
