import Foundation

// Figures, not pass/fail (the machines are noisy):
//
//   swift build -c release && .build/release/stagecraft-bench [--sizes 10,100,1000] [--skip-examples] [--skip-git]
//
// Whole `stagecraft` processes for the examples; for synthetic stacks, each pipeline phase timed
// in-process and each prefix of the pipeline run as its own process for its peak memory; and the
// floor: `cp -r` of the same output, and `git add -A && git commit` of the same tree.

let arguments = Array(CommandLine.arguments.dropFirst())
if let phase = arguments.firstIndex(of: "--phase") {
    runPhase(Array(arguments[phase...]))
    exit(0)
}

let bench = Bench()
var sizes = [10, 100, 1000]
if let flag = arguments.firstIndex(of: "--sizes"), flag + 1 < arguments.count {
    sizes = arguments[flag + 1].split(separator: ",").compactMap { Int($0) }
}
defer { try? FileManager.default.removeItem(at: bench.scratch) }
if !arguments.contains("--skip-examples") { bench.examples() }
if !arguments.contains("--skip-git") { bench.gitCommit(files: 1000) }
for size in sizes { bench.synthetic(services: size) }
