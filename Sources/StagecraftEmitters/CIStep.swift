/// One step of a CI job, independent of the provider: GitHub Actions and GitLab CI
/// emitters each render it their way.
public struct CIStep: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// A shell script (bash, `set -euo pipefail`).
        case run(String)
        /// Authenticate to AWS through the CI provider's OIDC token, assuming the role whose ARN is in `roleSecret`.
        case awsCredentials(roleSecret: String, region: String)
        /// Put kubectl on the runner.
        case installKubectl
        /// Put Terraform on the runner.
        case installTerraform(version: String)
    }

    public var name: String
    public var action: Action
    /// Variables the step sees, in order.
    public var environment: [Variable]
    /// Run even when an earlier step failed (rollback steps): GitHub's `if: failure()`.
    public var onFailureOnly: Bool

    public init(_ name: String, _ action: Action, environment: [Variable] = [], onFailureOnly: Bool = false) {
        self.name = name
        self.action = action
        self.environment = environment
        self.onFailureOnly = onFailureOnly
    }

    public struct Variable: Sendable, Equatable {
        public var name: String
        public var value: CIValue

        public init(_ name: String, _ value: CIValue) {
            self.name = name
            self.value = value
        }
    }
}

/// Where a CI variable's value comes from.
public enum CIValue: Sendable, Equatable {
    case text(String)
    /// A secret of the CI provider (a GitHub environment secret, a GitLab CI/CD variable), by name.
    case secret(String)
    /// The image tag being deployed.
    case imageTag
}
