import Foundation

/// Runs a validator to completion: what it printed (stdout and stderr together) and its exit status.
struct ToolRun {
    var status: Int32
    var output: String

    var succeeded: Bool { status == 0 }

    static func run(_ executable: String, _ arguments: [String], in directory: URL? = nil, input: Data? = nil, environment: [String: String] = [:]) throws -> ToolRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        // Feed the input from another thread, so a tool that prints before it has read
        // everything cannot fill the output pipe and stall both sides.
        let writer = Thread {
            if let input { stdin.fileHandleForWriting.write(input) }
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ToolRun(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }
}
