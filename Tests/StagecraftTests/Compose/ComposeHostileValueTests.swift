import Foundation
import StagecraftEmitters
import StagecraftOutput
import StagecraftPlanner
import XCTest

/// Quotes, semicolons, braces, newlines and `$` in every free-form value that reaches the
/// compose platform's files cannot change their structure: the files still validate, and
/// the value appears only in its quoted form.
final class ComposeHostileValueTests: XCTestCase {
    // Paths allow any printable character but spaces; config values and commands any text.
    static let route = "/r'o\"u;t{e}$x\\/"
    static let staticPath = "/st\"at;ic{$y}/*"
    /// The static path as nginx matches it: a prefix, without the trailing `*`.
    static let staticPrefix = "/st\"at;ic{$y}/"
    static let rateLimitPath = "/l'og\"in;{}$z"
    static let healthPath = "/he'al\"th;{$h}`id`"
    static let configValue = "a'b\"c;d{e}$f\nrm -rf / #"
    static let commandArgument = "--name=$(id);{x}'\"$HOME"

    private func hostileFiles() throws -> FileSet {
        var plan = try ComposeFixtures.generation("shop").plan
        for index in plan.environments.indices {
            var environment = plan.environments[index]
            environment.services[0].route = Self.route
            environment.services[0].staticPaths = [Self.staticPath]
            environment.services[0].healthCheck = Self.healthPath
            var entry = try XCTUnwrap(environment.services[0].config.first)
            (entry.key, entry.value) = ("GREETING", Self.configValue)
            environment.services[0].config.append(entry)
            environment.workers[0].command = ["bin/jobs", Self.commandArgument]
            var limit = try XCTUnwrap(environment.loadBalancer?.rateLimits.last)
            limit.path = Self.rateLimitPath
            environment.loadBalancer?.rateLimits.append(limit)
            plan.environments[index] = environment
        }
        return try Fixtures.renderer.files(for: plan)
    }

    func testNginxConfigKeepsItsStructure() throws {
        let files = try hostileFiles()
        let nginx = try XCTUnwrap(files["environments/production/nginx/nginx.conf"]).text
        try NginxHarness.check(nginx)
        for path in [Self.route, Self.staticPrefix, Self.rateLimitPath] {
            let quoted = FormatQuoting.nginx(path)
            XCTAssertTrue(nginx.contains("location ^~ \(quoted) {"), "\(path) is a quoted location")
            XCTAssertFalse(nginx.replacingOccurrences(of: quoted, with: "").contains(path), "\(path) appears only quoted")
        }
        // The same blocks as without the hostile values, nothing injected: the route and the
        // static path replace `/` and `/assets/`, the extra rate-limited path adds one location.
        let clean = try ComposeFixtures.text("shop", "environments/production/nginx/nginx.conf")
        XCTAssertEqual(nginx.components(separatedBy: "location ").count, clean.components(separatedBy: "location ").count + 1)
        XCTAssertEqual(nginx.components(separatedBy: "server {").count, clean.components(separatedBy: "server {").count)
    }

    func testComposeFileKeepsItsStructure() throws {
        let checker = try Tools.require("check-jsonschema")
        let python = try Tools.require("python3")
        let files = try hostileFiles()
        let directory = try ComposeFixtures.materialized(files, label: "hostile-compose")
        defer { try? FileManager.default.removeItem(at: directory) }
        let compose = directory.appendingPathComponent("environments/production/compose.yaml").path
        let schema = try Tools.run(checker, ["--builtin-schema", "vendor.compose-spec", compose])
        XCTAssertEqual(schema.status, 0, schema.output)

        // Read back, the values are intact, with `$` doubled so Compose does not interpolate them.
        let read = try Tools.run(python, ["-c", """
            import json, sys, yaml
            services = yaml.safe_load(open(sys.argv[1]))["services"]
            print(json.dumps([services["web"]["healthcheck"]["test"][1], services["jobs"]["command"]]))
            """, compose])
        XCTAssertEqual(read.status, 0, read.output)
        let values = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(read.output.utf8)) as? [Any])
        let probe = try XCTUnwrap(values[0] as? String)
        let url = FormatQuoting.shell("http://127.0.0.1:8080\(Self.healthPath)").replacingOccurrences(of: "$", with: "$$")
        XCTAssertEqual(probe, "wget -q -O /dev/null \(url) 2>/dev/null || curl -fsS -o /dev/null \(url)")
        XCTAssertEqual(values[1] as? [String], ["bin/jobs", Self.commandArgument.replacingOccurrences(of: "$", with: "$$")])

        // The health probe is one shell command whatever the path holds.
        let shellcheck = try Tools.require("shellcheck")
        let probeScript = directory.appendingPathComponent("probe.sh")
        try ("#!/bin/sh\n" + probe.replacingOccurrences(of: "$$", with: "$") + "\n").write(to: probeScript, atomically: true, encoding: .utf8)
        // (Notes that `$` and backticks stay literal inside single quotes are the point.)
        let lint = try Tools.run(shellcheck, ["--severity=warning", probeScript.path])
        XCTAssertEqual(lint.status, 0, lint.output)
    }

    func testScriptsAndConfigurationStillValidate() throws {
        let shellcheck = try Tools.require("shellcheck")
        let actionlint = try Tools.require("actionlint")
        let files = try hostileFiles()
        let directory = try ComposeFixtures.materialized(files, label: "hostile-scripts")
        defer { try? FileManager.default.removeItem(at: directory) }
        let scripts = files.files.filter { $0.path.value.hasSuffix(".sh") }.map { directory.appendingPathComponent($0.path.value).path }
        XCTAssertFalse(scripts.isEmpty)
        let lint = try Tools.run(shellcheck, scripts)
        XCTAssertEqual(lint.status, 0, lint.output)
        let workflow = directory.appendingPathComponent(GitHubActionsEmitter.deployPath("shop")).path
        let workflowLint = try Tools.run(actionlint, [workflow], in: directory)
        XCTAssertEqual(workflowLint.status, 0, workflowLint.output)
        // The config value lands only in the env file, quoted for it.
        let env = try XCTUnwrap(files["environments/production/config/web.env"]).text
        XCTAssertTrue(env.contains("GREETING=\(FormatQuoting.dotenv(Self.configValue))\n"))
        for path in ["nginx/nginx.conf", "postgres/db/primary.conf", "pgbackrest/pgbackrest.conf", "ops/crontab"] {
            XCTAssertFalse(try XCTUnwrap(files["environments/production/\(path)"]).text.contains("rm -rf"), path)
        }
    }
}
