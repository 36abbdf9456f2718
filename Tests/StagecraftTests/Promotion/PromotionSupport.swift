import Foundation
import StagecraftCLI
import StagecraftEmitters
import StagecraftEvaluation
import StagecraftOutput
import StagecraftPlanner
import StagecraftSpec
import XCTest

/// Stands in for the platform emitters (built in other branches) so promotions can be
/// rendered end to end: one file per environment naming what runs there.
struct StandInPlatformEmitter: PlatformEmitter {
    var platform: PlatformKind

    func emit(_ plan: StackPlan, context: EmitContext) throws -> [GeneratedFile] {
        try plan.environments.filter { $0.platform == platform }.map { environment in
            let workloads = environment.workloads.map { "\($0.name)=\($0.scaling.min)-\($0.scaling.max)" }
            let databases = environment.databases.map { "\($0.name) replicas=\($0.readReplicas) pooling=\($0.pooling) wal=\($0.backups?.walArchiving ?? false)" }
            return try GeneratedFile(path: "environments/\(environment.name)/\(platform).txt",
                                     text: (workloads + databases).joined(separator: "\n") + "\n", commentStyle: .hash)
        }
    }

    func deploySteps(for target: DeployTarget, environment: EnvironmentPlan, plan: StackPlan) -> [CIStep] {
        [CIStep("Deploy", .run("echo deploy")), CIStep("Roll back", .run("echo rollback"), onFailureOnly: true)]
    }
}

enum PromotionSupport {
    static var renderer: Renderer {
        let platforms = PlatformKind.allCases.map { StandInPlatformEmitter(platform: $0) }
        let emitters: [any Emitter] = [EnvironmentConfigEmitter(), GitHubActionsEmitter(deploySteps: DeployStepCatalog(platforms: platforms))] + platforms
        return Renderer(templates: Fixtures.templates, emitters: EmitterSet(emitters: emitters))
    }

    /// A workspace with a copy of an example stack at `stacks/<name>.swift`.
    static func workspace(_ example: String) throws -> URL {
        let directory = try Fixtures.temporaryDirectory("promote")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("stacks"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Fixtures.repositoryRoot.appendingPathComponent(Fixtures.stackFile(example)),
                                         to: directory.appendingPathComponent(Fixtures.stackFile(example)))
        return directory
    }

    /// Evaluates a stack file for real, with `directory` as the working directory.
    static func spec(_ path: String, in directory: URL) throws -> StackSpec {
        let previous = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(directory.path)
        defer { FileManager.default.changeCurrentDirectoryPath(previous) }
        return try StackEvaluator(toolchain: Fixtures.toolchain()).evaluate(path: path).0
    }

    /// Runs a promotion the way `stagecraft promote` does, from `directory`.
    static func promote(_ path: String, in directory: URL, to stage: Stage, environment: String? = nil,
                        destination: PromotionWorkflow.Destination, dryRun: Bool = false) throws -> PromotionWorkflow.Outcome {
        let spec = try spec(path, in: directory)
        let previous = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(directory.path)
        defer { FileManager.default.changeCurrentDirectoryPath(previous) }
        let workflow = PromotionWorkflow(renderer: renderer, stackFile: path, destination: destination, dryRun: dryRun)
        return try workflow.run(spec, to: stage, environment: environment)
    }

    /// The blog example with the fixes its growth gates ask for.
    static func applyBlogGrowthFixes(in directory: URL) throws {
        let url = directory.appendingPathComponent("stacks/blog.swift")
        var text = try String(contentsOf: url, encoding: .utf8)
        for (old, new) in [
            ("Sessions(.inProcess)", "Sessions(.shared(cache: \"cache\"))"),
            ("Uploads(.localDisk(path: \"/var/lib/blog/uploads\"))", "Uploads(.bucket(\"uploads\"))"),
            ("Backups(rpo: .hours(24))", "Backups(rpo: .hours(24), growth: .hours(1))"),
            ("    LoadBalancer(domain:", "    Redis(\"cache\")\n    Bucket(\"uploads\")\n\n    LoadBalancer(domain:"),
        ] {
            XCTAssertTrue(text.contains(old), old)
            text = text.replacingOccurrences(of: old, with: new)
        }
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
}
