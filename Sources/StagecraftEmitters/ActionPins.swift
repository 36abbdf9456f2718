/// A GitHub Action pinned to a full commit SHA, with the release it is.
public struct ActionPin: Sendable, Equatable {
    public var repository: String
    public var sha: String
    public var version: String

    public init(_ repository: String, sha: String, version: String) {
        self.repository = repository
        self.sha = sha
        self.version = version
    }

    /// `owner/name@sha`, or `owner/name/path@sha` for an action inside a repository.
    public func uses(_ subpath: String? = nil) -> String {
        "\(repository)\(subpath.map { "/\($0)" } ?? "")@\(sha)"
    }
}

/// The actions generated workflows use, pinned from the project's action pins
/// (Tests/Data/action-pins.json: the actions' own release tags).
public enum ActionPins {
    public static let checkout = ActionPin("actions/checkout", sha: "3d3c42e5aac5ba805825da76410c181273ba90b1", version: "v7.0.1")
    public static let cache = ActionPin("actions/cache", sha: "27d5ce7f107fe9357f9df03efb73ab90386fccae", version: "v5.0.5")
    public static let setupNode = ActionPin("actions/setup-node", sha: "820762786026740c76f36085b0efc47a31fe5020", version: "v7.0.0")
    public static let setupPython = ActionPin("actions/setup-python", sha: "5fda3b95a4ea91299a34e894583c3862153e4b97", version: "v7.0.0")
    public static let setupGo = ActionPin("actions/setup-go", sha: "b7ad1dad31e06c5925ef5d2fc7ad053ef454303e", version: "v7.0.0")
    public static let setupJava = ActionPin("actions/setup-java", sha: "b6effb05e454b25005698d916606bdc6ffcbf961", version: "v5.7.0")
    public static let uploadArtifact = ActionPin("actions/upload-artifact", sha: "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", version: "v7.0.0")
    public static let downloadArtifact = ActionPin("actions/download-artifact", sha: "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", version: "v8.0.1")
    public static let dependencyReview = ActionPin("actions/dependency-review-action", sha: "2031cfc080254a8a887f58cffee85186f0e49e48", version: "v4.9.0")
    public static let setupBuildx = ActionPin("docker/setup-buildx-action", sha: "37fe631027851001ddb9b187196cc803df7f5f0e", version: "v4.3.0")
    public static let dockerLogin = ActionPin("docker/login-action", sha: "4907a6ddec9925e35a0a9e82d7399ccc52663121", version: "v4.1.0")
    public static let buildPush = ActionPin("docker/build-push-action", sha: "53b7df96c91f9c12dcc8a07bcb9ccacbed38856a", version: "v7.3.0")
    public static let awsCredentials = ActionPin("aws-actions/configure-aws-credentials", sha: "e6de054238d6b7531b4efff3b6587d9aade6a06c", version: "v6.2.3")
    public static let ecrLogin = ActionPin("aws-actions/amazon-ecr-login", sha: "03f1aad4c6c7ffd436567f42f9384779290529bd", version: "v2.1.7")
    public static let setupTerraform = ActionPin("hashicorp/setup-terraform", sha: "dfe3c3f87815947d99a8997f908cb6525fc44e9e", version: "v4.0.1")
    public static let setupKubectl = ActionPin("Azure/setup-kubectl", sha: "829323503d1be3d00ca8346e5391ca0b07a9ab0d", version: "v5.1.0")
    public static let setupSwift = ActionPin("swift-actions/setup-swift", sha: "7ca6abe6b3b0e8b5421b88be48feee39cbf52c6a", version: "v2.4.0")
    public static let codeql = ActionPin("github/codeql-action", sha: "8aad20d150bbac5944a9f9d289da16a4b0d87c1e", version: "v4.36.2")
    public static let trivy = ActionPin("aquasecurity/trivy-action", sha: "ed142fd0673e97e23eac54620cfb913e5ce36c25", version: "v0.36.0")

    public static let all: [ActionPin] = [
        checkout, cache, setupNode, setupPython, setupGo, setupJava, uploadArtifact, downloadArtifact, dependencyReview, setupBuildx, dockerLogin, buildPush, awsCredentials, ecrLogin, setupTerraform, setupKubectl, setupSwift, codeql, trivy,
    ]

    /// Appends `# vX.Y.Z` to every `uses:` line that ends in a pinned SHA, so a reader sees the release.
    public static func annotate(_ yaml: String) -> String {
        var lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for index in lines.indices where lines[index].contains("uses: ") {
            for pin in all where lines[index].hasSuffix("@\(pin.sha)") {
                lines[index] += " # \(pin.version)"
            }
        }
        return lines.joined(separator: "\n")
    }
}
