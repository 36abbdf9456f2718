import Foundation
import XCTest

/// Real programs the tests run: validators from the project's venv (`scripts/bootstrap`)
/// or the system. A test skips, saying why, only when the tool is not installed.
enum Tools {
    struct Result {
        var status: Int32
        var output: String
    }

    static let venvBin = Fixtures.repositoryRoot.appendingPathComponent(".tools/venv/bin")

    static func path(_ name: String) -> String? {
        let searched = [venvBin.path, Fixtures.repositoryRoot.appendingPathComponent(".tools/checkov/bin").path]
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/sbin", "/sbin", "/usr/lib/postgresql/15/bin"]
        return searched.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The tool's path, or a skip that names it and how to install it.
    static func require(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        guard let path = path(name) else {
            throw XCTSkip("\(name) is not installed on this machine (run scripts/bootstrap to install it)", file: file, line: line)
        }
        return path
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String], in directory: URL? = nil, environment: [String: String]? = nil, input: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : try require(executable))
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// An executable `name` in `directory` running `script`: a stand-in for a program a generated
    /// script calls (the AWS CLI, Terraform) when `directory` leads PATH.
    static func stub(_ name: String, in directory: URL, _ script: String) throws {
        let path = directory.appendingPathComponent(name)
        try script.write(to: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path.path)
    }

    /// Starts a server in the background, its output discarded; the caller stops it.
    static func start(_ executable: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits until something accepts connections on `host`:`port`, for up to `seconds`.
    static func waitForPort(_ port: Int, host: String = "127.0.0.1", seconds: Double = 15) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr(host)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(fd)
            if connected == 0 { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw PortNeverOpened(host: host, port: port, seconds: Int(seconds))
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago.
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var size = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                _ = bind(fd, $0, size)
                _ = getsockname(fd, $0, &size)
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

private struct PortNeverOpened: Error, CustomStringConvertible {
    let host: String
    let port: Int
    let seconds: Int
    var description: String { "nothing listened on \(host):\(port) within \(seconds) s" }
}
