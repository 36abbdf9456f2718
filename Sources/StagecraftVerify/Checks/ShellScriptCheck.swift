import Foundation

/// Shell scripts (`*.sh`, or executable with a sh/bash shebang) through shellcheck.
struct ShellScriptCheck: Check {
    func tasks(_ output: OutputFolder, _ environment: CheckEnvironment) -> [CheckTask] {
        output.files.filter { isScript($0, output) }.map { path in
            CheckTask(path: path, tool: "shellcheck") {
                environment.with("shellcheck", path: path) { shellcheck in
                    let run = try ToolRun.run(shellcheck, ["--format", "gcc", path], in: output.root)
                    return run.succeeded ? .passed(path, "shellcheck") : .failed(path, "shellcheck", run.output)
                }
            }
        }
    }

    private func isScript(_ path: String, _ output: OutputFolder) -> Bool {
        if path.hasSuffix(".sh") { return true }
        guard output.isExecutable(path), let first = output.text(path)?.split(separator: "\n", maxSplits: 1).first else { return false }
        return first.hasPrefix("#!") && (first.hasSuffix("/sh") || first.hasSuffix("bash"))
    }
}
