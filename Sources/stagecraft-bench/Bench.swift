import Foundation
import StagecraftGit

/// The parent side: spawns `stagecraft` and itself, and prints the figures.
struct Bench {
    let binDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    var stagecraft: String { binDirectory.appendingPathComponent("stagecraft").path }
    var packageRoot: URL { binDirectory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("stagecraft-bench-\(getpid())")

    func environment(cache: URL) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["STAGECRAFT_CACHE_DIR"] = cache.path
        environment["STAGECRAFT_TEMPLATES"] = packageRoot.appendingPathComponent("templates").path
        environment["NO_COLOR"] = "1"
        return environment
    }

    func examples() {
        let environment = environment(cache: scratch.appendingPathComponent("examples-cache"))
        print("Examples: `stagecraft generate`, whole process, \(ProcessInfo.processInfo.activeProcessorCount) cores")
        print("  \(pad("example", 13)) \(pad("cold (compile + generate)", 26)) warm (cached stack, no changes)")
        for example in ["blog", "shop", "marketplace"] {
            let out = scratch.appendingPathComponent("out-\(example)").path
            let run = { measure(stagecraft, ["generate", "stacks/\(example).swift", "--out", out], environment: environment, in: packageRoot) }
            let cold = run()
            let warm = best(of: 5, run)
            print("  \(pad(example, 13)) \(pad(figure(cold), 26)) \(figure(warm))")
        }
        print("")
    }

    /// Committing a tree of generated files through libgit2, against the git command line on the same tree.
    func gitCommit(files: Int) {
        let folder = scratch.appendingPathComponent("git-\(files)")
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        print("Committing \(files) generated files, best of 3")
        guard let figures = (0..<3).compactMap({ run in try? GitBenchmark.run(fileCount: files, in: folder.appendingPathComponent("\(run)").path) })
            .min(by: { $0.gitWriter < $1.gitWriter }) else {
            print("  failed")
            return
        }
        print("  \(pad("libgit2 (stagecraft generate --repo)", 34)) \(seconds(figures.gitWriter))")
        print("  \(pad("git add -A && git commit", 34)) \(seconds(figures.gitCommandLine))")
        print("")
    }

    private func seconds(_ duration: Duration) -> String {
        String(format: "%7.3f s", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }

    func synthetic(services: Int) {
        let folder = scratch.appendingPathComponent("synthetic-\(services)")
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let stack = folder.appendingPathComponent("Stack.swift")
        try! syntheticStack(services: services).write(to: stack, atomically: true, encoding: .utf8)
        let cache = folder.appendingPathComponent("cache")
        let environment = environment(cache: cache)
        let me = binDirectory.appendingPathComponent("stagecraft-bench").path
        func phase(_ name: String, out: String, repo: String) -> Measurement {
            measure(me, ["--phase", name, "--stack", "Stack.swift", "--out", out, "--repo", repo], environment: environment, in: folder)
        }

        print("Synthetic stack: \(services) services, each with a database and a cache; 3 environments on compose, kubernetes and aws")
        let cold = phase("evaluate", out: "unused", repo: "unused")
        let warm = best(of: 3) { phase("evaluate", out: "unused", repo: "unused") }
        print("  \(pad("evaluate, cold (compile)", 34)) \(figure(cold))")
        print("  \(pad("evaluate, warm (cached)", 34)) \(figure(warm))")

        var timings: [String: Double] = [:]
        for name in ["plan", "emit", "write", "commit"] {
            let run = phase(name, out: "out-\(name)", repo: "repo-\(name).git")
            for line in run.output.split(separator: "\n") {
                let parts = line.split(separator: "=")
                if parts.count == 2, let value = Double(parts[1]) { timings[String(parts[0])] = value }
            }
            print("  \(pad("up to \(name) (whole process)", 34)) \(figure(run))   \(name): \(String(format: "%.3f", timings[name] ?? 0)) s in-process")
        }
        let files = (try? FileManager.default.subpathsOfDirectory(atPath: folder.appendingPathComponent("out-write").path).count) ?? 0

        let generate = best(of: 3) { measure(stagecraft, ["generate", "Stack.swift", "--out", "out-generate"], environment: environment, in: folder) }
        let regenerate = best(of: 3) { measure(stagecraft, ["generate", "Stack.swift", "--out", "out-generate"], environment: environment, in: folder) }
        let copy = best(of: 3) {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent("copy"))
            return measure("/bin/cp", ["-r", "out-write", "copy"], environment: environment, in: folder)
        }
        print("  \(pad("stagecraft generate, first write", 34)) \(figure(generate))")
        print("  \(pad("stagecraft generate, unchanged", 34)) \(figure(regenerate))")
        print("  \(pad("floor: cp -r of the output", 34)) \(figure(copy))   (\(files) paths; folder write is \(String(format: "%.1f", (timings["write"] ?? 0) / max(copy.seconds, 0.000_001)))× cp -r)")
        if let git = gitCommandLine(tree: folder.appendingPathComponent("out-write"), in: folder) {
            print("  \(pad("floor: git add -A && git commit", 34)) \(String(format: "%7.3f s", git))   (libgit2 commit: \(String(format: "%.3f", timings["commit"] ?? 0)) s)")
        }
        print("")
    }

    /// `git init`, `git add -A`, `git commit` on a copy of the tree: what committing costs without Stagecraft.
    private func gitCommandLine(tree: URL, in folder: URL) -> Double? {
        let work = folder.appendingPathComponent("git-cli")
        try? FileManager.default.removeItem(at: work)
        guard (try? FileManager.default.copyItem(at: tree, to: work)) != nil else { return nil }
        let environment = ["GIT_CONFIG_NOSYSTEM": "1", "HOME": folder.path, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin",
                           "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
                           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com"]
        guard measure("/usr/bin/git", ["init", "--quiet"], environment: environment, in: work).status == 0 else { return nil }
        let add = measure("/usr/bin/git", ["add", "-A"], environment: environment, in: work)
        let commit = measure("/usr/bin/git", ["commit", "--quiet", "-m", "bench"], environment: environment, in: work)
        return add.seconds + commit.seconds
    }
}
