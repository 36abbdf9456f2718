import Foundation
import StagecraftCLI
import StagecraftEmitters
import StagecraftEvaluation
import StagecraftOutput
import StagecraftSpec
import XCTest

/// Paths and pipeline pieces the tests share.
enum Fixtures {
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let examples = ["blog", "shop", "marketplace", "marketplace-aws", "shop-gitlab"]

    static func stackFile(_ name: String) -> String { "stacks/\(name).swift" }

    static let templates: TemplateLibrary = try! TemplateLibrary(builtIn: repositoryRoot.appendingPathComponent("templates"))

    static var renderer: Renderer { Renderer(templates: templates) }

    /// A cache shared by the whole test run, so each stack file compiles once.
    static let cacheDirectory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stagecraft-test-cache")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    static func toolchain() throws -> EvaluationToolchain {
        var environment = ProcessInfo.processInfo.environment
        environment["STAGECRAFT_CACHE_DIR"] = cacheDirectory.path
        return try EvaluationToolchain.discover(toolVersion: StagecraftVersion.current, environment: environment)
    }

    private static let specs = SpecCache()

    /// Evaluates a stack file for real (compile + run), relative to the repository root.
    static func spec(_ relativePath: String) throws -> StackSpec {
        if let cached = specs.get(relativePath) { return cached }
        let spec = try inRepositoryRoot { try StackEvaluator(toolchain: toolchain()).evaluate(path: relativePath).0 }
        specs.set(relativePath, spec)
        return spec
    }

    static func example(_ name: String) throws -> StackSpec { try spec(stackFile(name)) }

    /// Runs `body` with the repository root as the working directory (stack files are named relative to it).
    static func inRepositoryRoot<T>(_ body: () throws -> T) rethrows -> T {
        let previous = FileManager.default.currentDirectoryPath
        _ = FileManager.default.changeCurrentDirectoryPath(repositoryRoot.path)
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        return try body()
    }

    static func temporaryDirectory(_ label: String = "test") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stagecraft-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes a file set into a folder as it is (no writer logic), for handing to validators.
    static func materialize(_ files: FileSet, in directory: URL) throws {
        for file in files.files {
            let url = directory.appendingPathComponent(file.path.value)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(file.contents).write(to: url)
            if file.executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path) }
        }
    }
}

private final class SpecCache: @unchecked Sendable {
    private var specs: [String: StackSpec] = [:]
    private let lock = NSLock()
    func get(_ key: String) -> StackSpec? { lock.withLock { specs[key] } }
    func set(_ key: String, _ spec: StackSpec) { lock.withLock { specs[key] = spec } }
}

extension Fixtures {
    /// The `stagecraft` executable built next to the test bundle.
    static var stagecraftBinary: String {
        let executable = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        return executable.deletingLastPathComponent().appendingPathComponent("stagecraft").path
    }

    /// Runs the CLI in `directory` with the shared stack cache.
    @discardableResult
    static func stagecraft(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> Tools.Result {
        var env = environment
        env["STAGECRAFT_CACHE_DIR"] = cacheDirectory.path
        env["STAGECRAFT_TEMPLATES"] = repositoryRoot.appendingPathComponent("templates").path
        env["NO_COLOR"] = "1"
        return try Tools.run(stagecraftBinary, arguments, in: directory, environment: env)
    }

    /// Every file below `root` with its bytes, for before/after comparisons.
    static func tree(_ root: URL) throws -> [String: Data] {
        var result: [String: Data] = [:]
        guard let enumerator = FileManager.default.enumerator(atPath: root.path) else { return result }
        for case let path as String in enumerator {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path, isDirectory: &isDirectory)
            if !isDirectory.boolValue { result[path] = try Data(contentsOf: root.appendingPathComponent(path)) }
        }
        return result
    }
}

extension Fixtures {
    /// The examples, and the variants other platforms and providers are proven on.
    static let variantNames = examples + ["shop-scale", "shop-scale-aws"]

    static func variant(_ name: String) throws -> StackSpec {
        switch name {
        case "shop-scale":
            var spec = try example("shop")
            spec.stage = .scale
            return spec
        case "shop-scale-aws":
            // With a Route 53 zone: Terraform issues the certificates and writes the records.
            var spec = try variant("shop-scale")
            spec.platform = Located(Staged(scale: .aws), at: spec.location)
            spec.loadBalancer?.dnsZone = Located("example.com", at: spec.location)
            return spec
        default:
            return try example(name)
        }
    }
}

extension Fixtures {
    /// `spec` with each workload's image at `registry/<prefix><workload name>`.
    static func images(of spec: StackSpec, at registry: String, prefix: String) -> StackSpec {
        var spec = spec
        for index in spec.services.indices {
            let name = spec.services[index].name
            spec.services[index].image?.value = "\(registry)/\(prefix)\(name)"
        }
        for index in spec.workers.indices {
            let name = spec.workers[index].name
            spec.workers[index].image?.value = "\(registry)/\(prefix)\(name)"
        }
        return spec
    }
}

extension Fixtures {
    /// A temporary folder holding copies of example stacks under stacks/, as a user's repository
    /// would; with `git`, a git work tree as well (output then names the stacks from its root).
    static func workspace(_ label: String, examples names: [String] = examples, git: Bool = false) throws -> URL {
        let directory = try temporaryDirectory(label)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("stacks"), withIntermediateDirectories: true)
        for name in names {
            try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent(stackFile(name)), to: directory.appendingPathComponent(stackFile(name)))
        }
        if git {
            let initialised = try Tools.run("git", ["init", "-q", directory.path])
            guard initialised.status == 0 else { throw XCTSkip("git init failed: \(initialised.output)") }
        }
        return directory
    }
}
