import Foundation
import XCTest

/// The shop's generated primary and standby configuration, run for real with the machine's
/// PostgreSQL (15; the generated settings are valid from 13 on). The test overrides only
/// ports, listen addresses, socket folders and where the standby finds the primary and its
/// password file; archiving is off because no pgBackRest repository exists here.
final class ComposeReplicationTests: XCTestCase {
    func testAStandbyFromTheGeneratedConfigurationStreamsAndRefusesWrites() throws {
        let postgres = try PostgresHarness(self, label: "replication")
        let folder = "environments/production/postgres/db"
        let primaryConf = try postgres.write("primary.conf", try ComposeFixtures.text("shop", "\(folder)/primary.conf"))
        let hba = try postgres.write("pg_hba.conf", try ComposeFixtures.text("shop", "\(folder)/pg_hba.conf"))
        let rolesScript = try postgres.write("roles.sh", try ComposeFixtures.text("shop", "\(folder)/roles.sh"), mode: 0o755)
        let password = "s3cret:with\\odd'chars"

        // The primary, as the image creates it: the owner role and database are both `db`.
        let primaryData = try postgres.initdb("primary", owner: "db")
        let primaryPort = Tools.freePort()
        try postgres.start(primaryData, port: primaryPort, settings: ["config_file=\(primaryConf)", "hba_file=\(hba)", "archive_mode=off"])
        XCTAssertEqual(try postgres.sql("CREATE DATABASE db", port: primaryPort, user: "db", database: "postgres").status, 0)
        let setup = try postgres.asPostgres(rolesScript, [], environment: [
            "PGHOST": postgres.directory.path, "PGPORT": String(primaryPort),
            "POSTGRES_USER": "db", "POSTGRES_DB": "db", "REPLICATION_PASSWORD": password, "APP_PASSWORD": "app-password", "METRICS_PASSWORD": "metrics-password",
        ])
        XCTAssertEqual(setup.status, 0, setup.output)
        // Running it again (as every deploy does) changes nothing and fails nothing.
        XCTAssertEqual(try postgres.asPostgres(rolesScript, [], environment: [
            "PGHOST": postgres.directory.path, "PGPORT": String(primaryPort),
            "POSTGRES_USER": "db", "POSTGRES_DB": "db", "REPLICATION_PASSWORD": password, "APP_PASSWORD": "app-password", "METRICS_PASSWORD": "metrics-password",
        ]).status, 0)

        // The standby clones the primary through its slot, with the password in a password file
        // written as replica-entrypoint.sh writes it.
        let escaped = password.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ":", with: "\\:")
        let passfile = try postgres.write("replication.pgpass", "127.0.0.1:\(primaryPort):*:replicator:\(escaped)\n", mode: 0o600)
        let replicaData = try postgres.cloneStandby("replica", primaryPort: primaryPort, slot: "db_replica_1", passfile: passfile)

        let generatedReplica = try ComposeFixtures.text("shop", "\(folder)/replica-1.conf")
        let conninfo = try XCTUnwrap(generatedReplica.split(separator: "\n").first { $0.hasPrefix("primary_conninfo = ") })
        let localConninfo = String(conninfo)
            .replacingOccurrences(of: "host=db port=5432", with: "host=127.0.0.1 port=\(primaryPort)")
            .replacingOccurrences(of: "passfile=/var/lib/postgresql/replication.pgpass", with: "passfile=\(passfile)")
        let replicaConf = try postgres.write("replica-1.conf", generatedReplica.replacingOccurrences(of: String(conninfo), with: localConninfo))
        let replicaPort = Tools.freePort()
        try postgres.start(replicaData, port: replicaPort, settings: ["config_file=\(replicaConf)", "hba_file=\(hba)", "restore_command=''"])

        // Rows written on the primary appear on the standby.
        XCTAssertEqual(try postgres.sql("CREATE TABLE orders (id int PRIMARY KEY); INSERT INTO orders SELECT generate_series(1, 250)", port: primaryPort, user: "db", database: "db").status, 0)
        XCTAssertEqual(try postgres.waitFor("SELECT count(*) FROM orders", toReturn: "250", port: replicaPort, user: "db", database: "db"), "250")

        // The standby refuses writes.
        let write = try postgres.sql("INSERT INTO orders VALUES (1000)", port: replicaPort, user: "db", database: "db")
        XCTAssertNotEqual(write.status, 0)
        XCTAssertTrue(write.output.contains("read-only transaction"), write.output)

        // The primary sees it streaming through its slot.
        XCTAssertEqual(try postgres.waitFor(
            "SELECT application_name || ' ' || state FROM pg_stat_replication", toReturn: "db_replica_1 streaming",
            port: primaryPort, user: "db", database: "db"
        ), "db_replica_1 streaming")
        XCTAssertEqual(try postgres.sql("SELECT active FROM pg_replication_slots WHERE slot_name = 'db_replica_1'", port: primaryPort, user: "db", database: "db").output.trimmingCharacters(in: .whitespacesAndNewlines), "t")
    }
}
