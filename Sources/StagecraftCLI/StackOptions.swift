import ArgumentParser
import Foundation
import StagecraftEmitters
import StagecraftEvaluation
import StagecraftOutput
import StagecraftPlanner
import StagecraftSpec

/// The options every command that reads a stack file shares.
struct StackOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The stack file.", valueName: "stack-file"))
    var stackFile: String = "Stack.swift"

    @Option(help: ArgumentHelp("A folder of templates that replace built-in ones of the same path (default: ./templates when it exists).", valueName: "dir"))
    var templates: String?

    @Flag(help: "Say whether the stack file was compiled or taken from the cache, and how long compiling took.")
    var verbose = false

    /// Evaluates the stack file, printing the compiler's diagnostics and exiting 1 when it does not compile.
    func loadSpec(console: Console) throws -> StackSpec {
        do {
            let toolchain = try EvaluationToolchain.discover(toolVersion: StagecraftVersion.current)
            let (spec, report) = try StackEvaluator(toolchain: toolchain).evaluate(path: stackFile)
            if verbose {
                console.note(report.compiled
                    ? "compiled \(stackFile) in \(String(format: "%.2f", report.compileSeconds)) s"
                    : "\(stackFile) unchanged: using the cached build")
            }
            return spec
        } catch StackEvaluator.Failure.compileFailed(let diagnostics) {
            // The compiler's own `file:line:col: error:` lines, as it printed them.
            console.raw(diagnostics)
            throw ExitCode.failure
        } catch {
            console.error("\(error)")
            throw ExitCode.failure
        }
    }

    func renderer(console: Console) throws -> Renderer {
        guard let builtIn = TemplateLibrary.builtInDirectory() else {
            console.error("Stagecraft's built-in templates were not found; set STAGECRAFT_TEMPLATES to the templates/ folder of the Stagecraft package")
            throw ExitCode.failure
        }
        var overrides: URL? = templates.map { URL(fileURLWithPath: $0) }
        if overrides == nil {
            let local = URL(fileURLWithPath: "templates")
            // The Stagecraft package's own templates/ is the built-in folder, not an override.
            if local.standardizedFileURL.resolvingSymlinksInPath() != builtIn.standardizedFileURL.resolvingSymlinksInPath() {
                overrides = local
            }
        }
        do {
            return Renderer(templates: try TemplateLibrary(builtIn: builtIn, overrides: overrides))
        } catch {
            console.error("\(error)")
            throw ExitCode.failure
        }
    }

    /// Plans and renders for output under `outputRoot`, printing warnings, or every error and exit 1.
    func generate(console: Console, outputRoot: URL) throws -> Generation {
        let spec = try loadSpec(console: console)
        var renderer = try renderer(console: console)
        renderer.actionPinUpdates = Self.committedPins(under: outputRoot)
        return try reportingFailures(console: console) {
            let plan = try renderer.plan(spec).namingStackFile(outputName(under: outputRoot))
            for warning in plan.warnings { console.diagnostic(warning) }
            return Generation(plan: plan, files: try renderer.files(for: plan))
        }
    }

    /// The pins of the workflows already under `outputRoot`, so that a newer one (a Dependabot
    /// pull request's) survives generating again.
    static func committedPins(under outputRoot: URL) -> ActionPinUpdates {
        let folder = outputRoot.appendingPathComponent(".github/workflows")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return ActionPinUpdates(workflows: names.filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted().compactMap {
            try? String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8)
        })
    }

    /// The stack file as output under `outputRoot` names it: relative to the repository root.
    func outputName(under outputRoot: URL) -> String {
        RepositoryRelativePath.stackFile(stackFile, outputRoot: outputRoot)
    }

    /// Plans only (no templates needed), printing warnings, or every error and exit 1.
    func plan(console: Console) throws -> StackPlan {
        let spec = try loadSpec(console: console)
        return try reportingFailures(console: console) {
            let plan = try Planner(toolVersion: StagecraftVersion.current).plan(spec)
            for warning in plan.warnings { console.diagnostic(warning) }
            return plan
        }
    }

    private func reportingFailures<T>(console: Console, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let failure as PlanningFailed {
            for diagnostic in failure.diagnostics { console.diagnostic(diagnostic) }
            let count = failure.errors.count
            console.error("\(stackFile): \(count) error\(count == 1 ? "" : "s"); nothing was written")
            throw ExitCode.failure
        } catch {
            console.error("\(error)")
            throw ExitCode.failure
        }
    }
}
