import Foundation
import XCTest

/// The shop's second pgBackRest repository, in object storage in the copy region, run for real
/// against moto's S3-compatible server on loopback (TLS with a certificate of the test's).
/// The generated pgbackrest.conf has only its host paths and port rewritten, as in
/// ComposeBackupTests; where the store is comes from the environment, as compose.yaml passes
/// it; the backups are the crontab's own commands; and the restore test restores from the copy.
final class ComposeBackupCopyTests: XCTestCase {
    func testBackupsReachTheCopyInObjectStorageAndRestoreFromIt() throws {
        let pgbackrest = try Tools.require("pgbackrest")
        let motoServer = try Tools.require("moto_server")
        let openssl = try Tools.require("openssl")
        let curl = try Tools.require("curl")
        let postgres = try PostgresHarness(self, label: "backup-copy")
        let folder = "environments/production"

        // What the generated files say about the copy.
        let generated = try ComposeFixtures.text("shop", "\(folder)/pgbackrest/pgbackrest.conf")
        for line in ["repo2-type=s3", "repo2-s3-region=eu-central-1", "repo2-cipher-type=aes-256-cbc", "repo2-retention-full=14"] {
            XCTAssertTrue(generated.contains("\n\(line)\n"), line)
        }
        let compose = try ComposeFixtures.text("shop", "\(folder)/compose.yaml")
        XCTAssertTrue(compose.contains("PGBACKREST_REPO2_S3_ENDPOINT: ${BACKUP_COPY_ENDPOINT:-s3.eu-central-1.amazonaws.com}"), compose)
        let crontab = try ComposeFixtures.text("shop", "\(folder)/ops/crontab")
        let copyJobs = crontab.split(separator: "\n").filter { $0.contains("-backup-copy ") }
        XCTAssertEqual(copyJobs.count, 3, "full, differential and incremental backups each go to the copy too")

        // moto's server behind nginx for TLS, as S3 is reached (moto's own TLS ends connections
        // without a TLS close, which pgBackRest rightly treats as an error).
        let nginx = try Tools.require("nginx")
        let certificate = postgres.path("s3.crt"), key = postgres.path("s3.key")
        let made = try Tools.run(openssl, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                                           "-addext", "subjectAltName=DNS:localhost", "-keyout", key, "-out", certificate])
        XCTAssertEqual(made.status, 0, made.output)
        _ = try Tools.run("/bin/chmod", ["0644", certificate, key])
        let motoPort = Tools.freePort(), port = Tools.freePort()
        try postgres.makeDirectory("nginx")
        let proxy = try postgres.write("nginx/nginx.conf", """
            events {}
            http {
                client_max_body_size 0;
                access_log off;
                server {
                    listen 127.0.0.1:\(port) ssl;
                    ssl_certificate \(certificate);
                    ssl_certificate_key \(key);
                    location / {
                        proxy_pass http://127.0.0.1:\(motoPort);
                        proxy_set_header Host $http_host;
                        proxy_request_buffering off;
                    }
                }
            }
            """)
        var servers: [Process] = []
        addTeardownBlock {
            for server in servers {
                if server.isRunning { server.terminate() }
                server.waitUntilExit()
            }
        }
        for (executable, arguments) in [
            (motoServer, ["-H", "127.0.0.1", "-p", String(motoPort)]),
            (nginx, ["-p", postgres.path("nginx") + "/", "-c", proxy, "-g", "daemon off; pid \(postgres.path("nginx/nginx.pid")); error_log \(postgres.path("nginx/error.log"));"]),
        ] {
            let server = Process()
            server.executableURL = URL(fileURLWithPath: executable)
            server.arguments = arguments
            server.standardOutput = FileHandle.nullDevice
            server.standardError = FileHandle.nullDevice
            try server.run()
            servers.append(server)
        }
        let bucket = "shop-production-backup-copy"
        let s3 = "https://localhost:\(port)"
        var created = Tools.Result(status: 1, output: "")
        for _ in 0..<50 where created.status != 0 {
            created = try Tools.run(curl, ["-sf", "--cacert", certificate, "-X", "PUT", "\(s3)/\(bucket)"])
            if created.status != 0 { Thread.sleep(forTimeInterval: 0.2) }
        }
        XCTAssertEqual(created.status, 0, "moto's server did not create the bucket: \(created.output)")

        let pgPort = Tools.freePort()
        let config = try postgres.write("pgbackrest.conf", rewritingSettings(generated, [
            "repo1-path": postgres.path("repository"),
            "spool-path": postgres.path("spool"),
            "lock-path": postgres.path("lock"),
            "log-path": postgres.path("log"),
            "pg1-path": postgres.path("data"),
            "pg1-port": String(pgPort),
            "pg1-socket-path": postgres.directory.path,
        ], separator: "="))
        for name in ["spool", "lock", "log"] { try postgres.makeDirectory(name) }
        // The secrets env file's and compose.yaml's variables, with the settings a team gives
        // for another S3-compatible store than AWS's (moto has no virtual hosts).
        let environment = [
            "PGBACKREST_CONFIG": config,
            "PGBACKREST_REPO1_CIPHER_PASS": "the backups' key",
            "PGBACKREST_REPO2_CIPHER_PASS": "the backups' key",
            "PGBACKREST_REPO2_S3_BUCKET": bucket,
            "PGBACKREST_REPO2_S3_KEY": "AKIAIOSFODNN7EXAMPLE",
            "PGBACKREST_REPO2_S3_KEY_SECRET": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "PGBACKREST_REPO2_S3_ENDPOINT": "localhost",
            "PGBACKREST_REPO2_STORAGE_PORT": String(port),
            "PGBACKREST_REPO2_S3_URI_STYLE": "path",
            "PGBACKREST_REPO2_STORAGE_CA_FILE": certificate,
        ]

        let primaryConf = try postgres.write("primary.conf", try ComposeFixtures.text("shop", "\(folder)/postgres/db/primary.conf"))
        let hba = try postgres.write("pg_hba.conf", try ComposeFixtures.text("shop", "\(folder)/postgres/db/pg_hba.conf"))
        let data = try postgres.initdb("data", owner: "db")
        try postgres.start(data, port: pgPort, settings: ["config_file=\(primaryConf)", "hba_file=\(hba)"], environment: environment)
        XCTAssertEqual(try postgres.sql("CREATE DATABASE db", port: pgPort, user: "db", database: "postgres").status, 0)
        let appPassword = "app password"
        let roles = try postgres.asPostgres(try postgres.write("roles.sh", try ComposeFixtures.text("shop", "\(folder)/postgres/db/roles.sh"), mode: 0o755), [], environment: [
            "PGHOST": postgres.directory.path, "PGPORT": String(pgPort), "POSTGRES_USER": "db", "POSTGRES_DB": "db",
            "APP_PASSWORD": appPassword, "METRICS_PASSWORD": "metrics-password", "REPLICATION_PASSWORD": "unused",
        ])
        XCTAssertEqual(roles.status, 0, roles.output)

        func backrest(_ arguments: [String]) throws -> Tools.Result {
            let result = try postgres.asPostgres(pgbackrest, arguments, environment: environment)
            XCTAssertEqual(result.status, 0, "pgbackrest \(arguments.joined(separator: " ")):\n\(result.output)")
            return result
        }
        // As the deploy does: the stanza in both repositories, and WAL reaching both.
        _ = try backrest(["--stanza=db", "stanza-create"])
        _ = try backrest(["--stanza=db", "check"])
        XCTAssertEqual(try postgres.sql("CREATE TABLE orders (id int PRIMARY KEY); INSERT INTO orders SELECT generate_series(1, 500)", port: pgPort, user: "db", database: "db").status, 0)
        // The crontab's full backups, as its lines run them (the part inside the container).
        for job in crontab.split(separator: "\n") where job.contains("-full-backup") {
            let command = try XCTUnwrap(job.range(of: "pgbackrest ")).lowerBound
            let arguments = job[command...].split(separator: " ").dropFirst().map(String.init)
            _ = try backrest(arguments)
        }
        let info = try backrest(["--stanza=db", "--repo=2", "info"]).output
        XCTAssertTrue(info.contains("full backup"), info)
        XCTAssertTrue(info.contains("cipher: aes-256-cbc"), info)
        let listing = try Tools.run(curl, ["-sf", "--cacert", certificate, "\(s3)/\(bucket)?list-type=2"]).output
        XCTAssertTrue(listing.contains("<Key>pgbackrest/backup/db/"), "the copy's files are in the bucket:\n\(listing)")
        XCTAssertTrue(listing.contains("<Key>pgbackrest/archive/db/"), "and so is the WAL archive:\n\(listing)")

        // The restore test, from the copy's backup (pgBackRest's `repo` option, from the environment).
        let restoreTest = try postgres.write("restore-test.sh", try ComposeFixtures.text("shop", "\(folder)/backup/restore-test.sh"), mode: 0o755)
        let restore = try postgres.asPostgres(restoreTest, ["db"], environment: environment.merging([
            "PGBACKREST_REPO": "2",
            "PG_BIN": postgres.tool(""),
            "RESTORE_TEST_PORT": String(Tools.freePort()),
            "PRIMARY_HOST": "127.0.0.1",
            "PRIMARY_PORT": String(pgPort),
            "APP_PASSWORD": appPassword, "METRICS_PASSWORD": "metrics-password",
            "RESTORE_TEST_CONFIG": primaryConf,
            "RESTORE_TEST_HBA": hba,
            "TMPDIR": postgres.directory.path,
        ]) { _, new in new })
        XCTAssertEqual(restore.status, 0, restore.output)
        XCTAssertTrue(restore.output.contains("the marker written before is there, the row written after is not"), restore.output)
    }
}
