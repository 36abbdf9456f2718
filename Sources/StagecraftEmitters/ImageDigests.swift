import StagecraftPlanner

/// The digests of the images CI pushed, as a deploy job receives them: one variable per built
/// image (`WEB_IMAGE_DIGEST`), from the CI run that pushed it. Every platform deploys by them,
/// so what runs is exactly what was built and attested, even if a tag is later moved.
struct ImageDigests {
    let images: [ImageBuild]

    /// The images an environment's workloads run that CI builds.
    init(_ pipeline: PipelinePlan, environment: EnvironmentPlan) {
        let built = Set(environment.workloads.compactMap(\.image.buildName))
        images = pipeline.images.filter { built.contains($0.workload) }
    }

    /// What a step that reads the digests declares.
    var variables: [CIStep.Variable] {
        images.map { CIStep.Variable($0.digestVariable, .imageDigest(workload: $0.workload)) }
    }

    /// Bash that stops unless every digest variable holds a digest: each becomes part of a file
    /// (an env file, a kustomization, a Terraform variable), so nothing else may pass.
    var check: String {
        guard !images.isEmpty else { return "" }
        return """
            require_digest() {
              if [[ ! "${!1:-}" =~ \(ImageBuild.digestPattern) ]]; then
                echo "$1 is not the digest of the pushed image: '${!1:-}'" >&2
                exit 1
              fi
            }
            \(images.map { "require_digest \($0.digestVariable)" }.joined(separator: "\n"))
            """
    }

    /// A jq program's arguments and the object it builds from them: each image's repository
    /// mapped to its digest (`--arg d0 "$WEB_IMAGE_DIGEST"` and `{"ghcr.io/acme/web": $d0}`).
    var jqRepositoryMap: (arguments: String, object: String) {
        let arguments = images.enumerated().map { "--arg d\($0.offset) \"$\($0.element.digestVariable)\"" }.joined(separator: " ")
        let entries = images.enumerated().map { "\(jsonString($0.element.repository)): $d\($0.offset)" }.joined(separator: ", ")
        return (arguments, "{\(entries)}")
    }

    private func jsonString(_ text: String) -> String {
        "\"" + text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
    }
}
