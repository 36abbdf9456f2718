import Foundation
import StagecraftOutput
import StagecraftPlanner
import StagecraftReadiness

/// A readiness report as people and tools read it: a table, JSON, or SARIF 2.1.0 for code scanning.
struct ReadinessOutput {
    var report: ReadinessReport

    func text(console: Console) -> String {
        var lines: [String] = []
        let environments = report.environments.map { "\($0.name) (\($0.stage))" }.joined(separator: ", ")
        lines.append(console.paint("\(report.stack) audited for \(report.stage)", .bold) + " — environments: \(environments.isEmpty ? "none" : environments)")
        lines.append("")
        lines.append(contentsOf: findingLines(report.findings, console: console))
        let count = { (severity: Severity) in report.findings.filter { $0.severity == severity }.count }
        let gates = count(.error)
        lines.append(gates == 0
            ? console.paint("every gate of \(report.stage) passes", .green) + "; \(count(.warning)) warning(s), \(count(.info)) note(s)"
            : console.paint("\(gates) gate\(gates == 1 ? "" : "s") of \(report.stage) failed", .red) + "; \(count(.warning)) warning(s), \(count(.info)) note(s)")
        return lines.joined(separator: "\n")
    }

    /// Three lines a finding: severity, rule and line; what is wrong; the fix.
    func findingLines(_ findings: [Finding], console: Console) -> [String] {
        findings.flatMap { finding -> [String] in
            let color: Console.Color = finding.severity == .error ? .red : finding.severity == .warning ? .yellow : .cyan
            let label = finding.severity == .error ? "gate" : finding.severity == .warning ? "warning" : "note"
            return [
                console.paint(label.padding(toLength: 8, withPad: " ", startingAt: 0), color) + finding.rule + "  " + finding.location.description,
                "        " + finding.message,
                "        fix: " + console.paint(finding.fix.line, .bold) + " " + finding.fix.placement,
                "",
            ]
        }
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(JSONReport(report)), as: UTF8.self)
    }

    private struct JSONReport: Encodable {
        var stack: String
        var stackFile: String
        var stage: String
        var passesGates: Bool
        var environments: [EnvironmentStage]
        var findings: [Finding]

        init(_ report: ReadinessReport) {
            stack = report.stack
            stackFile = report.stackFile
            stage = report.stage.rawValue
            passesGates = report.passesGates
            environments = report.environments
            findings = report.findings
        }
    }

    /// SARIF 2.1.0: one run, the rules that fired in `tool.driver.rules`, each result at its stack-file line.
    func sarif(rules: [ReadinessRule] = ReadinessRules.all) throws -> String {
        let fired = rules.filter { rule in report.findings.contains { $0.rule == rule.id } }
        let ruleObjects: [[String: Any]] = fired.map { rule in
            let fixes = report.findings.filter { $0.rule == rule.id }.map { "- \($0.fix)" }
            return [
                "id": rule.id,
                "name": rule.id,
                "shortDescription": ["text": rule.summary],
                "fullDescription": ["text": rule.summary + " (severity at \(report.stage): \(rule.severity[report.stage]?.rawValue ?? "none"))"],
                "help": ["text": "\(rule.summary).\nFix:\n" + fixes.joined(separator: "\n")],
                "defaultConfiguration": ["level": Self.level(rule.severity[report.stage] ?? .info)],
            ]
        }
        let results: [[String: Any]] = report.findings.map { finding in
            [
                "ruleId": finding.rule,
                "ruleIndex": fired.firstIndex { $0.id == finding.rule }!,
                "level": Self.level(finding.severity),
                "message": ["text": "\(finding.message). Fix: \(finding.fix)"],
                "locations": [[
                    "physicalLocation": [
                        "artifactLocation": ["uri": finding.location.file],
                        "region": ["startLine": max(1, finding.location.line)],
                    ],
                ]],
            ]
        }
        let log: [String: Any] = [
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [[
                "tool": ["driver": [
                    "name": "stagecraft",
                    "version": StagecraftVersion.current,
                    "informationUri": "https://github.com/stagecraft/stagecraft",
                    "rules": ruleObjects,
                ]],
                "automationDetails": ["id": "stagecraft-check/\(report.stack)/\(report.stage)"],
                "results": results,
            ]],
        ]
        let data = try JSONSerialization.data(withJSONObject: log, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    private static func level(_ severity: Severity) -> String {
        switch severity {
        case .error: "error"
        case .warning: "warning"
        case .info: "note"
        }
    }
}
