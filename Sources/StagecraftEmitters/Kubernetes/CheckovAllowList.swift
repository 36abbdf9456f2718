import StagecraftOutput

/// The checkov checks that do not fit what Stagecraft writes, each with its reason, as a
/// checkov config file: `checkov --config-file kubernetes/.checkov.yaml -d <rendered overlay>`.
enum CheckovAllowList {
    static let skipped: [(check: String, reason: String)] = []

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
