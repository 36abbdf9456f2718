import Foundation

/// `nginx -t` on each generated nginx.conf, as it is. The configuration names its upstreams
/// by container name, which only the host's container network resolves: the check resolves
/// them to 127.0.0.1 through a hosts file bind-mounted over /etc/hosts in a private mount
/// namespace (`unshare`), so neither the file nor the machine's hosts file changes. Its
/// relative `tls/` certificate paths get a throwaway self-signed certificate.
struct NginxCheck: Check {
    static let tool = "nginx -t"

    func tasks(_ output: OutputFolder, _ environment: CheckEnvironment) -> [CheckTask] {
        let certificate = LazyCertificate(directory: environment.scratch.appendingPathComponent("nginx-tls"))
        return output.files.filter { OutputFolder.name($0) == "nginx.conf" }.enumerated().map { index, path in
            CheckTask(path: path, tool: Self.tool) {
                environment.with("nginx", path: path, label: Self.tool) { nginx in
                    let tools = ["openssl", "unshare"].map { environment.require($0, for: path, as: Self.tool) }
                    for case .failure(let skipped) in tools { return skipped.result }
                    guard case .success(let openssl) = tools[0], case .success(let unshare) = tools[1] else { fatalError("checked above") }
                    guard let config = output.text(path) else { return .failed(path, Self.tool, "not readable as UTF-8") }
                    let prefix = environment.scratch.appendingPathComponent("nginx-\(index)")
                    return try check(config, path: path, prefix: prefix, nginx: nginx, unshare: unshare, certificate: try certificate.files(openssl))
                }
            }
        }
    }

    private func check(_ config: String, path: String, prefix: URL, nginx: String, unshare: String, certificate: URL) throws -> CheckResult {
        let files = FileManager.default
        try files.createDirectory(at: prefix.appendingPathComponent("logs"), withIntermediateDirectories: true)
        try files.copyItem(at: certificate, to: prefix.appendingPathComponent("tls"))
        let configURL = prefix.appendingPathComponent("nginx.conf")
        try config.write(to: configURL, atomically: true, encoding: .utf8)
        let hosts = prefix.appendingPathComponent("hosts")
        let entries = ["127.0.0.1 localhost"] + Self.upstreamHosts(config).map { "127.0.0.1 \($0)" }
        try (entries.joined(separator: "\n") + "\n").write(to: hosts, atomically: true, encoding: .utf8)
        // Root may unshare the mount namespace itself; anyone else needs a user namespace too.
        let namespaces = geteuid() == 0 ? ["--mount"] : ["--map-root-user", "--mount"]
        let run = try ToolRun.run(unshare, namespaces + [
            "sh", "-c", "mount --bind \"$1\" /etc/hosts && exec \"$2\" -t -q -p \"$3/\" -c \"$4\"",
            "sh", hosts.path, nginx, prefix.path, configURL.path,
        ])
        if run.succeeded { return .passed(path, Self.tool) }
        if run.output.hasPrefix("unshare:") || run.output.hasPrefix("mount:") {
            return .skipped(path, Self.tool, because: "upstream names cannot be resolved offline here: \(run.output.trimmingTrailingWhitespace)",
                            hint: "run as root, or allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)")
        }
        return .failed(path, Self.tool, run.output.replacingOccurrences(of: configURL.path, with: path))
    }

    /// The host names the upstream blocks point at (`server NAME:PORT …;`).
    static func upstreamHosts(_ config: String) -> [String] {
        config.split(separator: "\n").compactMap { line in
            let words = line.trimmingCharacters(in: .whitespaces).split(separator: " ")
            guard words.count >= 2, words[0] == "server", let colon = words[1].lastIndex(of: ":") else { return nil }
            return String(words[1][..<colon])
        }
    }
}

/// One self-signed certificate per verification, made when the first nginx.conf needs it.
private final class LazyCertificate {
    let directory: URL
    private var made = false

    init(directory: URL) { self.directory = directory }

    func files(_ openssl: String) throws -> URL {
        guard !made else { return directory }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let run = try ToolRun.run(openssl, [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
            "-keyout", directory.appendingPathComponent("privkey.pem").path,
            "-out", directory.appendingPathComponent("fullchain.pem").path,
        ])
        guard run.succeeded else { throw VerifyError("openssl could not make a test certificate: \(run.output)") }
        made = true
        return directory
    }
}
