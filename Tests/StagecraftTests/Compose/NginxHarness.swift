import Foundation
import XCTest

/// Runs the real nginx on a generated configuration in a temporary prefix.
enum NginxHarness {
    /// The `NAME:PORT` each app service is found at (`set $upstream_SERVICE "NAME:PORT";`).
    static func upstreams(_ config: String) -> [String] {
        config.split(separator: "\n").compactMap { line in
            let words = line.trimmingCharacters(in: .whitespaces).split(separator: " ")
            guard words.count == 3, words[0] == "set", words[1].hasPrefix("$upstream_") else { return nil }
            return words[2].trimmingCharacters(in: CharacterSet(charactersIn: "\";"))
        }
    }

    /// Writes the configuration into `directory` and returns its path. The certificate is read
    /// at each handshake from the acme volume's path, where the running tests put one.
    static func install(_ config: String, in directory: URL) throws -> URL {
        let url = directory.appendingPathComponent("nginx.conf")
        try config.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// A self-signed certificate and key at the paths the configuration's maps name.
    static func selfSignedCertificate(for config: String, in directory: URL) throws -> String {
        let pattern = /default "([^"]+\.crt)";/
        guard let certificate = config.firstMatch(of: pattern).map({ String($0.1) }) else { return config }
        let certificateURL = directory.appendingPathComponent("tls.crt"), keyURL = directory.appendingPathComponent("tls.key")
        let openssl = try Tools.run(try Tools.require("openssl"), [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
            "-keyout", keyURL.path, "-out", certificateURL.path,
        ])
        XCTAssertEqual(openssl.status, 0, openssl.output)
        // nginx's worker processes read it at each handshake, as an unprivileged user.
        for (url, mode) in [(directory, 0o755), (certificateURL, 0o644), (keyURL, 0o644)] {
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
        }
        let key = certificate.replacingOccurrences(of: ".crt", with: ".key")
        return config.replacingOccurrences(of: "\"\(certificate)\"", with: "\"\(certificateURL.path)\"")
            .replacingOccurrences(of: "\"\(key)\"", with: "\"\(keyURL.path)\"")
    }

    /// `nginx -t` on the configuration as generated. The resolver file the nginx image's start
    /// script writes is written into a tmpfs over /etc/nginx in a private mount namespace
    /// (`unshare -m`), so the file is checked unchanged and the machine's nginx is untouched.
    static func check(_ config: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let nginx = try Tools.require("nginx")
        let unshare = try Tools.require("unshare")
        let directory = try Fixtures.temporaryDirectory("nginx-check")
        defer { try? FileManager.default.removeItem(at: directory) }
        let configURL = try install(config, in: directory)
        let result = try Tools.run(unshare, [
            "-m", "sh", "-c",
            "mount -t tmpfs tmpfs /etc/nginx && echo 'resolver 127.0.0.11 valid=2s ipv6=off;' > /etc/nginx/resolver.conf && mkdir /etc/nginx/private && echo 'map $http_x_origin_verify $from_cdn { default 0; }' > /etc/nginx/private/origin-verify.conf && exec \"$1\" -t -q -p \"$2/\" -c \"$3\"",
            "sh", nginx, directory.path, configURL.path,
        ])
        XCTAssertEqual(result.status, 0, "nginx -t failed:\n\(result.output)", file: file, line: line)
    }
}
