import Foundation
import XCTest

/// Runs the machine's PostgreSQL and pgBackRest as the `postgres` user (tests run as root)
/// in a temporary folder that user owns, on 127.0.0.1 ports. Every server it starts is
/// stopped when the test ends, pass or fail.
final class PostgresHarness {
    let directory: URL
    private let bin: String
    private let runuser: String
    private var dataDirectories: [URL] = []

    init(_ test: XCTestCase, label: String) throws {
        runuser = try Tools.require("runuser")
        // The folder with every PostgreSQL program (a PATH entry may link only a few of them).
        bin = URL(fileURLWithPath: try Tools.require("initdb")).resolvingSymlinksInPath().deletingLastPathComponent().path
        guard getpwnam("postgres") != nil else { throw XCTSkip("the postgres user does not exist (install postgresql)") }
        directory = try Fixtures.temporaryDirectory(label)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        try Tools.run("/bin/chown", ["postgres:postgres", directory.path])
        test.addTeardownBlock { [self] in
            for data in dataDirectories {
                _ = try? asPostgres("\(bin)/pg_ctl", ["--pgdata", data.path, "--mode", "immediate", "stop"])
            }
            try? FileManager.default.removeItem(at: directory)
        }
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// A server another program starts in `data` is stopped at the end of the test too.
    func stopOnTeardown(_ data: URL) { dataDirectories.append(data) }

    func tool(_ name: String) -> String { "\(bin)/\(name)" }

    /// Runs a program as `postgres` with the given extra environment.
    @discardableResult
    func asPostgres(_ executable: String, _ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws -> Tools.Result {
        let variables = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return try Tools.run(runuser, ["-u", "postgres", "--", "env"] + variables + [executable] + arguments, in: directory, input: input)
    }

    /// A folder the postgres user owns.
    func makeDirectory(_ name: String) throws {
        let url = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try Tools.run("/bin/chown", ["postgres:postgres", url.path])
    }

    /// Writes a file the postgres user can read.
    func write(_ name: String, _ text: String, mode: Int = 0o644) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
        try Tools.run("/bin/chown", ["postgres:postgres", url.path])
        return url.path
    }

    /// A cluster whose superuser is `owner`, as the official image creates it.
    func initdb(_ name: String, owner: String) throws -> URL {
        let data = directory.appendingPathComponent(name)
        let result = try asPostgres(tool("initdb"), ["--pgdata", data.path, "--username", owner, "--auth-local", "trust", "--auth-host", "scram-sha-256"])
        XCTAssertEqual(result.status, 0, result.output)
        return data
    }

    /// Starts a server on `data` with `settings` on the command line (they win over the files).
    func start(_ data: URL, port: Int, settings: [String], environment: [String: String] = [:]) throws {
        let options = (["port=\(port)", "listen_addresses=127.0.0.1", "unix_socket_directories=\(directory.path)"] + settings)
            .map { "-c \($0)" }.joined(separator: " ")
        dataDirectories.append(data)
        // The server outlives pg_ctl. Started straight from here it would inherit the
        // descriptors through which Foundation notices the child's exit, and waiting would
        // never end: Python starts it with every descriptor beyond stdio closed.
        let python = try Tools.require("python3")
        let result = try Tools.run(python, ["-c", "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:], close_fds=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))", runuser, "-u", "postgres", "--", "env"]
            + environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            + [tool("pg_ctl"), "--pgdata", data.path, "--log", data.path + ".log", "--wait", "--timeout", "60", "--options", options, "start"])
        let log = (try? String(contentsOfFile: data.path + ".log", encoding: .utf8)) ?? ""
        XCTAssertEqual(result.status, 0, "the server did not start:\n\(log)")
    }

    /// A standby's data folder `name`, cloned from the primary on `port` through replication slot
    /// `slot` as `replicator` (password in `passfile`), and marked a standby.
    func cloneStandby(_ name: String, primaryPort port: Int, slot: String, passfile: String) throws -> URL {
        let data = directory.appendingPathComponent(name)
        let clone = try asPostgres(tool("pg_basebackup"), [
            "--pgdata", data.path, "--host", "127.0.0.1", "--port", String(port), "--username", "replicator",
            "--no-password", "--slot", slot, "--wal-method", "stream", "--checkpoint", "fast",
        ], environment: ["PGPASSFILE": passfile])
        XCTAssertEqual(clone.status, 0, clone.output)
        _ = try write("\(name)/standby.signal", "")
        return data
    }

    /// Runs SQL through the socket as `user`.
    func sql(_ query: String, port: Int, user: String, database: String) throws -> Tools.Result {
        try asPostgres(tool("psql"), [
            "--no-psqlrc", "--host", directory.path, "--port", String(port), "--username", user, "--dbname", database,
            "--tuples-only", "--no-align", "--set", "ON_ERROR_STOP=1", "--command", query,
        ])
    }

    /// Polls `query` until it returns `expected`, for up to `seconds`.
    func waitFor(_ query: String, toReturn expected: String, port: Int, user: String, database: String, seconds: Double = 30) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            last = try sql(query, port: port, user: user, database: database).output.trimmingCharacters(in: .whitespacesAndNewlines)
            if last == expected { return last }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return last
    }
}

/// Rewrites `key = …` / `key=…` lines of a configuration file, leaving every other line as generated.
func rewritingSettings(_ text: String, _ replacements: [String: String], separator: String) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
        for (key, value) in replacements where line.hasPrefix("\(key)\(separator)") {
            return "\(key)\(separator)\(value)"
        }
        return String(line)
    }.joined(separator: "\n")
}
