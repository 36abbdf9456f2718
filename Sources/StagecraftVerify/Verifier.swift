import Foundation
import StagecraftOutput

/// One validator run on one file or folder, ready to go.
struct CheckTask {
    var path: String
    var tool: String
    var run: () -> CheckResult
}

/// A family of generated files and the validators that apply to them.
protocol Check: Sendable {
    func tasks(_ output: OutputFolder, _ environment: CheckEnvironment) -> [CheckTask]
}

/// What checks share: where tools, schemas and provider plug-ins are, and a scratch folder
/// for copies the tools may write into (the output itself is never touched).
struct CheckEnvironment {
    var tools: ToolFinder
    var schemas: URL?
    var terraformPluginDirectory: URL?
    var scratch: URL

    /// The tool's path, or a skipped result naming how to install it.
    func require(_ tool: String, for path: String, as label: String? = nil) -> Result<String, SkippedTool> {
        if let found = tools.find(tool) { return .success(found) }
        return .failure(SkippedTool(result: .skipped(path, label ?? tool, because: "\(tool) is not installed", hint: ToolFinder.hint(tool))))
    }

    /// Runs `body` with the tool, or reports it skipped.
    func with(_ tool: String, path: String, label: String? = nil, _ body: (String) throws -> CheckResult) -> CheckResult {
        switch require(tool, for: path, as: label) {
        case .failure(let skipped): return skipped.result
        case .success(let executable):
            do { return try body(executable) } catch { return .failed(path, label ?? tool, "\(error)") }
        }
    }
}

struct SkippedTool: Error {
    var result: CheckResult
}

/// Runs every validator that applies to a generated output (DESIGN §7) and reports each
/// file's result. Tools that are missing are skipped with an install hint, never failed.
public struct Verifier {
    public var tools: ToolFinder
    public var schemas: URL?
    public var terraformPluginDirectory: URL?

    public init(tools: ToolFinder, schemas: URL?, terraformPluginDirectory: URL?) {
        self.tools = tools
        self.schemas = schemas
        self.terraformPluginDirectory = terraformPluginDirectory
    }

    /// Tools from `.tools/venv/bin` and PATH; schemas shipped with Stagecraft (or
    /// `STAGECRAFT_SCHEMAS`); provider plug-ins from `STAGECRAFT_TF_PLUGIN_DIR` or /opt/tf-plugins.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> Verifier {
        let schemas = environment["STAGECRAFT_SCHEMAS"].map { URL(fileURLWithPath: $0) }
            ?? StagecraftPackageSchemas.directory
        let plugins = [environment["STAGECRAFT_TF_PLUGIN_DIR"], "/opt/tf-plugins"].compactMap { $0 }
            .first { FileManager.default.fileExists(atPath: $0) }
        return Verifier(tools: .standard(environment: environment), schemas: schemas, terraformPluginDirectory: plugins.map { URL(fileURLWithPath: $0) })
    }

    static let checks: [any Check] = [
        WorkflowChecks(),
        GitLabCICheck(),
        ComposeCheck(),
        NginxCheck(),
        PrometheusCheck(),
        KustomizeCheck(),
        CustomResourceCheck(),
        TerraformCheck(),
        ShellScriptCheck(),
    ]

    /// Checks every file; `progress` hears (done, total, the task about to run).
    public func verify(_ root: URL, progress: (Int, Int, String) -> Void = { _, _, _ in }) throws -> VerifyReport {
        let output = try OutputFolder(root: root)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("stagecraft-verify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let environment = CheckEnvironment(tools: tools, schemas: schemas, terraformPluginDirectory: terraformPluginDirectory, scratch: scratch)
        let tasks = Self.checks.flatMap { $0.tasks(output, environment) }
        var results: [CheckResult] = []
        for (index, task) in tasks.enumerated() {
            progress(index, tasks.count, "\(task.tool) \(task.path)")
            results.append(task.run())
        }
        progress(tasks.count, tasks.count, "")
        return VerifyReport(results: results)
    }
}

/// The CloudNativePG schemas shipped in the package's `schemas/` folder.
enum StagecraftPackageSchemas {
    static let marker = "cnpg-cluster.strict.schema.json"
    static var directory: URL? { StagecraftPackage.directory("schemas", marker: marker) }
}
