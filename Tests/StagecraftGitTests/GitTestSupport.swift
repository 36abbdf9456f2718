import Foundation
import StagecraftGit
import StagecraftOutput
import XCTest

/// Temp folders, a hermetic git CLI and FileSet builders shared by the git tests.
enum GitTestSupport {
    /// An empty folder standing in for HOME and every git configuration level, so neither the
    /// git CLI nor libgit2 reads the machine's configuration.
    static let home: String = {
        let path = makeTemporaryDirectory(named: "home")
        try? LibGit2.isolateConfiguration(in: path)
        return path
    }()

    /// Everything a test process creates lives here and goes when the process exits.
    private static let root: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stagecraft-git-tests-\(UUID().uuidString)")
        atexit { try? FileManager.default.removeItem(at: GitTestSupport.root) }
        return url
    }()

    static func makeTemporaryDirectory(named name: String) -> String {
        let url = root.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    static let environment: [String: String] = {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GIT_") }
        environment["HOME"] = home
        environment["XDG_CONFIG_HOME"] = home
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_AUTHOR_NAME"] = "Test User"
        environment["GIT_AUTHOR_EMAIL"] = "test@example.com"
        environment["GIT_COMMITTER_NAME"] = "Test User"
        environment["GIT_COMMITTER_EMAIL"] = "test@example.com"
        return environment
    }()

    struct CommandResult {
        var status: Int32
        var output: String
        var error: String
    }

    @discardableResult
    static func run(_ arguments: [String], in directory: String) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandResult(
            status: process.terminationStatus,
            output: String(decoding: outputData, as: UTF8.self),
            error: String(decoding: errorData, as: UTF8.self)
        )
    }

    /// Runs git and returns its output, failing the test when git fails.
    @discardableResult
    static func git(_ arguments: String..., in directory: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try run(arguments, in: directory)
        XCTAssertEqual(result.status, 0, "git \(arguments.joined(separator: " ")) failed: \(result.error)", file: file, line: line)
        return result.output
    }

    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init)
    }

    /// A finalized output (headers, `.gitattributes`, manifest) of `files`, path → text.
    static func fileSet(_ files: [String: String], executable: Set<String> = [], stack: String = "shop") throws -> FileSet {
        let emitted = try FileSet(files.map { path, text in
            try GeneratedFile(path: path, text: text, executable: executable.contains(path), commentStyle: .hash)
        })
        let contract = OutputContract(
            generator: "stagecraft 0.1.0", stack: stack, stackFile: "Stack.swift",
            environments: ["development": "growth", "production": "growth"], templateOverrides: []
        )
        return try contract.finalize(emitted)
    }

    static let message = GitCommitMessage(stack: "shop", stage: "growth", environments: ["development", "production"], toolVersion: "0.1.0")

    static func request(
        _ path: String, files: FileSet, branch: String? = nil, prefix: String? = nil, initialize: Bool = false,
        retries: Int = 8, lockTimeout: Duration = .seconds(2)
    ) throws -> GitCommitRequest {
        GitCommitRequest(
            repositoryPath: path, branch: branch, prefix: try prefix.map(OutputPath.init), files: files, message: message,
            initialize: initialize, retries: retries, lockTimeout: lockTimeout
        )
    }

    /// A non-bare repository on `main` with one commit holding `files` (path → text), made by the git CLI.
    static func repositoryWithCommit(_ files: [String: String]) throws -> String {
        let path = makeTemporaryDirectory(named: "repo")
        try git("init", "-q", "-b", "main", in: path)
        for (name, text) in files {
            let url = URL(fileURLWithPath: path).appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        try git("add", "-A", in: path)
        try git("commit", "-q", "-m", "user work", in: path)
        return path
    }

    static func treeFiles(_ revision: String, in path: String) throws -> [String] {
        lines(try git("ls-tree", "-r", "--name-only", revision, in: path))
    }

    static func commitCount(_ revision: String, in path: String) throws -> Int {
        Int(try git("rev-list", "--count", revision, in: path).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }
}
