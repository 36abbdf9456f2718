import Foundation
import Yams

/// Prometheus' and Alertmanager's own checks on the generated monitoring files: `promtool check
/// config` (with the rule file the configuration names pointed at the one beside it, as its
/// container mounts it), `promtool check rules` (on rule files, and on the groups of each
/// PrometheusRule), and `amtool check-config`.
struct PrometheusCheck: Check {
    static let configTool = "promtool check config"
    static let rulesTool = "promtool check rules"
    static let alertmanagerTool = "amtool check-config"
    /// Where the compose service mounts the rules (monitoring/rules.yml beside the configuration).
    static let mountedRules = "/etc/prometheus/rules.yml"

    func tasks(_ output: OutputFolder, _ environment: CheckEnvironment) -> [CheckTask] {
        var tasks: [CheckTask] = []
        for (index, path) in output.files.filter({ $0.hasSuffix("monitoring/prometheus.yml") }).enumerated() {
            tasks.append(CheckTask(path: path, tool: Self.configTool) {
                environment.with("promtool", path: path, label: Self.configTool) { promtool in
                    guard let config = output.text(path) else { return .failed(path, Self.configTool, "not readable as UTF-8") }
                    let copy = environment.scratch.appendingPathComponent("prometheus-\(index)")
                    try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
                    let rules = String(path.dropLast("prometheus.yml".count)) + "rules.yml"
                    try (output.text(rules) ?? "").write(to: copy.appendingPathComponent("rules.yml"), atomically: true, encoding: .utf8)
                    let configURL = copy.appendingPathComponent("prometheus.yml")
                    try config.replacingOccurrences(of: "- \(Self.mountedRules)\n", with: "- rules.yml\n").write(to: configURL, atomically: true, encoding: .utf8)
                    let run = try ToolRun.run(promtool, ["check", "config", configURL.path])
                    return run.succeeded ? .passed(path, Self.configTool) : .failed(path, Self.configTool, run.output.replacingOccurrences(of: configURL.path, with: path))
                }
            })
        }
        for path in output.files where path.hasSuffix("monitoring/rules.yml") {
            tasks.append(CheckTask(path: path, tool: Self.rulesTool) {
                environment.with("promtool", path: path, label: Self.rulesTool) { promtool in
                    let run = try ToolRun.run(promtool, ["check", "rules", output.url(path).path])
                    return run.succeeded ? .passed(path, Self.rulesTool) : .failed(path, Self.rulesTool, run.output)
                }
            })
        }
        for (index, path) in output.files.filter({ $0.hasSuffix("-prometheusrule.yaml") }).enumerated() {
            tasks.append(CheckTask(path: path, tool: Self.rulesTool) {
                environment.with("promtool", path: path, label: Self.rulesTool) { promtool in
                    guard let text = output.text(path), let object = try Yams.load(yaml: text) as? [String: Any],
                          let spec = object["spec"] as? [String: Any] else { return .failed(path, Self.rulesTool, "not a PrometheusRule") }
                    // The spec is a rule file: its groups, as Prometheus reads them.
                    let rules = environment.scratch.appendingPathComponent("prometheusrule-\(index).yml")
                    try Yams.dump(object: spec).write(to: rules, atomically: true, encoding: .utf8)
                    let run = try ToolRun.run(promtool, ["check", "rules", rules.path])
                    return run.succeeded ? .passed(path, Self.rulesTool) : .failed(path, Self.rulesTool, run.output.replacingOccurrences(of: rules.path, with: path))
                }
            })
        }
        for path in output.files where path.hasSuffix("monitoring/alertmanager.yml") {
            tasks.append(CheckTask(path: path, tool: Self.alertmanagerTool) {
                environment.with("amtool", path: path, label: Self.alertmanagerTool) { amtool in
                    let run = try ToolRun.run(amtool, ["check-config", output.url(path).path])
                    return run.succeeded ? .passed(path, Self.alertmanagerTool) : .failed(path, Self.alertmanagerTool, run.output)
                }
            })
        }
        return tasks
    }
}
