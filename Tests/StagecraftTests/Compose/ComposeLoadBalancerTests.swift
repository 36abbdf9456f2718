import Foundation
import XCTest

/// The generated nginx load balancer, run for real in front of small HTTP backends.
/// The test rewrites only the listen addresses and the upstream servers to 127.0.0.1 ports;
/// every other line is as generated.
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
        let generated = try ComposeFixtures.text("shop", "environments/production/nginx/nginx.conf")
        let upstreams = NginxHarness.upstreamHosts(generated)
        XCTAssertEqual(upstreams.count, 3)

        // One small HTTP server per app replica, each answering with its own name.
        var config = generated
        var backends: [Process] = []
        for (index, host) in upstreams.enumerated() {
            let root = directory.appendingPathComponent("backend-\(index + 1)")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            try "backend-\(index + 1)".write(to: root.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
            let port = Tools.freePort()
            backends.append(try start(python, ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", root.path]))
            try waitForPort(port)
            config = config.replacingOccurrences(of: "server \(host):8080 ", with: "server 127.0.0.1:\(port) ")
        }
        let httpPort = Tools.freePort(), httpsPort = Tools.freePort()
        config = config.replacingOccurrences(of: "listen 80;", with: "listen 127.0.0.1:\(httpPort);")
            .replacingOccurrences(of: "listen 443 ssl;", with: "listen 127.0.0.1:\(httpsPort) ssl;")
        let configURL = try NginxHarness.install(config, in: directory)
        let prefix = directory.path + "/"
        try start(nginx, ["-p", prefix, "-c", configURL.path, "-g", "daemon off; pid \(prefix)nginx.pid; error_log \(prefix)error.log;"])
        try waitForPort(httpsPort)

        // Each phase comes from its own loopback address: the rate limits are per client.
        func requests(_ count: Int, from client: String, path: String = "/") throws -> [(status: Int, body: String)] {
            let url = "https://127.0.0.1:\(httpsPort)\(path)"
            let output = try Tools.run(curl, ["-sk", "--interface", client, "-w", "\n@status=%{http_code}\n"] + Array(repeating: url, count: count)).output
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

        let spread = try requests(9, from: "127.0.0.2")
        XCTAssertEqual(spread.map(\.status), Array(repeating: 200, count: 9))
        XCTAssertEqual(Set(spread.map(\.body)), ["backend-1", "backend-2", "backend-3"], "requests reach every backend")

        backends[0].terminate()
        backends[0].waitUntilExit()
        let degraded = try requests(12, from: "127.0.0.3")
        XCTAssertEqual(degraded.map(\.status), Array(repeating: 200, count: 12), "every request still succeeds")
        XCTAssertEqual(Set(degraded.map(\.body)), ["backend-2", "backend-3"])

        // 100 requests a minute with a burst of 20: a quick 40 go over the limit.
        let flood = try requests(40, from: "127.0.0.4")
        let accepted = flood.filter { $0.status == 200 }.count
        XCTAssertGreaterThan(accepted, 0)
        XCTAssertLessThanOrEqual(accepted, 23)
        XCTAssertEqual(flood.filter { $0.status == 429 }.count, 40 - accepted, "beyond the rate nginx answers 429")

        // /login has its own, tighter limit (10 a minute, burst 2).
        let login = try requests(8, from: "127.0.0.5", path: "/login")
        XCTAssertGreaterThanOrEqual(login.filter { $0.status == 429 }.count, 4, "\(login.map(\.status))")
    }

    @discardableResult
    private func start(_ executable: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        processes.append(process)
        return process
    }

    private func waitForPort(_ port: Int) throws {
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(fd)
            if connected == 0 { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw PortNeverOpened(port: port)
    }
}

private struct PortNeverOpened: Error, CustomStringConvertible {
    let port: Int
    var description: String { "nothing listened on 127.0.0.1:\(port) within 15 s" }
}
