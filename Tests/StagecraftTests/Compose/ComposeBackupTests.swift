import Foundation
import XCTest

/// The shop's generated pgBackRest configuration, archive_command and restore-test script,
/// run for real. The test points the configuration's paths and port at its temporary folder
/// (pg1-path, pg1-port, pg1-socket-path, repo1-path, spool-path, lock-path, log-path), leaves
/// out the second repository's lines and changes nothing else; the repository is encrypted
/// with a key from the environment.
final class ComposeBackupTests: XCTestCase {
    func testBackupsRestoreWithEveryRowThroughTheGeneratedRestoreTest() throws {
        let pgbackrest = try Tools.require("pgbackrest")
        let postgres = try PostgresHarness(self, label: "backup")
        let folder = "environments/production"
        let port = Tools.freePort()
        // The repository on the host alone: the copy in object storage (repo2) is
        // ComposeBackupCopyTests' subject, against an S3-compatible server.
        let generated = try ComposeFixtures.text("shop", "\(folder)/pgbackrest/pgbackrest.conf")
            .split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("repo2-") }.joined(separator: "\n")
        let config = try postgres.write("pgbackrest.conf", rewritingSettings(generated, [
            "repo1-path": postgres.path("repository"),
            "spool-path": postgres.path("spool"),
            "lock-path": postgres.path("lock"),
            "log-path": postgres.path("log"),
            "pg1-path": postgres.path("data"),
            "pg1-port": String(port),
            "pg1-socket-path": postgres.directory.path,
        ], separator: "="))
        let environment = [
            "PGBACKREST_CONFIG": config,
            "PGBACKREST_REPO1_CIPHER_PASS": "a key that only the environment knows",
        ]
        let primaryConf = try postgres.write("primary.conf", try ComposeFixtures.text("shop", "\(folder)/postgres/db/primary.conf"))
        let hba = try postgres.write("pg_hba.conf", try ComposeFixtures.text("shop", "\(folder)/postgres/db/pg_hba.conf"))
        let restoreTest = try postgres.write("restore-test.sh", try ComposeFixtures.text("shop", "\(folder)/backup/restore-test.sh"), mode: 0o755)

        for folder in ["spool", "lock", "log"] { try postgres.makeDirectory(folder) }

        // The primary archives WAL through the generated archive_command.
        let data = try postgres.initdb("data", owner: "db")
        try postgres.start(data, port: port, settings: ["config_file=\(primaryConf)", "hba_file=\(hba)"], environment: environment)
        XCTAssertEqual(try postgres.sql("CREATE DATABASE db", port: port, user: "db", database: "postgres").status, 0)
        // The roles as the generated script makes them: the restore test logs in as the apps' role.
        let appPassword = "app 'role' password"
        let rolesScript = try postgres.write("roles.sh", try ComposeFixtures.text("shop", "\(folder)/postgres/db/roles.sh"), mode: 0o755)
        let roles = try postgres.asPostgres(rolesScript, [], environment: [
            "PGHOST": postgres.directory.path, "PGPORT": String(port), "POSTGRES_USER": "db", "POSTGRES_DB": "db",
            "APP_PASSWORD": appPassword, "METRICS_PASSWORD": "metrics-password", "REPLICATION_PASSWORD": "unused",
        ])
        XCTAssertEqual(roles.status, 0, roles.output)

        func backrest(_ arguments: [String]) throws {
            let result = try postgres.asPostgres(pgbackrest, ["--stanza=db"] + arguments, environment: environment)
            XCTAssertEqual(result.status, 0, "pgbackrest \(arguments.joined(separator: " ")):\n\(result.output)")
        }
        func insert(_ range: ClosedRange<Int>) throws {
            let result = try postgres.sql("INSERT INTO orders SELECT generate_series(\(range.lowerBound), \(range.upperBound))", port: port, user: "db", database: "db")
            XCTAssertEqual(result.status, 0, result.output)
        }
        try backrest(["stanza-create"])
        try backrest(["check"])
        XCTAssertEqual(try postgres.sql("CREATE TABLE orders (id int PRIMARY KEY)", port: port, user: "db", database: "db").status, 0)
        try insert(1...1000)
        try backrest(["--type=full", "backup"])
        try insert(1001...1500)
        try backrest(["--type=diff", "backup"])
        let info = try postgres.asPostgres(pgbackrest, ["--stanza=db", "info"], environment: environment).output
        XCTAssertTrue(info.contains("full backup") && info.contains("diff backup"), info)
        XCTAssertTrue(info.contains("cipher: aes-256-cbc"), info)

        let restore = try postgres.asPostgres(restoreTest, ["db"], environment: environment.merging([
            "PG_BIN": postgres.tool(""),
            "RESTORE_TEST_PORT": String(Tools.freePort()),
            // The primary over TCP, as from the restore test's container: the script writes its
            // marker there as the apps' role (the superuser is refused from the network).
            "PRIMARY_HOST": "127.0.0.1",
            "PRIMARY_PORT": String(port),
            "APP_PASSWORD": appPassword, "METRICS_PASSWORD": "metrics-password",
            "RESTORE_TEST_CONFIG": primaryConf,
            "RESTORE_TEST_HBA": hba,
            "TMPDIR": postgres.directory.path,
        ]) { _, new in new })
        XCTAssertEqual(restore.status, 0, restore.output)
        XCTAssertTrue(restore.output.contains("the marker written before is there, the row written after is not"), "point-in-time recovery to a moment after the marker:\n\(restore.output)")
        XCTAssertTrue(restore.output.contains("restore test of db: passed"), restore.output)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: postgres.directory.path).filter { $0.hasPrefix("restore-test.") && $0 != "restore-test.sh" }
        XCTAssertEqual(leftovers, [], "the scratch copy is removed")
    }
}
