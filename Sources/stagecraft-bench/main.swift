import Foundation

// Measures whole `stagecraft` processes, as a developer or a CI job runs them: wall time and
// peak resident memory of each run. Figures, not a pass/fail: the machines are noisy.
//
//   swift build -c release && .build/release/stagecraft-bench

let binDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
let stagecraft = binDirectory.appendingPathComponent("stagecraft").path
let packageRoot = binDirectory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

struct Measurement {
    var seconds: Double
    var peakMiB: Double
    var status: Int32
}

/// Spawns a program and waits for it with wait4, which reports that child's own peak memory.
func measure(_ executable: String, _ arguments: [String], environment: [String: String], in directory: URL) -> Measurement {
    var pid: pid_t = 0
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { (argv + envp).forEach { free($0) } }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let previous = FileManager.default.currentDirectoryPath
    FileManager.default.changeCurrentDirectoryPath(directory.path)
    let start = DispatchTime.now()
    let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
    FileManager.default.changeCurrentDirectoryPath(previous)
    guard spawned == 0 else { return Measurement(seconds: 0, peakMiB: 0, status: -1) }
    var status: Int32 = 0
    var usage = rusage()
    wait4(pid, &status, 0, &usage)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    return Measurement(seconds: seconds, peakMiB: Double(usage.ru_maxrss) / 1024, status: (status >> 8) & 0xFF)
}

func format(_ m: Measurement) -> String {
    m.status == 0 ? String(format: "%6.3f s %6.1f MiB", m.seconds, m.peakMiB) : "failed (exit \(m.status))"
}

let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("stagecraft-bench-\(getpid())")
defer { try? FileManager.default.removeItem(at: scratch) }
var environment = ProcessInfo.processInfo.environment
environment["STAGECRAFT_CACHE_DIR"] = scratch.appendingPathComponent("cache").path
environment["STAGECRAFT_TEMPLATES"] = packageRoot.appendingPathComponent("templates").path
environment["NO_COLOR"] = "1"

print("stagecraft generate, whole process (\(ProcessInfo.processInfo.activeProcessorCount) cores)")
print("example        cold (compile + generate)    warm (cached, no changes)")
for example in ["blog", "shop", "marketplace"] {
    let out = scratch.appendingPathComponent("out-\(example)").path
    let arguments = ["generate", "stacks/\(example).swift", "--out", out]
    let cold = measure(stagecraft, arguments, environment: environment, in: packageRoot)
    let warm = (0..<5).map { _ in measure(stagecraft, arguments, environment: environment, in: packageRoot) }
        .min { $0.seconds < $1.seconds }!
    print("\(example.padding(toLength: 14, withPad: " ", startingAt: 0)) \(format(cold))        \(format(warm))")
}
