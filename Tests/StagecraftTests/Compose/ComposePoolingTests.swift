import Foundation
import StagecraftEmitters
import StagecraftOutput
import XCTest

/// Connection pooling and the cache replica on the compose platform: what the examples'
/// compose files say, and the generated PgBouncer configuration run for real in front of
/// the machine's PostgreSQL.
final class ComposePoolingTests: XCTestCase {
    func testShopAtGrowthSendsItsAppsThroughPgBouncer() throws {
        for environment in ["staging", "production"] {
            let compose = try ComposeFixtures.text("shop", "environments/\(environment)/compose.yaml")
            XCTAssertTrue(compose.contains("  db-pgbouncer:\n    image: db-pgbouncer:pg16\n    build:\n      context: ./pgbouncer\n"), compose)
            XCTAssertTrue(compose.contains("- ./pgbouncer/db/pgbouncer.ini:/etc/pgbouncer/pgbouncer.ini:ro"))
            XCTAssertTrue(compose.contains("- secrets/db-pgbouncer.env"))
            XCTAssertTrue(compose.contains("- /run/pgbouncer:size=1m,mode=1777"), "the auth file lives in a tmpfs")
            XCTAssertTrue(compose.contains("- pg_isready\n      - --host\n      - 127.0.0.1\n      - --port\n      - '6432'"), "the health check asks PgBouncer")
            // The apps write through the pooler; reads keep going straight to the standbys.
            XCTAssertTrue(compose.contains("      DB_HOST: db-pgbouncer\n      DB_PORT: '6432'\n      DB_READ_HOST: db-read\n      DB_READ_PORT: '5432'\n"), compose)
            XCTAssertTrue(compose.contains("    depends_on:\n      db-pgbouncer:\n        condition: service_healthy\n"))

            let ini = try ComposeFixtures.text("shop", "environments/\(environment)/pgbouncer/db/pgbouncer.ini")
            XCTAssertTrue(ini.contains("\npool_mode = transaction\n"))
            XCTAssertTrue(ini.contains("\nlisten_port = 6432\n"))
            XCTAssertTrue(ini.contains("\ndb = host=db port=5432 dbname=db\n"))
            XCTAssertFalse(ini.lowercased().contains("password="), "no password in the configuration")
        }
        // The deploy gives the pooler the app role's password (and the exporters') in an env file of its own.
        let deploy = try XCTUnwrap(try ComposeFixtures.generation("shop").files[GitHubActionsEmitter.deployPath("shop")]).text
        let pooler = try XCTUnwrap(deploy.range(of: "cat > /srv/shop/production.next/secrets/db-pgbouncer.env'\n"), deploy)
        let file = try XCTUnwrap(deploy[..<pooler.lowerBound].components(separatedBy: "{\n").last)
        let entries = file.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix("env_line ") }
        XCTAssertEqual(entries, [
            "env_line AUTH_PASSWORD \"${DB_PASSWORD:?the DB_PASSWORD secret is not set for production}\"",
            "env_line METRICS_PASSWORD \"${DB_METRICS_PASSWORD:?the DB_METRICS_PASSWORD secret is not set for production}\"",
        ], "only the app role's password, and the exporters'")
    }

    func testWithoutPoolingAppsConnectToThePrimary() throws {
        // Development (any stage) and the mvp blog are not pooled.
        for (stack, environment) in [("shop", "development"), ("blog", "production")] {
            let compose = try ComposeFixtures.text(stack, "environments/\(environment)/compose.yaml")
            XCTAssertFalse(compose.contains("pgbouncer"), "\(stack) \(environment)")
            XCTAssertTrue(compose.contains("      DB_HOST: db\n      DB_PORT: '5432'\n"), compose)
            let generated = try ComposeFixtures.generation(stack).files.paths.map(\.value)
            XCTAssertFalse(generated.contains { $0.hasPrefix("environments/\(environment)/pgbouncer/") })
        }
    }

    func testACacheReplicaFollowsThePrimaryWithTheSamePassword() throws {
        let checker = try Tools.require("check-jsonschema")
        var plan = try ComposeFixtures.generation("shop").plan
        let production = try XCTUnwrap(plan.environments.firstIndex { $0.name == "production" })
        plan.environments[production].caches[0].replica = true
        let files = try Fixtures.renderer.files(for: plan)
        let compose = try XCTUnwrap(files["environments/production/compose.yaml"]).text

        XCTAssertTrue(compose.contains("  cache-replica:\n    image: redis:"), compose)
        let replica = try XCTUnwrap(compose.components(separatedBy: "  cache-replica:\n").last)
        XCTAssertTrue(replica.contains("--replicaof cache 6379 --masterauth \"$$REDIS_PASSWORD\" --replica-read-only yes"), replica)
        XCTAssertTrue(replica.contains("    env_file:\n    - secrets/cache.env\n"), "the replica reads the primary's password file")
        XCTAssertTrue(replica.contains("info replication | grep -q '^master_link_status:up'"), "healthy only while in sync")
        XCTAssertTrue(replica.contains("    depends_on:\n      cache:\n        condition: service_healthy\n"))
        XCTAssertTrue(compose.contains("      CACHE_HOST: cache\n      CACHE_PORT: '6379'\n      CACHE_READ_HOST: cache-replica\n"), compose)
        // Staging was left without a replica.
        let staging = try XCTUnwrap(files["environments/staging/compose.yaml"]).text
        XCTAssertFalse(staging.contains("cache-replica"))
        XCTAssertTrue(staging.contains("      CACHE_READ_HOST: cache\n"))

        let directory = try ComposeFixtures.materialized(files, label: "cache-replica")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try Tools.run(checker, ["--builtin-schema", "vendor.compose-spec", directory.appendingPathComponent("environments/production/compose.yaml").path])
        XCTAssertEqual(result.status, 0, result.output)
    }

    /// The shop's pgbouncer.ini and entrypoint.sh, with only the listen address and port, the
    /// auth file's path and the server's host and port changed, in front of a PostgreSQL
    /// started from the shop's own primary configuration.
    func testTheGeneratedPgBouncerPoolsConnectionsToPostgreSQL() throws {
        let pgbouncer = try Tools.require("pgbouncer")
        let postgres = try PostgresHarness(self, label: "pooling")
        let folder = "environments/production"
        let primaryConf = try postgres.write("primary.conf", try ComposeFixtures.text("shop", "\(folder)/postgres/db/primary.conf"))
        let hba = try postgres.write("pg_hba.conf", try ComposeFixtures.text("shop", "\(folder)/postgres/db/pg_hba.conf"))
        // Quotes and a colon: the entrypoint must write it into the auth file intact.
        let password = "p\"o:o'l ed"

        let data = try postgres.initdb("primary", owner: "db")
        let primaryPort = Tools.freePort()
        try postgres.start(data, port: primaryPort, settings: ["config_file=\(primaryConf)", "hba_file=\(hba)", "archive_mode=off"])
        XCTAssertEqual(try postgres.sql("CREATE DATABASE db", port: primaryPort, user: "db", database: "postgres").status, 0)
        // The roles as the generated roles script creates them; one more role beside them.
        let rolesScript = try postgres.write("roles.sh", try ComposeFixtures.text("shop", "\(folder)/postgres/db/roles.sh"), mode: 0o755)
        let roles = try postgres.asPostgres(rolesScript, [], environment: [
            "PGHOST": postgres.directory.path, "PGPORT": String(primaryPort), "POSTGRES_USER": "db", "POSTGRES_DB": "db",
            "APP_PASSWORD": password, "METRICS_PASSWORD": "metrics-password", "REPLICATION_PASSWORD": "unused",
        ])
        XCTAssertEqual(roles.status, 0, roles.output)
        XCTAssertEqual(try postgres.sql("CREATE ROLE reporter LOGIN PASSWORD 'r3ports'", port: primaryPort, user: "db", database: "db").status, 0)

        let generated = try ComposeFixtures.text("shop", "\(folder)/pgbouncer/db/pgbouncer.ini")
        XCTAssertTrue(generated.contains("\ndb = host=db port=5432 dbname=db\n"))
        let authFile = postgres.path("userlist.txt")
        let port = Tools.freePort()
        let ini = rewritingSettings(generated, [
            "listen_addr": "127.0.0.1",
            "listen_port": String(port),
            "auth_file": authFile,
            "db": "host=127.0.0.1 port=\(primaryPort) dbname=db",
        ], separator: " = ")
        let changed = zip(generated.split(separator: "\n"), ini.split(separator: "\n")).filter { $0 != $1 }
        XCTAssertEqual(changed.count, 4, "only the four settings differ")
        let iniPath = try postgres.write("pgbouncer.ini", ini)

        // The entrypoint with only its two container paths pointed into the test's folder;
        // `pgbouncer` is the machine's.
        let entrypoint = try ComposeFixtures.text("shop", "\(folder)/pgbouncer/entrypoint.sh")
        XCTAssertTrue(entrypoint.contains("> '/run/pgbouncer/userlist.txt'\n"))
        XCTAssertTrue(entrypoint.contains("exec pgbouncer '/etc/pgbouncer/pgbouncer.ini'\n"))
        let localEntrypoint = try postgres.write("entrypoint.sh", entrypoint
            .replacingOccurrences(of: "'/run/pgbouncer/userlist.txt'", with: FormatQuoting.shell(authFile))
            .replacingOccurrences(of: "exec pgbouncer '/etc/pgbouncer/pgbouncer.ini'", with: "exec \(pgbouncer) \(FormatQuoting.shell(iniPath))"), mode: 0o755)

        let log = postgres.directory.appendingPathComponent("pgbouncer.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Tools.require("runuser"))
        process.arguments = ["-u", "postgres", "--", "env", "AUTH_USER=app", "AUTH_PASSWORD=\(password)",
                             "METRICS_USER=metrics", "METRICS_PASSWORD=metrics-password", "bash", localEntrypoint]
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        addTeardownBlock {
            // runuser passes SIGTERM on to PgBouncer (its immediate shutdown).
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            try? output.close()
        }
        func pgbouncerLog() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        // The compose health check, pointed at the test's port: it passes once PgBouncer listens.
        let isReady = postgres.tool("pg_isready")
        let deadline = Date().addingTimeInterval(10)
        var ready = false
        while !ready, Date() < deadline, process.isRunning {
            ready = try Tools.run(isReady, ["--host", "127.0.0.1", "--port", String(port), "--username", "app", "--dbname", "db"]).status == 0
            if !ready { Thread.sleep(forTimeInterval: 0.1) }
        }
        XCTAssertTrue(ready, "PgBouncer did not start:\n\(pgbouncerLog())")
        guard ready else { return }

        func query(_ sql: String, user: String, database: String = "db", password: String) throws -> Tools.Result {
            try postgres.asPostgres(postgres.tool("psql"), [
                "--no-psqlrc", "--host", "127.0.0.1", "--port", String(port), "--username", user, "--dbname", database,
                "--tuples-only", "--no-align", "--set", "ON_ERROR_STOP=1", "--command", sql,
            ], environment: ["PGPASSWORD": password])
        }

        // Port 6432's stand-in hands the query to PostgreSQL, as the app role (from the auth file).
        let through = try query("SELECT current_user || ' ' || inet_server_port() || ' ' || current_setting('is_superuser')", user: "app", password: password)
        XCTAssertEqual(through.status, 0, through.output + pgbouncerLog())
        XCTAssertEqual(through.output.trimmingCharacters(in: .whitespacesAndNewlines), "app \(primaryPort) off")
        // No other role logs in through the pooler: neither another login role nor the superuser.
        XCTAssertNotEqual(try query("SELECT current_user", user: "reporter", password: "r3ports").status, 0, pgbouncerLog())
        XCTAssertNotEqual(try query("SELECT 1", user: "db", password: password).status, 0)
        // A wrong password is refused.
        XCTAssertNotEqual(try query("SELECT 1", user: "app", password: "wrong").status, 0)

        // PgBouncer's own view, which the exporters' role reads and the app's may not: a
        // transaction-mode pool for the app role, holding server connections.
        XCTAssertNotEqual(try query("SHOW POOLS", user: "app", database: "pgbouncer", password: password).status, 0)
        let pools = try query("SHOW POOLS", user: "metrics", database: "pgbouncer", password: "metrics-password")
        XCTAssertEqual(pools.status, 0, pools.output)
        let rows = pools.output.split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
        let pool = try XCTUnwrap(rows.first { $0.count > 2 && $0[0] == "db" && $0[1] == "app" }, pools.output)
        XCTAssertTrue(pool.contains("transaction"), pools.output)
        let fromPooler = try postgres.sql("SELECT count(*) > 0 FROM pg_stat_activity WHERE usename = 'app' AND client_addr = '127.0.0.1' AND pid <> pg_backend_pid()", port: primaryPort, user: "db", database: "db")
        XCTAssertEqual(fromPooler.output.trimmingCharacters(in: .whitespacesAndNewlines), "t", "PgBouncer keeps its server connection open")
    }
}
