import Foundation
import StagecraftCLI
import StagecraftEmitters
import StagecraftEvaluation
import StagecraftOutput
import StagecraftPlanner
import StagecraftSpec
import XCTest

enum PromotionSupport {
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
        let workflow = PromotionWorkflow(renderer: Fixtures.renderer, stackFile: path, destination: destination, dryRun: dryRun)
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
