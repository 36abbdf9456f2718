import Foundation
import StagecraftCLI
import StagecraftEmitters
import StagecraftEvaluation
import StagecraftGit
import StagecraftOutput
import StagecraftWriters

/// The child side: runs the pipeline up to one phase and prints `phase=seconds` for each step.
/// Its parent reads the process's peak memory, so each prefix of the pipeline gets its own.
func runPhase(_ arguments: [String]) {
    func value(_ flag: String) -> String { arguments[arguments.firstIndex(of: flag)! + 1] }
    let last = value("--phase")
    let order = ["evaluate", "plan", "emit", "write", "commit"]
    let steps = order.prefix(through: order.firstIndex(of: last)!)
    do {
        var start = DispatchTime.now()
        let toolchain = try EvaluationToolchain.discover(toolVersion: StagecraftVersion.current)
        let (spec, _) = try StackEvaluator(toolchain: toolchain).evaluate(path: value("--stack"))
        print("evaluate=\(seconds(start))")
        guard steps.contains("plan") else { return }

        let renderer = Renderer(templates: try TemplateLibrary(builtIn: TemplateLibrary.builtInDirectory()!))
        start = DispatchTime.now()
        let plan = try renderer.plan(spec)
        print("plan=\(seconds(start))")
        guard steps.contains("emit") else { return }

        start = DispatchTime.now()
        let files = try renderer.files(for: plan)
        print("emit=\(seconds(start))")
        guard steps.contains("write") else { return }

        start = DispatchTime.now()
        try DirectoryWriter(root: URL(fileURLWithPath: value("--out"))).write(files)
        print("write=\(seconds(start))")
        guard steps.contains("commit") else { return }

        start = DispatchTime.now()
        _ = try GitWriter().commit(GitCommitRequest(
            repositoryPath: value("--repo"), files: files,
            message: GitCommitMessage(stack: plan.stack, stage: plan.stage.rawValue, environments: [], toolVersion: StagecraftVersion.current),
            author: "bench <bench@example.com>", initialize: true, bare: true
        ))
        print("commit=\(seconds(start))")
    } catch {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        exit(1)
    }
}
