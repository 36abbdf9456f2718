import Foundation
import XCTest

/// Runs the real nginx on a generated configuration in a temporary prefix.
enum NginxHarness {
    /// The container names the configuration's upstreams point at (`server NAME:PORT …;`).
    static func upstreamHosts(_ config: String) -> [String] {
        config.split(separator: "\n").compactMap { line in
            let words = line.trimmingCharacters(in: .whitespaces).split(separator: " ")
            guard words.count >= 2, words[0] == "server", let colon = words[1].lastIndex(of: ":") else { return nil }
            return String(words[1][..<colon])
        }
    }

    /// Writes the configuration into `directory` with a self-signed certificate where its
    /// relative `tls/` paths point, and returns the configuration's path.
    static func install(_ config: String, in directory: URL) throws -> URL {
        let tls = directory.appendingPathComponent("tls")
        try FileManager.default.createDirectory(at: tls, withIntermediateDirectories: true)
        let openssl = try Tools.run(try Tools.require("openssl"), [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
            "-keyout", tls.appendingPathComponent("privkey.pem").path,
            "-out", tls.appendingPathComponent("fullchain.pem").path,
        ])
        XCTAssertEqual(openssl.status, 0, openssl.output)
        let url = directory.appendingPathComponent("nginx.conf")
        try config.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// `nginx -t` on the configuration as generated. Upstream names resolve to 127.0.0.1
    /// through a hosts file bind-mounted over /etc/hosts in a private mount namespace
    /// (`unshare -m`), so the file is checked unchanged and the machine's hosts file is untouched.
    static func check(_ config: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let nginx = try Tools.require("nginx")
        let unshare = try Tools.require("unshare")
        let directory = try Fixtures.temporaryDirectory("nginx-check")
        defer { try? FileManager.default.removeItem(at: directory) }
        let configURL = try install(config, in: directory)
        let hosts = directory.appendingPathComponent("hosts")
        let entries = ["127.0.0.1 localhost"] + upstreamHosts(config).map { "127.0.0.1 \($0)" }
        try (entries.joined(separator: "\n") + "\n").write(to: hosts, atomically: true, encoding: .utf8)
        let result = try Tools.run(unshare, [
            "-m", "sh", "-c", "mount --bind \"$1\" /etc/hosts && exec \"$2\" -t -q -p \"$3/\" -c \"$4\"",
            "sh", hosts.path, nginx, directory.path, configURL.path,
        ])
        XCTAssertEqual(result.status, 0, "nginx -t failed:\n\(result.output)", file: file, line: line)
    }
}
