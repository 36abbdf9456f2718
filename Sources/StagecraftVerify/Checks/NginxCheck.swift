import Foundation

/// `nginx -t` on each generated nginx.conf, as it is. The configuration includes the resolver
/// file the nginx image's start script writes (/etc/nginx/resolver.conf): the check writes one
/// into a tmpfs over /etc/nginx in a private mount namespace (`unshare`), so neither the file
/// nor the machine's nginx changes; likewise the CDN's shared-secret map. Certificates are read at each handshake, not by the test.
struct NginxCheck: Check {
    static let tool = "nginx -t"
    /// The file nginx/origin-verify.sh writes at start when a CDN fronts the origin, with the
    /// secret's line left out: what nginx parses is the same map.
    static let originVerifyStandIn = "mkdir /etc/nginx/private && echo 'map $http_x_origin_verify $from_cdn { default 0; }' > /etc/nginx/private/origin-verify.conf"

    func tasks(_ output: OutputFolder, _ environment: CheckEnvironment) -> [CheckTask] {
        output.files.filter { OutputFolder.name($0) == "nginx.conf" }.enumerated().map { index, path in
            CheckTask(path: path, tool: Self.tool) {
                environment.with("nginx", path: path, label: Self.tool) { nginx in
                    let unshare: String
                    switch environment.require("unshare", for: path, as: Self.tool) {
                    case .failure(let skipped): return skipped.result
                    case .success(let found): unshare = found
                    }
                    guard let config = output.text(path) else { return .failed(path, Self.tool, "not readable as UTF-8") }
                    let prefix = environment.scratch.appendingPathComponent("nginx-\(index)")
                    return try check(config, path: path, prefix: prefix, nginx: nginx, unshare: unshare)
                }
            }
        }
    }

    private func check(_ config: String, path: String, prefix: URL, nginx: String, unshare: String) throws -> CheckResult {
        try FileManager.default.createDirectory(at: prefix.appendingPathComponent("logs"), withIntermediateDirectories: true)
        let configURL = prefix.appendingPathComponent("nginx.conf")
        try config.write(to: configURL, atomically: true, encoding: .utf8)
        // Root may unshare the mount namespace itself; anyone else needs a user namespace too.
        let namespaces = geteuid() == 0 ? ["--mount"] : ["--map-root-user", "--mount"]
        let run = try ToolRun.run(unshare, namespaces + [
            "sh", "-c",
            "mkdir -p /etc/nginx && mount -t tmpfs tmpfs /etc/nginx && echo 'resolver 127.0.0.11 valid=2s ipv6=off;' > /etc/nginx/resolver.conf && \(Self.originVerifyStandIn) && exec \"$1\" -t -q -p \"$2/\" -c \"$3\"",
            "sh", nginx, prefix.path, configURL.path,
        ])
        if run.succeeded { return .passed(path, Self.tool) }
        if run.output.hasPrefix("unshare:") || run.output.hasPrefix("mount:") || run.output.hasPrefix("mkdir:") {
            return .skipped(path, Self.tool, because: "the resolver file cannot be provided in a private mount namespace here: \(run.output.trimmingTrailingWhitespace)",
                            hint: "run as root, or allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)")
        }
        return .failed(path, Self.tool, run.output.replacingOccurrences(of: configURL.path, with: path))
    }
}
