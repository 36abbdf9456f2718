import Foundation
import StagecraftOutput
import StagecraftSpec

/// Turns a stack file into a ``StackSpec``, as SwiftPM turns Package.swift into a package:
/// compile it against the DSL library, run it, read the JSON it writes on exit.
/// Compiled stack files are cached by a hash of their contents, their path, the tool
/// version, the compiler and the DSL library, so an unchanged stack is never recompiled.
public struct StackEvaluator: Sendable {
    public var toolchain: EvaluationToolchain

    public init(toolchain: EvaluationToolchain) {
        self.toolchain = toolchain
    }

    public enum Failure: Error, CustomStringConvertible {
        case unreadable(path: String, reason: String)
        /// The compiler's own diagnostics, `file:line:col: error: …`.
        case compileFailed(diagnostics: String)
        case runFailed(path: String, status: Int32, output: String)
        case noStack(path: String)
        case severalStacks(path: String, names: [String])
        case malformedOutput(path: String, reason: String)

        public var description: String {
            switch self {
            case .unreadable(let path, let reason): "\(path): cannot read the stack file: \(reason)"
            case .compileFailed(let diagnostics): diagnostics.trimmingCharacters(in: .whitespacesAndNewlines)
            case .runFailed(let path, let status, let output):
                "\(path): the stack file stopped with status \(status) while declaring the stack\n\(output)"
            case .noStack(let path): "\(path):1: the file declares no stack; add `let stack = Stack(\"name\", stage: .mvp) { … }`"
            case .severalStacks(let path, let names):
                "\(path):1: the file declares \(names.count) stacks (\(names.joined(separator: ", "))); a stack file declares exactly one"
            case .malformedOutput(let path, let reason): "\(path): unreadable stack declaration: \(reason)"
            }
        }
    }

    /// How the last evaluation went, for `--verbose` and the benchmark.
    public struct Report: Sendable {
        public var compiled: Bool
        public var compileSeconds: Double
        public var runSeconds: Double
    }

    /// Evaluates the stack file at `path` (as the user wrote it: it is how diagnostics name the file).
    public func evaluate(path: String) throws -> (StackSpec, Report) {
        let fileURL = URL(fileURLWithPath: path)
        let source: Data
        do { source = try Data(contentsOf: fileURL) } catch {
            throw Failure.unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        let binary = toolchain.cacheDirectory
            .appendingPathComponent("stacks")
            .appendingPathComponent(cacheKey(source: source, path: path))
            .appendingPathComponent("stack")

        var report = Report(compiled: false, compileSeconds: 0, runSeconds: 0)
        if !FileManager.default.isExecutableFile(atPath: binary.path) {
            let start = Date()
            try compile(path: path, into: binary)
            report.compiled = true
            report.compileSeconds = Date().timeIntervalSince(start)
        }
        let start = Date()
        let spec = try run(binary, path: path)
        report.runSeconds = Date().timeIntervalSince(start)
        return (spec, report)
    }

    func cacheKey(source: Data, path: String) -> String {
        var hasher = SHA256()
        hasher.update(Array(source))
        for part in [path, toolchain.toolVersion, fingerprint(toolchain.swiftc), fingerprint(toolchain.libraryFile)] {
            hasher.update([0] + Array(part.utf8))
        }
        return hasher.finalize().hexString
    }

    /// Path, size and modification time: enough to notice a new compiler or a rebuilt library
    /// without hashing either on every run.
    private func fingerprint(_ url: URL) -> String {
        let resolved = url.resolvingSymlinksInPath()
        let attributes = try? FileManager.default.attributesOfItem(atPath: resolved.path)
        let size = (attributes?[.size] as? NSNumber)?.int64Value ?? -1
        let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return "\(resolved.path)|\(size)|\(modified)"
    }

    private func compile(path: String, into binary: URL) throws {
        let directory = binary.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let partial = directory.appendingPathComponent("stack.partial-\(ProcessInfo.processInfo.processIdentifier)")
        let library = toolchain.libraryDirectory.path
        let result = try ProcessRunner.run(toolchain.swiftc, arguments: [
            "-swift-version", "6",
            "-module-name", "StackFile",
            "-Onone",
            "-I", toolchain.modulesDirectory.path,
            "-L", library, "-lStagecraft",
            "-Xlinker", "-rpath", "-Xlinker", library,
            "-module-cache-path", toolchain.cacheDirectory.appendingPathComponent("module-cache").path,
            "-o", partial.path,
            path,
        ])
        guard result.status == 0 else {
            try? FileManager.default.removeItem(at: partial)
            throw Failure.compileFailed(diagnostics: result.output)
        }
        // Rename, so a concurrent run sees either no binary or a whole one.
        _ = rename(partial.path, binary.path)
    }

    private func run(_ binary: URL, path: String) throws -> StackSpec {
        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("stagecraft-spec-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: output) }
        let result = try ProcessRunner.run(binary, arguments: ["--stagecraft-spec-output", output.path])
        guard result.status == 0 else {
            throw Failure.runFailed(path: path, status: result.status, output: result.output)
        }
        let specs: [StackSpec]
        do {
            specs = try JSONDecoder().decode([StackSpec].self, from: Data(contentsOf: output))
        } catch {
            if !FileManager.default.fileExists(atPath: output.path) { throw Failure.noStack(path: path) }
            throw Failure.malformedOutput(path: path, reason: "\(error)")
        }
        guard let spec = specs.first else { throw Failure.noStack(path: path) }
        guard specs.count == 1 else { throw Failure.severalStacks(path: path, names: specs.map(\.name)) }
        return spec
    }
}
