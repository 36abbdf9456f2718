import Foundation

/// Terraform: every `.tf` file through `terraform fmt -check`, and every root module (a
/// folder of `.tf` files outside `modules/`) through `init -backend=false` with a local
/// provider mirror and `validate`. Both run on a scratch copy of the output, so no
/// `.terraform` folder or lock file is left in it.
struct TerraformCheck: Check {
    func tasks(_ output: OutputFolder, _ environment: CheckEnvironment) -> [CheckTask] {
        let files = output.files.filter { $0.hasSuffix(".tf") }
        guard !files.isEmpty else { return [] }
        let copy = ScratchCopy(output: output, into: environment.scratch.appendingPathComponent("terraform"))
        let format = files.map { path in
            CheckTask(path: path, tool: "terraform fmt") {
                environment.with("terraform", path: path, label: "terraform fmt") { terraform in
                    let run = try Self.terraform(terraform, ["fmt", "-check", "-diff", "-no-color", path], in: output.root, environment)
                    return run.succeeded ? .passed(path, "terraform fmt") : .failed(path, "terraform fmt", run.output)
                }
            }
        }
        let roots = Set(files.map(OutputFolder.folder)).filter { !$0.split(separator: "/").contains("modules") }.sorted()
        let validate = roots.map { directoryPath in
            let folder = directoryPath.isEmpty ? "./" : directoryPath
            return CheckTask(path: folder, tool: "terraform validate") {
                environment.with("terraform", path: folder, label: "terraform validate") { terraform in
                    guard let plugins = environment.terraformPluginDirectory else {
                        return .skipped(folder, "terraform validate", because: "no provider mirror to initialise from offline",
                                        hint: "set STAGECRAFT_TF_PLUGIN_DIR to a folder made by `terraform providers mirror` (or use /opt/tf-plugins)")
                    }
                    let directory = try copy.root().appendingPathComponent(directoryPath)
                    let initialise = try Self.terraform(terraform, ["init", "-backend=false", "-input=false", "-no-color", "-plugin-dir=\(plugins.path)"], in: directory, environment)
                    guard initialise.succeeded else { return .failed(folder, "terraform validate", "terraform init failed:\n" + initialise.output) }
                    let run = try Self.terraform(terraform, ["validate", "-no-color"], in: directory, environment)
                    return run.succeeded ? .passed(folder, "terraform validate") : .failed(folder, "terraform validate", run.output)
                }
            }
        }
        return format + validate
    }

    /// Terraform without the user's CLI configuration (credentials helpers, mirrors): the
    /// check depends on the output and the plug-in folder only.
    private static func terraform(_ terraform: String, _ arguments: [String], in directory: URL, _ environment: CheckEnvironment) throws -> ToolRun {
        let configuration = environment.scratch.appendingPathComponent("terraformrc")
        if !FileManager.default.fileExists(atPath: configuration.path) {
            try Data().write(to: configuration)
        }
        return try ToolRun.run(terraform, arguments, in: directory, environment: [
            "TF_CLI_CONFIG_FILE": configuration.path, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1",
        ])
    }
}

/// A copy of the whole output, made the first time a check needs to write next to its files.
final class ScratchCopy {
    private let output: OutputFolder
    private let destination: URL
    private var made = false

    init(output: OutputFolder, into destination: URL) {
        self.output = output
        self.destination = destination
    }

    func root() throws -> URL {
        guard !made else { return destination }
        for path in output.files {
            let target = destination.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: output.url(path), to: target)
        }
        made = true
        return destination
    }
}
