import Foundation
@testable import StagecraftEmitters
import StagecraftPlanner
import XCTest

/// The two containers a Kubernetes Job or an ECS task runs for a migration — the lock holder
/// (psql) and the migration (sh, in the application's image) meeting in a shared folder — run
/// for real against PostgreSQL 15 over TCP with a password that needs encoding in a URL.
final class MigrationLockTests: XCTestCase {
    private static let password = #"p@ss:w/rd?#'" $x%"#

    func testTwoMigrationsAtOnceTakeTheLockInTurnAndAFailedOneReleasesIt() throws {
        let plan = try Fixtures.renderer.plan(try Fixtures.example("marketplace"))
        var database = try XCTUnwrap(plan.environment("production")?.databases.first)
        // The migration: two rows a second apart, through DATABASE_URL, as a migration tool connects.
        database.migrations?.command = #"""
            psql --no-psqlrc --quiet -v ON_ERROR_STOP=1 "$DATABASE_URL" -c "INSERT INTO runs VALUES ('$RUN', 'start', clock_timestamp())" \
              -c "SELECT pg_sleep(1)" -c "INSERT INTO runs VALUES ('$RUN', 'end', clock_timestamp())"
            exit "${EXIT_WITH:-0}"
            """#
        let migrations = try XCTUnwrap(database.migrations)
        let run = try MigrationScripts.run(database, migrations, templates: Fixtures.templates)
        let holder = try MigrationScripts.lockHolder(database, migrations, templates: Fixtures.templates)

        let postgres = try PostgresHarness(self, label: "migration-lock")
        let data = try postgres.initdb("data", owner: "db")
        let port = Tools.freePort()
        try postgres.start(data, port: port, settings: [])
        _ = try postgres.asPostgres(postgres.tool("createdb"), ["--host", postgres.directory.path, "--port", String(port), "--username", "db", "db"])
        let setup = try postgres.sql("""
            CREATE ROLE app LOGIN PASSWORD '\(Self.password.replacing("'", with: "''"))';
            CREATE TABLE runs (run text, mark text, at timestamptz);
            ALTER TABLE runs OWNER TO app;
            """, port: port, user: "db", database: "db")
        XCTAssertEqual(setup.status, 0, setup.output)

        let shell = try Tools.require("sh")
        let path = URL(fileURLWithPath: postgres.tool("psql")).deletingLastPathComponent().path + ":/usr/bin:/bin"
        /// One pair, started as a pod or task starts it: both containers at once, each with its own output.
        func pair(_ name: String, exitWith: Int = 0) throws -> (migration: Launched, holder: Launched) {
            let folder = postgres.directory.appendingPathComponent("lock-\(name)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let environment = [
                "PATH": path, "DB_HOST": "127.0.0.1", "DB_PORT": String(port), "DB_NAME": "db", "DB_USER": "app",
                "DB_PASSWORD": Self.password, "MIGRATION_SSLMODE": "disable", "MIGRATION_LOCK_DIR": folder.path,
                "RUN": name, "EXIT_WITH": String(exitWith),
            ]
            return (try Launched(shell, run, environment, log: folder.appendingPathComponent("migration.log")),
                    try Launched(shell, holder, environment, log: folder.appendingPathComponent("holder.log")))
        }

        let pairs = [try pair("run1"), try pair("run2")]
        for (migration, holderRun) in pairs {
            let migrated = migration.wait(), held = holderRun.wait()
            XCTAssertEqual(migrated.status, 0, migrated.output)
            XCTAssertEqual(held.status, 0, held.output)
            XCTAssertTrue(held.output.contains("migration lock taken at "), held.output)
            XCTAssertTrue(held.output.contains("migration lock released at "), held.output)
        }
        // One migration's rows both come before the other's: they never ran at once.
        let order = try postgres.sql("SELECT string_agg(run || ':' || mark, ' ' ORDER BY at) FROM runs", port: port, user: "db", database: "db")
        let marks = order.output.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(["run1:start run1:end run2:start run2:end", "run2:start run2:end run1:start run1:end"].contains(marks), marks)

        // A failed migration: its exit status is the container's, and the lock is let go at once.
        let failing = try pair("failing", exitWith: 3)
        let failed = (migration: failing.migration.wait(), holder: failing.holder.wait())
        XCTAssertEqual(failed.migration.status, 3, failed.migration.output)
        XCTAssertEqual(failed.holder.status, 0, failed.holder.output)
        let next = try pair("after")
        let after = (migration: next.migration.wait(), holder: next.holder.wait())
        XCTAssertEqual(after.migration.status, 0, after.migration.output)
        XCTAssertEqual(after.holder.status, 0, after.holder.output)
        let left = try postgres.sql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'", port: port, user: "db", database: "db")
        XCTAssertEqual(left.output.trimmingCharacters(in: .whitespacesAndNewlines), "0", "an advisory lock is still held")
    }

}

/// A program started in the background, its output in a file; `wait()` gives its status and output.
private final class Launched {
    private let process = Process()
    private let log: URL

    init(_ executable: String, _ script: String, _ environment: [String: String], log: URL) throws {
        self.log = log
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-c", script]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    func wait() -> Tools.Result {
        process.waitUntilExit()
        return Tools.Result(status: process.terminationStatus, output: (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }
}
