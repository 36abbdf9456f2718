import Foundation

/// GitHub Actions workflows: actionlint (with shellcheck for `run:` scripts), zizmor's
/// offline audits (findings of medium severity or higher fail) and GitHub's schema.
struct WorkflowChecks: Check {
    static func isWorkflow(_ path: String) -> Bool {
        path.hasPrefix(".github/workflows/") && (path.hasSuffix(".yml") || path.hasSuffix(".yaml"))
    }

    func tasks(_ output: OutputFolder, _ environment: CheckEnvironment) -> [CheckTask] {
        output.files.filter(Self.isWorkflow).flatMap { path in
            [actionlint(path, output, environment), zizmor(path, output, environment), SchemaCheck.builtIn("vendor.github-workflows").task(path, output, environment)]
        }
    }

    private func actionlint(_ path: String, _ output: OutputFolder, _ environment: CheckEnvironment) -> CheckTask {
        CheckTask(path: path, tool: "actionlint") {
            environment.with("actionlint", path: path) { actionlint in
                // Without shellcheck actionlint still checks the workflow, just not its scripts.
                let shellcheck = environment.tools.find("shellcheck").map { ["-shellcheck", $0] } ?? ["-shellcheck", ""]
                let run = try ToolRun.run(actionlint, ["-no-color"] + shellcheck + [path], in: output.root)
                return run.succeeded ? .passed(path, "actionlint") : .failed(path, "actionlint", run.output)
            }
        }
    }

    private func zizmor(_ path: String, _ output: OutputFolder, _ environment: CheckEnvironment) -> CheckTask {
        CheckTask(path: path, tool: "zizmor") {
            environment.with("zizmor", path: path) { zizmor in
                let run = try ToolRun.run(zizmor, ["--offline", "--no-progress", "--min-severity", "medium", path], in: output.root)
                return run.succeeded ? .passed(path, "zizmor") : .failed(path, "zizmor", run.output)
            }
        }
    }
}
