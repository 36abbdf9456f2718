import Foundation
import StagecraftCLI
import StagecraftOutput
import StagecraftPlanner
import XCTest

/// The compose examples rendered once per test run, and helpers to hand their files to real tools.
enum ComposeFixtures {
    private static let cache = GenerationCache()

    static func generation(_ stack: String) throws -> Generation {
        if let cached = cache.get(stack) { return cached }
        let generation = try Fixtures.renderer.render(try Fixtures.example(stack))
        cache.set(stack, generation)
        return generation
    }

    static func file(_ stack: String, _ path: String) throws -> GeneratedFile {
        try XCTUnwrap(try generation(stack).files[path], "\(stack) has no \(path)")
    }

    static func text(_ stack: String, _ path: String) throws -> String { try file(stack, path).text }

    /// The stack's whole output in a fresh temporary folder.
    static func materialized(_ files: FileSet, label: String) throws -> URL {
        let directory = try Fixtures.temporaryDirectory(label)
        try Fixtures.materialize(files, in: directory)
        return directory
    }

    /// Compose environments of the examples that have them.
    static let stacks = ["blog", "shop"]

    static func composeEnvironments(_ stack: String) throws -> [EnvironmentPlan] {
        try generation(stack).plan.environments.filter { $0.platform == .compose }
    }
}

private final class GenerationCache: @unchecked Sendable {
    private var generations: [String: Generation] = [:]
    private let lock = NSLock()
    func get(_ key: String) -> Generation? { lock.withLock { generations[key] } }
    func set(_ key: String, _ value: Generation) { lock.withLock { generations[key] = value } }
}
