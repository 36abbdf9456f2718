import Foundation
import XCTest

/// The shop's roles script and host-based authentication, run against the machine's
/// PostgreSQL: the apps' role owns its database and is nothing more, and the superuser's
/// password opens nothing from the network.
final class ComposeRolesTests: XCTestCase {
    func testTheAppRoleOwnsItsDatabaseAndTheSuperuserStaysOnTheSocket() throws {
        let postgres = try PostgresHarness(self, label: "roles")
        let folder = "environments/production/postgres/db"
        let primaryConf = try postgres.write("primary.conf", try ComposeFixtures.text("shop", "\(folder)/primary.conf"))
        let hba = try postgres.write("pg_hba.conf", try ComposeFixtures.text("shop", "\(folder)/pg_hba.conf"))
        let rolesScript = try postgres.write("roles.sh", try ComposeFixtures.text("shop", "\(folder)/roles.sh"), mode: 0o755)

        // As the image leaves it: superuser `db` with a password, database `db` owned by it.
        let data = try postgres.initdb("primary", owner: "db")
        let port = Tools.freePort()
        try postgres.start(data, port: port, settings: ["config_file=\(primaryConf)", "hba_file=\(hba)", "archive_mode=off"])
        for statement in ["CREATE DATABASE db", "ALTER ROLE db PASSWORD 'superuser-password'"] {
            XCTAssertEqual(try postgres.sql(statement, port: port, user: "db", database: "postgres").status, 0, statement)
        }
        func runRoles(appPassword: String) throws -> Tools.Result {
            try postgres.asPostgres(rolesScript, [], environment: [
                "PGHOST": postgres.directory.path, "PGPORT": String(port), "POSTGRES_USER": "db", "POSTGRES_DB": "db",
                "APP_PASSWORD": appPassword, "METRICS_PASSWORD": "metrics-password", "REPLICATION_PASSWORD": "replication-password",
            ])
        }
        let first = try runRoles(appPassword: "first 'pass\"word")
        XCTAssertEqual(first.status, 0, first.output)

        /// What a client on the Compose network gets: TCP to 127.0.0.1 (on the same network, as
        /// `samenet` means), with a password.
        func overTCP(_ sql: String, user: String, password: String) throws -> Tools.Result {
            try postgres.asPostgres(postgres.tool("psql"), [
                "--no-psqlrc", "--host", "127.0.0.1", "--port", String(port), "--username", user, "--dbname", "db",
                "--tuples-only", "--no-align", "--set", "ON_ERROR_STOP=1", "--command", sql,
            ], environment: ["PGPASSWORD": password])
        }
        let app = try overTCP("""
            SELECT current_setting('is_superuser'), pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database();
            CREATE TABLE orders (id int PRIMARY KEY);
            INSERT INTO orders VALUES (1);
            """, user: "app", password: "first 'pass\"word")
        XCTAssertEqual(app.status, 0, app.output)
        XCTAssertTrue(app.output.hasPrefix("off|app"), "the app role is not a superuser and owns db: \(app.output)")
        // Owning a database grants nothing over the cluster.
        for forbidden in ["CREATE ROLE intruder LOGIN", "CREATE DATABASE other", "SELECT passwd FROM pg_shadow", "COPY orders TO PROGRAM 'true'"] {
            let result = try overTCP(forbidden, user: "app", password: "first 'pass\"word")
            XCTAssertNotEqual(result.status, 0, "the app role may: \(forbidden)")
            XCTAssertTrue(result.output.contains("permission denied") || result.output.contains("must be superuser") || result.output.contains("must have"), result.output)
        }
        // The exporters' role reads statistics and nothing else.
        let metrics = try overTCP("SELECT current_setting('is_superuser'), pg_has_role('metrics', 'pg_monitor', 'member')", user: "metrics", password: "metrics-password")
        XCTAssertEqual(metrics.output.trimmingCharacters(in: .whitespacesAndNewlines), "off|t", metrics.output)
        let reading = try overTCP("SELECT count(*) FROM orders", user: "metrics", password: "metrics-password")
        XCTAssertNotEqual(reading.status, 0, "the metrics role reads the app's rows")
        XCTAssertTrue(reading.output.contains("permission denied"), reading.output)
        // The superuser's right password is refused from the network.
        let superuser = try overTCP("SELECT 1", user: "db", password: "superuser-password")
        XCTAssertNotEqual(superuser.status, 0)
        XCTAssertTrue(superuser.output.contains("rejects connection"), superuser.output)

        // Every deploy runs the script again: a rotated secret becomes the role's password.
        XCTAssertEqual(try runRoles(appPassword: "rotated").status, 0)
        XCTAssertEqual(try overTCP("SELECT count(*) FROM orders", user: "app", password: "rotated").output.trimmingCharacters(in: .whitespacesAndNewlines), "1")
        XCTAssertNotEqual(try overTCP("SELECT 1", user: "app", password: "first 'pass\"word").status, 0)
    }
}
