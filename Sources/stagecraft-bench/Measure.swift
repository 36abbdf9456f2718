import Foundation

struct Measurement {
    var seconds: Double
    var peakMiB: Double
    var status: Int32
    var output: String
}

/// Spawns a program and waits for it with wait4, which reports that child's own peak memory.
/// The child's standard output is captured (phase timings); its standard error is discarded.
func measure(_ executable: String, _ arguments: [String], environment: [String: String], in directory: URL) -> Measurement {
    let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(getpid())-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: outputFile) }
    var pid: pid_t = 0
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { (argv + envp).forEach { free($0) } }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, outputFile.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let previous = FileManager.default.currentDirectoryPath
    _ = FileManager.default.changeCurrentDirectoryPath(directory.path)
    let start = DispatchTime.now()
    let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
    _ = FileManager.default.changeCurrentDirectoryPath(previous)
    guard spawned == 0 else { return Measurement(seconds: 0, peakMiB: 0, status: -1, output: "") }
    var status: Int32 = 0
    var usage = rusage()
    wait4(pid, &status, 0, &usage)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    let output = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
    return Measurement(seconds: seconds, peakMiB: Double(usage.ru_maxrss) / 1024, status: (status >> 8) & 0xFF, output: output)
}

/// The fastest of `runs` measurements (the least disturbed by the rest of the machine).
func best(of runs: Int, _ body: () -> Measurement) -> Measurement {
    (0..<runs).map { _ in body() }.min { $0.seconds < $1.seconds }!
}

func seconds(_ start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}

func figure(_ m: Measurement) -> String {
    m.status == 0 ? String(format: "%7.3f s %7.1f MiB", m.seconds, m.peakMiB) : "failed (exit \(m.status))"
}
