import Foundation
import XCTest

/// The restore test's generated script, run as its CronJob runs it, against a real PostgreSQL
/// primary archiving its WAL and a stand-in for the Kubernetes API whose "Cluster" is a real
/// point-in-time restore of that archive (`Support/restore-api.py`): the script writes its
/// marker, waits for the WAL to be archived, asks for the throwaway cluster with a recovery
/// target, finds the marker in the restored copy, times it, and deletes the cluster.
final class KubernetesRestoreTestTests: XCTestCase {
    private struct Setup {
        var script: String
        var environment: [String: String]
        var requests: URL
    }

    func testTheScriptRestoresFindsTheMarkerAndDeletesTheCluster() throws {
        let setup = try start()
        let result = try Tools.run(try Tools.require("python3"), ["-c", setup.script], environment: setup.environment)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("The restored copy holds marker"), result.output)
        XCTAssertTrue(result.output.contains("restore test of db: passed in"), result.output)

        let requests = try String(contentsOf: setup.requests, encoding: .utf8).split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let created = try XCTUnwrap(requests.first { $0["method"] as? String == "POST" }?["body"] as? [String: Any])
        XCTAssertEqual(created.value(at: "metadata.name") as? String, "db-restore-test")
        XCTAssertNotNil(created.value(at: "spec.bootstrap.recovery.recoveryTarget.targetTime") as? String, "recovered to a moment after the marker")
        XCTAssertEqual(requests.last?["method"] as? String, "DELETE", "the throwaway cluster is removed")
    }

    func testARestoreSlowerThanTheRecoveryTimeFailsAndStillDeletesTheCluster() throws {
        // A restore that takes 2 s against a recovery time of 1 s.
        var setup = try start(restoreDelaySeconds: 2)
        setup.environment["RECOVERY_TIME_SECONDS"] = "1"
        let result = try Tools.run(try Tools.require("python3"), ["-c", setup.script], environment: setup.environment)
        XCTAssertNotEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("more than the declared recovery time of 1 s") || result.output.contains("was not ready after 2 s"), result.output)
        let requests = try String(contentsOf: setup.requests, encoding: .utf8)
        XCTAssertTrue(requests.split(separator: "\n").last?.contains("\"DELETE\"") == true, requests)
    }

    /// A restore test that stops passing pages: the rule watches the CronJob the overlay runs.
    func testARestoreTestThatStopsPassingPages() throws {
        let rendered = try KubernetesRendering.marketplace()
        defer { try? FileManager.default.removeItem(at: rendered.root) }
        let objects = try rendered.objects("production")
        XCTAssertTrue(objects.contains { $0.kind == "CronJob" && $0.name == "db-restore-test-runner" })
        let rules = try XCTUnwrap(objects.first { $0.kind == "PrometheusRule" }?.value(at: "spec.groups") as? [[String: Any]])
            .flatMap { $0["rules"] as? [[String: Any]] ?? [] }
        let overdue = try XCTUnwrap(rules.first { $0["alert"] as? String == "RestoreTestOverdue" })
        XCTAssertTrue((overdue["expr"] as? String ?? "").contains(#"cronjob="db-restore-test-runner""#), "\(overdue)")
        XCTAssertEqual(overdue.value(at: "labels.severity") as? String, "page")
        XCTAssertNotNil(rules.first { $0["alert"] as? String == "RestoreTestNeverPassed" })
    }

    // MARK: - The primary, its archive and the API

    private func start(restoreDelaySeconds: Int = 0) throws -> Setup {
        let openssl = try Tools.require("openssl")
        let python = try Tools.require("python3")
        let postgres = try PostgresHarness(self, label: "restore-test")
        for folder in ["archive", "account"] { try postgres.makeDirectory(folder) }
        let primaryPort = Tools.freePort()
        let data = try postgres.initdb("primary", owner: "admin")
        try postgres.start(data, port: primaryPort, settings: [
            "wal_level=replica", "archive_mode=on", "archive_command='cp %p \(postgres.path("archive"))/%f'", "archive_timeout=2",
        ])
        // The application's role, as CloudNativePG makes it: the database's owner, not a superuser.
        for statement in ["CREATE ROLE db LOGIN PASSWORD 'restore-test-password'", "CREATE DATABASE db OWNER db"] {
            let result = try postgres.sql(statement, port: primaryPort, user: "admin", database: "postgres")
            XCTAssertEqual(result.status, 0, result.output)
        }
        let base = try postgres.asPostgres(postgres.tool("pg_basebackup"), [
            "--pgdata", postgres.path("base"), "--host", postgres.directory.path, "--port", String(primaryPort),
            "--username", "admin", "--wal-method", "fetch", "--checkpoint", "fast",
        ])
        XCTAssertEqual(base.status, 0, base.output)
        let restored = postgres.directory.appendingPathComponent("restored")
        postgres.stopOnTeardown(restored)

        // The API's certificate, for 127.0.0.1 (a pod reaches the API at its Service's address).
        let account = postgres.directory.appendingPathComponent("account")
        let certificate = try Tools.run(openssl, [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=kubernetes",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", account.appendingPathComponent("api.key").path,
            "-out", account.appendingPathComponent("ca.crt").path,
        ])
        XCTAssertEqual(certificate.status, 0, certificate.output)
        let token = "token-\(UUID().uuidString)"
        try token.write(to: account.appendingPathComponent("token"), atomically: true, encoding: .utf8)

        let apiPort = Tools.freePort()
        let requests = postgres.directory.appendingPathComponent("requests.jsonl")
        let config: [String: Any] = [
            "port": apiPort, "certificate": account.appendingPathComponent("ca.crt").path, "key": account.appendingPathComponent("api.key").path,
            "token": token, "bin": URL(fileURLWithPath: postgres.tool("psql")).deletingLastPathComponent().path, "runuser": try Tools.require("runuser"),
            "directory": postgres.directory.path, "base": postgres.path("base"), "archive": postgres.path("archive"),
            "restoredPort": Tools.freePort(), "admin": "admin", "log": requests.path, "restoreDelaySeconds": restoreDelaySeconds,
        ]
        let configFile = postgres.directory.appendingPathComponent("api.json")
        try JSONSerialization.data(withJSONObject: config).write(to: configFile)
        let api = Process()
        api.executableURL = URL(fileURLWithPath: python)
        api.arguments = [Fixtures.repositoryRoot.appendingPathComponent("Tests/StagecraftTests/Kubernetes/Support/restore-api.py").path, configFile.path]
        let apiLog = postgres.directory.appendingPathComponent("api.log")
        FileManager.default.createFile(atPath: apiLog.path, contents: nil)
        let handle = try FileHandle(forWritingTo: apiLog)
        api.standardOutput = handle
        api.standardError = handle
        try api.run()
        addTeardownBlock { api.terminate(); api.waitUntilExit() }
        let deadline = Date().addingTimeInterval(15)
        while !((try? String(contentsOf: apiLog, encoding: .utf8))?.contains("listening") ?? false) {
            guard Date() < deadline else { XCTFail("the API stand-in did not start: \((try? String(contentsOf: apiLog, encoding: .utf8)) ?? "")"); break }
            Thread.sleep(forTimeInterval: 0.1)
        }

        // The script and its environment exactly as the generated CronJob holds them, but for
        // where the primary, the restored copy and the API are.
        let rendered = try KubernetesRendering.marketplace()
        defer { try? FileManager.default.removeItem(at: rendered.root) }
        let objects = try rendered.objects("production")
        let configMap = try XCTUnwrap(objects.first { $0.kind == "ConfigMap" && $0.name == "db-restore-test-runner" })
        let script = try XCTUnwrap((configMap["data"] as? [String: String])?["restore-test.py"])
        let cronJob = try XCTUnwrap(objects.first { $0.kind == "CronJob" && $0.name == "db-restore-test-runner" })
        let generated = try XCTUnwrap((cronJob.value(at: "spec.jobTemplate.spec.template.spec.containers") as? [[String: Any]])?.first?["env"] as? [[String: Any]])
        var environment = Dictionary(uniqueKeysWithValues: generated.compactMap { variable -> (String, String)? in
            guard let name = variable["name"] as? String, let value = variable["value"] as? String else { return nil }
            return (name, value)
        })
        XCTAssertEqual(environment["WAL_ARCHIVING"], "yes")
        XCTAssertEqual(environment["RECOVERY_TIME_SECONDS"], "3600")
        environment.merge([
            "NAMESPACE": "marketplace-production", "PGUSER": "db", "PGPASSWORD": "restore-test-password",
            "PRIMARY_CONNINFO": "host=127.0.0.1 port=\(primaryPort)", "RESTORED_CONNINFO": "host=127.0.0.1 port=\(config["restoredPort"]!)",
            // The stand-ins serve no TLS for PostgreSQL; the archive closes a segment every 2 s.
            "PGSSLMODE": "disable", "ARCHIVE_WAIT_SECONDS": "60",
            // A restore of a few megabytes takes seconds: a test that fails, fails within minutes.
            "RECOVERY_TIME_SECONDS": "120",
            "KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": String(apiPort), "SERVICE_ACCOUNT_DIR": account.path,
            "PATH": "\(config["bin"]!):\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")",
        ]) { _, new in new }
        return Setup(script: script, environment: environment, requests: requests)
    }
}
