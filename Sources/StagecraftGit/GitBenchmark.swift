import Foundation
import StagecraftOutput

/// Compares committing an output through ``GitWriter`` (objects written straight into the
/// repository) with the usual route: write the files into a work tree, then `git add -A && git commit`.
public enum GitBenchmark {
    public struct Figures: Sendable {
        public var fileCount: Int
        /// Repository creation plus one GitWriter commit into it (bare: no work tree).
        public var gitWriter: Duration
        /// Repository creation, writing the files to its work tree, `git add -A` and `git commit`.
        public var gitCommandLine: Duration
    }

    /// Runs both routes once in fresh repositories under `directory`.
    public static func run(fileCount: Int = 1_000, in directory: String) throws -> Figures {
        let files = try output(fileCount: fileCount)
        let clock = ContinuousClock()

        let writerRepository = directory + "/writer.git"
        let gitWriter = try clock.measure {
            let request = GitCommitRequest(
                repositoryPath: writerRepository, files: files,
                message: GitCommitMessage(stack: "bench", stage: "growth", environments: ["production"], toolVersion: "bench"),
                author: "Stagecraft Bench <bench@example.com>", initialize: true, bare: true
            )
            _ = try GitWriter().commit(request)
        }

        let cliRepository = directory + "/cli"
        let gitCommandLine = try clock.measure {
            try git(["init", "-q", "-b", "main", cliRepository], in: directory)
            for file in files.files {
                let url = URL(fileURLWithPath: cliRepository).appendingPathComponent(file.path.value)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.contents).write(to: url)
                if file.executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path) }
            }
            try git(["add", "-A"], in: cliRepository)
            try git(["-c", "user.name=Stagecraft Bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m", "bench"], in: cliRepository)
        }
        return Figures(fileCount: files.count, gitWriter: gitWriter, gitCommandLine: gitCommandLine)
    }

    /// `fileCount` small YAML files spread over folders, as emitters produce, finalized with headers and manifest.
    private static func output(fileCount: Int) throws -> FileSet {
        var emitted = FileSet()
        for number in 0..<fileCount {
            let text = "service: svc\(number)\nreplicas: \(number % 5 + 1)\nimage: ghcr.io/acme/svc\(number):1.0.\(number)\n"
            try emitted.insert(try GeneratedFile(path: "env\(number % 10)/svc\(number)/config.yml", text: text, commentStyle: .hash))
        }
        let contract = OutputContract(generator: "stagecraft bench", stack: "bench", stackFile: "Stack.swift", environments: ["production": "growth"], templateOverrides: [])
        return try contract.finalize(emitted)
    }

    private struct CommandFailed: Error, CustomStringConvertible {
        var arguments: [String]
        var status: Int32
        var description: String { "git \(arguments.joined(separator: " ")) exited with \(status)" }
    }

    private static func git(_ arguments: [String], in directory: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CommandFailed(arguments: arguments, status: process.terminationStatus) }
    }
}
