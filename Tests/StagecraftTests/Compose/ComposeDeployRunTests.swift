import Foundation
import Yams
import XCTest

/// The generated compose deploy and rollback, run for real against a host folder (a tmpfs on
/// /srv in a private mount namespace), with `ssh` running its command locally and `docker`
/// recording its calls: what the scripts do to the release folders is what a host would see.
final class ComposeDeployRunTests: XCTestCase {
    func testDeploysUpdateMountedFilesInPlaceAndRollbackRestoresThePreviousRelease() throws {
        let unshare = try Tools.require("unshare")
        let work = try Fixtures.temporaryDirectory("deploy-run")
        defer { try? FileManager.default.removeItem(at: work) }
        let files = try Fixtures.renderer.render(try Fixtures.example("shop")).files
        try Fixtures.materialize(files, in: work.appendingPathComponent("repo"))

        let workflow = try XCTUnwrap(try Yams.load(yaml: try XCTUnwrap(files[".github/workflows/shop-deploy.yml"]).text) as? [String: Any])
        let jobs = try XCTUnwrap(workflow["jobs"] as? [String: [String: Any]])
        let steps = try XCTUnwrap(jobs["production"]?["steps"] as? [[String: Any]])
        func script(_ prefix: String) throws -> String {
            try XCTUnwrap(steps.first { ($0["name"] as? String)?.hasPrefix(prefix) == true }?["run"] as? String, prefix)
        }
        let release = [try script("Copy environments/production"), try script("Write the secrets"), try script("Start production")]
        let rollback = try script("Roll back")

        // Stand-ins: ssh runs the remote command here; docker only records what it was asked.
        let bin = work.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try "#!/bin/bash\nshift\nexec bash -c \"$*\"\n".write(to: bin.appendingPathComponent("ssh"), atomically: true, encoding: .utf8)
        try "#!/bin/bash\necho \"docker $*\" >> \"$DOCKER_LOG\"\n".write(to: bin.appendingPathComponent("docker"), atomically: true, encoding: .utf8)
        try "#!/bin/bash\n".write(to: bin.appendingPathComponent("crontab"), atomically: true, encoding: .utf8)
        for tool in ["ssh", "docker", "crontab"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin.appendingPathComponent(tool).path)
        }
        func write(_ name: String, _ body: String) throws -> String {
            let url = work.appendingPathComponent(name)
            try ("set -euo pipefail\n" + body).write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }
        let steps1 = try release.enumerated().map { try write("release-\($0.offset).sh", $0.element) }
        let undo = try write("rollback.sh", rollback)
        let config = "/srv/shop/production/nginx/nginx.conf"
        let scenario = """
            set -euo pipefail
            mount -t tmpfs tmpfs /srv
            cd \(FormatPath.quote(work.appendingPathComponent("repo").path))
            deploy() { for step in \(steps1.map(FormatPath.quote).joined(separator: " ")); do bash "$step"; done; }
            IMAGE_TAG=aaa deploy
            first=$(stat -c %i \(config))
            echo "# release two" >> environments/production/nginx/nginx.conf
            IMAGE_TAG=bbb deploy
            echo "inode-kept=$([ "$(stat -c %i \(config))" = "$first" ] && echo yes || echo no)"
            echo "new-config=$(grep -c '# release two' \(config))"
            echo "tag=$(cat /srv/shop/production/.deployed-tag) previous=$(cat /srv/shop/production.previous/.deployed-tag)"
            echo "next-gone=$([ -e /srv/shop/production.next ] && echo no || echo yes)"
            # A failed third release: switched, then the rollback step.
            echo "# release three" >> environments/production/nginx/nginx.conf
            IMAGE_TAG=ccc bash \(FormatPath.quote(steps1[0])); IMAGE_TAG=ccc bash \(FormatPath.quote(steps1[1]))
            mkdir -p /srv/shop/production && rm -rf /srv/shop/production.previous && cp -a /srv/shop/production /srv/shop/production.previous
            touch /srv/shop/production/.rollout-in-progress && cp -a /srv/shop/production.next/. /srv/shop/production/
            bash \(FormatPath.quote(undo))
            echo "rolled-back-tag=$(cat /srv/shop/production/.deployed-tag)"
            echo "rolled-back-config=$(grep -c '# release three' \(config) || true)"
            echo "inode-after-rollback=$([ "$(stat -c %i \(config))" = "$first" ] && echo yes || echo no)"
            """
        var environment: [String: String] = ["PATH": bin.path + ":/usr/bin:/bin", "DOCKER_LOG": work.appendingPathComponent("docker.log").path, "HOME": work.path]
        for name in ["DB_PASSWORD", "CACHE_PASSWORD", "SENTRY_DSN", "STRIPE_API_KEY", "SMTP_PASSWORD", "DB_REPLICATION_PASSWORD", "DB_BACKUP_CIPHER_PASS"] {
            environment[name] = "secret-\(name.lowercased())"
        }
        let result = try Tools.run(unshare, ["-m", "--propagation", "private", "bash", "-c", scenario], environment: environment)
        XCTAssertEqual(result.status, 0, result.output)
        for expected in ["inode-kept=yes", "new-config=1", "tag=bbb previous=aaa", "next-gone=yes", "rolled-back-tag=bbb", "rolled-back-config=0", "inode-after-rollback=yes"] {
            XCTAssertTrue(result.output.contains(expected), "\(expected) in:\n\(result.output)")
        }
        let log = try String(contentsOf: work.appendingPathComponent("docker.log"), encoding: .utf8)
        XCTAssertTrue(log.contains("docker compose up --detach --remove-orphans --wait --wait-timeout 600"), log)
        XCTAssertTrue(log.contains("docker compose kill --signal HUP db-pgbouncer"), log)
        XCTAssertTrue(log.contains("exec -T nginx nginx -s reload"), log)
    }
}

private enum FormatPath {
    static func quote(_ path: String) -> String { "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
