import StagecraftOutput

/// The checkov checks that do not fit what Stagecraft writes, each with its reason, as a
/// checkov config file: `checkov --config-file kubernetes/.checkov.yaml -d <rendered overlay>`.
enum CheckovAllowList {
    static let skipped: [(check: String, reason: String)] = [
        ("CKV_K8S_35", "Secrets as environment variables: the workloads read their settings from the environment (twelve-factor), and every secret arrives through a secretKeyRef, never as a value in these files."),
        ("CKV_K8S_43", "Images by digest: the committed overlays name a placeholder tag, and the deploy job runs each image CI built by the digest its push reported; Redis follows its major version to get patch releases."),
    ]

    static func file() throws -> GeneratedFile {
        var text = """
            # Checks skipped when checkov scans the rendered overlays, each with its reason.
            framework:
              - kubernetes
            skip-check:

            """
        for entry in skipped {
            text += "  # \(entry.reason)\n  - \(entry.check)\n"
        }
        return try GeneratedFile(path: "kubernetes/.checkov.yaml", text: text, commentStyle: .hash)
    }
}
