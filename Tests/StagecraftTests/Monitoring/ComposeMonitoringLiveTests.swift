import Foundation
import StagecraftEmitters
import XCTest

/// The shop's generated monitoring run on loopback with Debian's Prometheus, Alertmanager and
/// exporters (the programs its monitoring image installs), in front of the machine's
/// PostgreSQL (a primary and its standby), PgBouncer, Redis and a small app. The test changes
/// the Compose addresses into loopback ports, the intervals into a second, the secrets' folder
/// into its own, and drops the rules' pending times (`for:`, which promtool's unit tests check);
/// every other line is as generated. Then Prometheus must scrape every target, the probes must
/// report, and stopping the app, then PostgreSQL, must raise their alerts in Alertmanager.
final class ComposeMonitoringLiveTests: XCTestCase {
    private let folder = "environments/production"
    private var servers: [Process] = []
    /// Each server's output, shown when an expectation fails.
    private let logs = FileManager.default.temporaryDirectory.appendingPathComponent("stagecraft-monitoring-logs-\(UUID().uuidString)")

    func testPrometheusScrapesEveryTargetAndAlertmanagerHearsOfAStoppedAppAndDatabase() throws {
        let binaries = try [
            "prometheus", "prometheus-alertmanager", "prometheus-postgres-exporter",
            "prometheus-redis-exporter", "prometheus-blackbox-exporter", "prometheus-node-exporter", "mtail",
            "pgbouncer", "redis-server", "python3", "openssl", "runuser",
        ].reduce(into: [String: String]()) { $0[$1] = try Tools.require($1) }
        let postgres = try PostgresHarness(self, label: "monitoring")
        addTeardownBlock { [self] in
            for server in servers where server.isRunning {
                server.terminate()
                server.waitUntilExit()
            }
            try? FileManager.default.removeItem(at: logs)
        }
        let metricsPassword = "metr'ics:pass"

        // PostgreSQL: the primary with the generated roles (the exporters' role among them), and its standby.
        let hba = try postgres.write("pg_hba.conf", try text("postgres/db/pg_hba.conf"))
        let primaryConf = try postgres.write("primary.conf", try text("postgres/db/primary.conf"))
        let primary = try postgres.initdb("primary", owner: "db")
        let primaryPort = Tools.freePort()
        try postgres.start(primary, port: primaryPort, settings: ["config_file=\(primaryConf)", "hba_file=\(hba)", "archive_mode=off"])
        XCTAssertEqual(try postgres.sql("CREATE DATABASE db", port: primaryPort, user: "db", database: "postgres").status, 0)
        let roles = try postgres.asPostgres(try postgres.write("roles.sh", try text("postgres/db/roles.sh"), mode: 0o755), [], environment: [
            "PGHOST": postgres.directory.path, "PGPORT": String(primaryPort), "POSTGRES_USER": "db", "POSTGRES_DB": "db",
            "APP_PASSWORD": "app-password", "REPLICATION_PASSWORD": "replication-password", "METRICS_PASSWORD": metricsPassword,
        ])
        XCTAssertEqual(roles.status, 0, roles.output)
        let passfile = try postgres.write("replication.pgpass", "127.0.0.1:\(primaryPort):*:replicator:replication-password\n", mode: 0o600)
        let standby = try postgres.cloneStandby("standby", primaryPort: primaryPort, slot: "db_replica_1", passfile: passfile)
        let standbyConf = try postgres.write("replica-1.conf", try text("postgres/db/replica-1.conf")
            .replacingOccurrences(of: "host=db port=5432", with: "host=127.0.0.1 port=\(primaryPort)")
            .replacingOccurrences(of: "passfile=/var/lib/postgresql/replication.pgpass", with: "passfile=\(passfile)"))
        let standbyPort = Tools.freePort()
        try postgres.start(standby, port: standbyPort, settings: ["config_file=\(standbyConf)", "hba_file=\(hba)", "restore_command=''"])

        // PgBouncer from its generated configuration and entrypoint, which adds the exporters' role.
        let poolerPort = Tools.freePort()
        let authFile = postgres.path("userlist.txt")
        let ini = try postgres.write("pgbouncer.ini", rewritingSettings(try text("pgbouncer/db/pgbouncer.ini"), [
            "listen_addr": "127.0.0.1", "listen_port": String(poolerPort), "auth_file": authFile,
            "db": "host=127.0.0.1 port=\(primaryPort) dbname=db",
        ], separator: " = "))
        let entrypoint = try postgres.write("pgbouncer-entrypoint.sh", try text("pgbouncer/entrypoint.sh")
            .replacingOccurrences(of: "'/run/pgbouncer/userlist.txt'", with: FormatQuoting.shell(authFile))
            .replacingOccurrences(of: "exec pgbouncer '/etc/pgbouncer/pgbouncer.ini'", with: "exec \(binaries["pgbouncer"]!) \(FormatQuoting.shell(ini))"), mode: 0o755)
        try start(binaries["runuser"]!, ["-u", "postgres", "--", "env", "AUTH_USER=app", "AUTH_PASSWORD=app-password",
                                         "METRICS_USER=metrics", "METRICS_PASSWORD=\(metricsPassword)", "bash", entrypoint])

        // Redis with its password; the app answering its health check; a TLS server for the
        // public URL and the certificate (its own CA is what the blackbox exporter trusts).
        let work = try Fixtures.temporaryDirectory("monitoring-live")
        addTeardownBlock { try? FileManager.default.removeItem(at: work) }
        let redisPort = Tools.freePort()
        try start(binaries["redis-server"]!, ["--port", String(redisPort), "--bind", "127.0.0.1", "--requirepass", "redis-password", "--save", "", "--dir", work.path])
        let appPort = Tools.freePort(), tlsPort = Tools.freePort()
        let site = work.appendingPathComponent("site")
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        try "ok\n".write(to: site.appendingPathComponent("healthz"), atomically: true, encoding: .utf8)
        let app = try start(binaries["python3"]!, ["-m", "http.server", "--bind", "127.0.0.1", "--directory", site.path, String(appPort)])
        let certificate = work.appendingPathComponent("tls.crt"), key = work.appendingPathComponent("tls.key")
        let openssl = try Tools.run(binaries["openssl"]!, [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "90", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,DNS:origin.shop.example.com", "-keyout", key.path, "-out", certificate.path,
        ])
        XCTAssertEqual(openssl.status, 0, openssl.output)
        try start(binaries["python3"]!, ["-c", """
            import http.server, ssl, sys
            server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), lambda *a: http.server.SimpleHTTPRequestHandler(*a, directory=sys.argv[2]))
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(sys.argv[3], sys.argv[4])
            server.socket = context.wrap_socket(server.socket, server_side=True)
            server.serve_forever()
            """, String(tlsPort), site.path, certificate.path, key.path])

        // The exporters, each as its compose service runs it, on loopback ports.
        let monitoring = work.appendingPathComponent("monitoring")
        try FileManager.default.createDirectory(at: monitoring, withIntermediateDirectories: true)
        func write(_ name: String, _ text: String) throws -> String {
            let url = monitoring.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }
        var ports: [String: Int] = [:]
        for address in ["db-exporter:9187", "db-replica-1-exporter:9187", "db-pgbouncer-exporter:9127", "cache-exporter:9121",
                        "node-exporter:9100", "blackbox-exporter:9115", "mtail:3903", "alertmanager:9093"] {
            ports[address] = Tools.freePort()
        }
        func listen(_ address: String) -> String { "127.0.0.1:\(ports[address]!)" }
        for (address, port) in [("db-exporter:9187", primaryPort), ("db-replica-1-exporter:9187", standbyPort)] {
            try start(binaries["prometheus-postgres-exporter"]!, ["--web.listen-address=\(listen(address))"], environment: [
                "DATA_SOURCE_NAME": "host=127.0.0.1 port=\(port) dbname=db user=metrics sslmode=disable", "PGPASSWORD": metricsPassword,
            ])
        }
        let pgbouncerExporter = try write("pgbouncer-exporter.py", try text("monitoring/pgbouncer-exporter.py"))
        // Debian's Python, with Debian's psycopg2, as in the monitoring image.
        try start("/usr/bin/python3", [pgbouncerExporter], environment: [
            "LISTEN_HOST": "127.0.0.1", "LISTEN_PORT": String(ports["db-pgbouncer-exporter:9127"]!),
            "PGBOUNCER_HOST": "127.0.0.1", "PGBOUNCER_PORT": String(poolerPort), "PGBOUNCER_USER": "metrics", "PGPASSWORD": metricsPassword,
        ])
        try start(binaries["prometheus-redis-exporter"]!, ["-web.listen-address", listen("cache-exporter:9121")], environment: [
            "REDIS_ADDR": "redis://127.0.0.1:\(redisPort)", "REDIS_PASSWORD": "redis-password",
        ])
        let textfiles = work.appendingPathComponent("status")
        try FileManager.default.createDirectory(at: textfiles, withIntermediateDirectories: true)
        try start(binaries["prometheus-node-exporter"]!, ["--web.listen-address=\(listen("node-exporter:9100"))", "--collector.textfile.directory=\(textfiles.path)", "--no-collector.systemd"])
        let blackbox = try write("blackbox.yml", try text("monitoring/blackbox.yml"))
        try start(binaries["prometheus-blackbox-exporter"]!, ["--config.file=\(blackbox)", "--web.listen-address=\(listen("blackbox-exporter:9115"))"],
                  environment: ["SSL_CERT_FILE": certificate.path])
        let programs = monitoring.appendingPathComponent("mtail")
        try FileManager.default.createDirectory(at: programs, withIntermediateDirectories: true)
        try text("monitoring/mtail/nginx.mtail").write(to: programs.appendingPathComponent("nginx.mtail"), atomically: true, encoding: .utf8)
        try start(binaries["mtail"]!, ["--progs", programs.path, "--logs", "unixgram://\(work.path)/nginx.sock",
                                       "--address", "127.0.0.1", "--port", String(ports["mtail:3903"]!)])

        // Alertmanager, its receivers' secrets in files as its entrypoint writes them.
        let secrets = work.appendingPathComponent("secrets")
        try FileManager.default.createDirectory(at: secrets, withIntermediateDirectories: true)
        for name in ["SLACK_WEBHOOK_URL", "SMTP_PASSWORD"] {
            try "http://127.0.0.1:9/\(name)".write(to: secrets.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let generatedAlertmanager = try text("monitoring/alertmanager.yml")
        XCTAssertTrue(generatedAlertmanager.contains("_file: /run/alertmanager-secrets/SLACK_WEBHOOK_URL\n"), generatedAlertmanager)
        let alertmanagerConfig = try write("alertmanager.yml", generatedAlertmanager.replacingOccurrences(of: "/run/alertmanager-secrets/", with: secrets.path + "/"))
        try start(binaries["prometheus-alertmanager"]!, [
            "--config.file=\(alertmanagerConfig)", "--storage.path=\(work.path)/alertmanager",
            "--web.listen-address=\(listen("alertmanager:9093"))", "--cluster.listen-address=",
        ])

        // Prometheus: the addresses, intervals and rule file path changed; the rules without `for:`.
        var prometheusConfig = try text("monitoring/prometheus.yml")
            .replacingOccurrences(of: "scrape_interval: 30s", with: "scrape_interval: 1s")
            .replacingOccurrences(of: "evaluation_interval: 30s", with: "evaluation_interval: 1s")
            .replacingOccurrences(of: "- /etc/prometheus/rules.yml", with: "- \(monitoring.path)/rules.yml")
            .replacingOccurrences(of: "- http://web:8080/healthz", with: "- http://127.0.0.1:\(appPort)/healthz")
            .replacingOccurrences(of: "- https://shop.example.com/healthz", with: "- https://localhost:\(tlsPort)/healthz")
            .replacingOccurrences(of: "- nginx:443", with: "- localhost:\(tlsPort)")
        let prometheusPort = Tools.freePort()
        prometheusConfig = prometheusConfig.replacingOccurrences(of: "- localhost:9090", with: "- 127.0.0.1:\(prometheusPort)")
        for (address, _) in ports {
            prometheusConfig = prometheusConfig
                .replacingOccurrences(of: "- \(address)\n", with: "- \(listen(address))\n")
                .replacingOccurrences(of: "replacement: \(address)\n", with: "replacement: \(listen(address))\n")
        }
        let rules = try text("monitoring/rules.yml").split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("    for: ") }.joined(separator: "\n")
        _ = try write("rules.yml", rules)
        let prometheusFile = try write("prometheus.yml", prometheusConfig)
        try start(binaries["prometheus"]!, [
            "--config.file=\(prometheusFile)", "--storage.tsdb.path=\(work.path)/prometheus",
            "--web.listen-address=127.0.0.1:\(prometheusPort)",
        ])
        let prometheus = "http://127.0.0.1:\(prometheusPort)"

        // Every target the configuration names is scraped.
        var targets: [[String: Any]] = []
        let scraped = wait(seconds: 60) {
            targets = (try? json("\(prometheus)/api/v1/targets")["data"] as? [String: Any])?["activeTargets"] as? [[String: Any]] ?? []
            return !targets.isEmpty && targets.allSatisfy { $0["health"] as? String == "up" }
        }
        XCTAssertTrue(scraped, "targets not all up: \(targets.map { ($0["scrapeUrl"] ?? "", $0["health"] ?? "", $0["lastError"] ?? "") })\n\(serverOutput)")
        XCTAssertEqual(targets.count, 10, "\(targets.map { $0["scrapeUrl"] ?? "" })")

        // The probes report: the app's health check, the public URL, the served certificate.
        for (query, expected) in [(#"probe_success{check="health"}"#, "1"), (#"probe_success{check="uptime"}"#, "1"), (#"probe_success{check="tls"}"#, "1")] {
            var value = ""
            XCTAssertTrue(wait(seconds: 30) { value = self.value(prometheus, query) ?? ""; return value == expected }, "\(query) = \(value)")
        }
        XCTAssertNotNil(value(prometheus, #"probe_ssl_earliest_cert_expiry{check="tls"} - time() > 80 * 86400"#))
        // A pool exists once a client used it: the app queries through PgBouncer.
        let query = try postgres.asPostgres(postgres.tool("psql"), [
            "--no-psqlrc", "--host", "127.0.0.1", "--port", String(poolerPort), "--username", "app", "--dbname", "db", "--command", "SELECT 1",
        ], environment: ["PGPASSWORD": "app-password"])
        XCTAssertEqual(query.status, 0, query.output)
        Thread.sleep(forTimeInterval: 2)
        // The exporters read what the alerts ask about.
        for query in [#"pg_up{cluster="db"}"#, #"pg_settings_max_connections{cluster="db"}"#, #"pg_replication_slots_pg_wal_lsn_diff{cluster="db", slot_name="db_replica_1"}"#, #"pg_replication_slots_active{cluster="db"} == 1"#,
                      #"pg_stat_archiver_failed_count{cluster="db"}"#, #"pgbouncer_pools_client_waiting_connections{cluster="db"}"#,
                      #"redis_up{cluster="cache"}"#, #"redis_memory_max_bytes{cluster="cache"}"#, #"redis_evicted_keys_total{cluster="cache"}"#,
                      #"node_filesystem_avail_bytes{mountpoint="/"}"#] {
            XCTAssertNotNil(value(prometheus, query), "no series for \(query)")
        }

        // The app stops: its alert reaches Alertmanager. Then PostgreSQL stops: its alert too.
        let alertmanager = "http://\(listen("alertmanager:9093"))"
        app.terminate()
        XCTAssertTrue(wait(seconds: 60) { self.alertNames(alertmanager).contains("ServiceDown") }, "\(alertNames(alertmanager))")
        _ = try postgres.asPostgres(postgres.tool("pg_ctl"), ["--pgdata", primary.path, "--mode", "fast", "stop"])
        XCTAssertTrue(wait(seconds: 60) { self.alertNames(alertmanager).contains("PostgresDown") }, "\(alertNames(alertmanager))")
    }

    private func text(_ path: String) throws -> String { try ComposeFixtures.text("shop", "\(folder)/\(path)") }

    @discardableResult
    private func start(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let log = logs.appendingPathComponent("\(servers.count)-\(URL(fileURLWithPath: executable).lastPathComponent).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        servers.append(process)
        return process
    }

    /// The end of every server's output.
    private var serverOutput: String {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: logs.path).sorted()) ?? []
        return names.map { name in
            let text = (try? String(contentsOf: logs.appendingPathComponent(name), encoding: .utf8)) ?? ""
            return "== \(name)\n" + text.split(separator: "\n").suffix(8).joined(separator: "\n")
        }.joined(separator: "\n")
    }

    private func json(_ url: String) throws -> [String: Any] {
        let result = try Tools.run(try Tools.require("curl"), ["-sf", url])
        guard result.status == 0, let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any] else { return [:] }
        return object
    }

    /// The first sample of an instant query, or nil when it has none.
    private func value(_ prometheus: String, _ query: String) -> String? {
        let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query
        let data = (try? json("\(prometheus)/api/v1/query?query=\(encoded)"))?["data"] as? [String: Any]
        let first = (data?["result"] as? [[String: Any]])?.first
        return (first?["value"] as? [Any])?.last as? String
    }

    private func alertNames(_ alertmanager: String) -> Set<String> {
        let result = try? Tools.run(try Tools.require("curl"), ["-sf", "\(alertmanager)/api/v2/alerts"])
        let alerts = (try? JSONSerialization.jsonObject(with: Data((result?.output ?? "[]").utf8))) as? [[String: Any]] ?? []
        return Set(alerts.compactMap { ($0["labels"] as? [String: String])?["alertname"] })
    }

    private func wait(seconds: Double, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.5)
        }
        return condition()
    }
}
