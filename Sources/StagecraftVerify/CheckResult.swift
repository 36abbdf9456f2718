/// What one validator said about one generated file (or folder, for tools that check a
/// whole module or overlay).
public struct CheckResult: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        case passed, failed, skipped
    }

    /// Relative to the output folder; a folder ends in `/`.
    public var path: String
    public var tool: String
    public var status: Status
    /// The tool's own message when it failed; why it did not run when skipped.
    public var message: String?
    /// How to install the tool, when it was not found.
    public var hint: String?

    public static func passed(_ path: String, _ tool: String) -> CheckResult {
        CheckResult(path: path, tool: tool, status: .passed)
    }

    public static func failed(_ path: String, _ tool: String, _ message: String) -> CheckResult {
        CheckResult(path: path, tool: tool, status: .failed, message: message.trimmingTrailingWhitespace)
    }

    public static func skipped(_ path: String, _ tool: String, because reason: String, hint: String? = nil) -> CheckResult {
        CheckResult(path: path, tool: tool, status: .skipped, message: reason, hint: hint)
    }
}

/// Every result of one verification, in the order the checks ran.
public struct VerifyReport: Sendable, Equatable, Codable {
    public var results: [CheckResult]

    public var failed: [CheckResult] { results.filter { $0.status == .failed } }
    public func count(_ status: CheckResult.Status) -> Int { results.filter { $0.status == status }.count }
    public var summary: String { "\(count(.passed)) passed, \(count(.failed)) failed, \(count(.skipped)) skipped" }
}

extension String {
    var trimmingTrailingWhitespace: String {
        String(reversed().drop { $0.isWhitespace }.reversed())
    }
}
