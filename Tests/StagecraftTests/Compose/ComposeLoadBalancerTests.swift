import Foundation
import StagecraftEmitters
import XCTest

/// The generated nginx load balancer, run for real in front of small HTTP backends found
/// through DNS, as Docker's DNS serves a service's replicas: pebble's challenge test server
/// answers the service's name with the three backends' loopback addresses. The test rewrites
/// only the listen addresses, the app's port and the resolver's address; every other line is
/// as generated.
final class ComposeLoadBalancerTests: XCTestCase {
    private var directory: URL!
    private var processes: [Process] = []

    override func setUpWithError() throws {
        directory = try Fixtures.temporaryDirectory("load-balancer")
        addTeardownBlock { [self] in
            for process in processes where process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
            try? FileManager.default.removeItem(at: directory)
        }
    }

    func testSpreadsRequestsSurvivesALostBackendAndRateLimits() throws {
        let nginx = try Tools.require("nginx")
        let python = try Tools.require("python3")
        let curl = try Tools.require("curl")
        let challtestsrv = try Tools.require("pebble-challtestsrv")
        let generated = try ComposeFixtures.text("shop", "environments/production/nginx/nginx.conf")
        XCTAssertEqual(NginxHarness.upstreams(generated), ["web:8080"])

        // One small HTTP server per app replica, each answering with its own name, on one port.
        let port = Tools.freePort()
        let addresses = ["127.0.0.21", "127.0.0.22", "127.0.0.23"]
        var backends: [Process] = []
        for (index, address) in addresses.enumerated() {
            let root = directory.appendingPathComponent("backend-\(index + 1)")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            try "backend-\(index + 1)".write(to: root.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
            backends.append(try start(python, ["-m", "http.server", String(port), "--bind", address, "--directory", root.path]))
            try waitForPort(port, host: address)
        }
        // The service's name answers with every replica, as Docker's DNS does.
        let dnsPort = Tools.freePort(), managementPort = Tools.freePort()
        try start(challtestsrv, ["-dns01", "127.0.0.1:\(dnsPort)", "-management", "127.0.0.1:\(managementPort)",
                                 "-http01", "", "-https01", "", "-tlsalpn01", "", "-defaultIPv4", "", "-defaultIPv6", ""])
        try waitForPort(managementPort)
        let added = try Tools.run(curl, ["-sf", "-d", #"{"host":"web","addresses":["127.0.0.21","127.0.0.22","127.0.0.23"]}"#, "http://127.0.0.1:\(managementPort)/add-a"])
        XCTAssertEqual(added.status, 0, added.output)
        // The CDN's shared secret, written by the generated start script, to a file of the test's.
        let secret = String(repeating: "0123456789abcdef", count: 4)
        let verifyConfig = directory.appendingPathComponent("origin-verify.conf").path
        let script = try ComposeFixtures.text("shop", "environments/production/nginx/origin-verify.sh")
            .replacingOccurrences(of: "'/etc/nginx/private/origin-verify.conf'", with: FormatQuoting.shell(verifyConfig))
        for (value, expected) in [("", 1), ("short", 1), ("\"; deny all; \"\(secret)", 1), (secret, 0)] {
            let written = try Tools.run("/bin/sh", ["-c", script], environment: ["CDN_ORIGIN_SECRET": value])
            XCTAssertEqual(written.status == 0 ? 0 : 1, expected, "CDN_ORIGIN_SECRET=\(value): \(written.output)")
        }
        XCTAssertTrue(generated.contains("include \"/etc/nginx/private/origin-verify.conf\";"))
        var config = generated.replacingOccurrences(of: "\"web:8080\"", with: "\"web:\(port)\"")
            .replacingOccurrences(of: "include \"/etc/nginx/resolver.conf\";", with: "resolver 127.0.0.1:\(dnsPort) valid=1s ipv6=off;")
            .replacingOccurrences(of: "include \"/etc/nginx/private/origin-verify.conf\";", with: "include \"\(verifyConfig)\";")
        let httpPort = Tools.freePort(), httpsPort = Tools.freePort()
        config = config.replacingOccurrences(of: "listen 80;", with: "listen 127.0.0.1:\(httpPort);")
            .replacingOccurrences(of: "listen 443 ssl;", with: "listen 127.0.0.1:\(httpsPort) ssl;")
        config = try NginxHarness.selfSignedCertificate(for: config, in: directory)
        let configURL = try NginxHarness.install(config, in: directory)
        let prefix = directory.path + "/"
        try start(nginx, ["-p", prefix, "-c", configURL.path, "-g", "daemon off; pid \(prefix)nginx.pid; error_log \(prefix)error.log;"])
        do { try waitForPort(httpsPort) } catch { XCTFail((try? String(contentsOfFile: prefix + "error.log", encoding: .utf8)) ?? ""); throw error }

        // Every request comes through the CDN (one peer address, as an edge server's), for a
        // viewer of its own per phase: the rate limits are per viewer, the last address in
        // X-Forwarded-For, whatever the client claimed before it.
        func requests(_ count: Int, from viewer: String, claiming claim: String? = nil, path: String = "/", secret sent: String? = secret) throws -> [(status: Int, body: String)] {
            let url = "https://127.0.0.1:\(httpsPort)\(path)"
            var headers = ["-H", "X-Forwarded-For: \(claim.map { "\($0), " } ?? "")\(viewer)"]
            if let sent { headers += ["-H", "X-Origin-Verify: \(sent)"] }
            let output = try Tools.run(curl, ["-sk", "-w", "\n@status=%{http_code}\n"] + headers + Array(repeating: url, count: count)).output
            var responses: [(status: Int, body: String)] = []
            var rest = Substring(output)
            while let marker = rest.range(of: "\n@status=") {
                let body = rest[..<marker.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
                responses.append((Int(rest[marker.upperBound...].prefix(3)) ?? 0, body))
                rest = rest[marker.upperBound...].dropFirst(4)
            }
            XCTAssertEqual(responses.count, count, output)
            return responses
        }

        let health = try Tools.run(curl, ["-s", "http://127.0.0.1:\(httpPort)/nginx-health"])
        XCTAssertEqual(health.output, "ok\n", "the proxy's own health endpoint")
        let redirect = try Tools.run(curl, ["-s", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "http://127.0.0.1:\(httpPort)/"])
        XCTAssertTrue(redirect.output.hasPrefix("301 https://"), redirect.output)

        // nginx's resolver hands out the replicas in a shuffled order, so which replica a
        // request reaches is random: 36 requests miss one of three with a chance of about
        // one in a million. Two viewers keep each batch within the burst of 20.
        let spread = try requests(18, from: "127.0.0.2") + requests(18, from: "127.0.0.12")
        XCTAssertEqual(spread.map(\.status), Array(repeating: 200, count: 36))
        XCTAssertEqual(Set(spread.map(\.body)), ["backend-1", "backend-2", "backend-3"], "requests reach every backend")

        backends[0].terminate()
        backends[0].waitUntilExit()
        let degraded = try requests(18, from: "127.0.0.3")
        XCTAssertEqual(degraded.map(\.status), Array(repeating: 200, count: 18), "every request still succeeds")
        XCTAssertEqual(Set(degraded.map(\.body)), ["backend-2", "backend-3"])

        // 100 requests a minute with a burst of 20: a quick 40 go over the limit.
        let flood = try requests(40, from: "127.0.0.4")
        let accepted = flood.filter { $0.status == 200 }.count
        XCTAssertGreaterThan(accepted, 0)
        XCTAssertLessThanOrEqual(accepted, 23)
        XCTAssertEqual(flood.filter { $0.status == 429 }.count, 40 - accepted, "beyond the rate nginx answers 429")
        // Claiming another address does not escape the limit; another viewer has a limit of its own.
        XCTAssertEqual(try requests(3, from: "127.0.0.4", claiming: "127.0.0.9").map(\.status), [429, 429, 429])
        XCTAssertEqual(try requests(3, from: "127.0.0.9").map(\.status), [200, 200, 200])

        // The origin serves the CDN alone: no header, or a wrong one, is refused.
        XCTAssertEqual(try requests(2, from: "127.0.0.6", secret: nil).map(\.status), [403, 403])
        XCTAssertEqual(try requests(2, from: "127.0.0.6", secret: String(secret.reversed())).map(\.status), [403, 403])

        // /login has its own, tighter limit (10 a minute, burst 2).
        let login = try requests(8, from: "127.0.0.5", path: "/login")
        XCTAssertGreaterThanOrEqual(login.filter { $0.status == 429 }.count, 4, "\(login.map(\.status))")
    }

    @discardableResult
    private func start(_ executable: String, _ arguments: [String]) throws -> Process {
        let process = try Tools.start(executable, arguments)
        processes.append(process)
        return process
    }

    private func waitForPort(_ port: Int, host: String = "127.0.0.1") throws {
        try Tools.waitForPort(port, host: host)
    }
}
