import StagecraftSpec

/// One step of a CI job, independent of the provider: GitHub Actions and GitLab CI
/// emitters each render it their way.
public struct CIStep: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// A shell script (bash, `set -euo pipefail`).
        case run(String)
        /// Get the repository's files at the commit being built.
        case checkout
        /// The same, with the history a change is compared with (its base commit).
        case checkoutWithHistory
        /// Get the repository's files at the commit whose images the job deploys (its image tag),
        /// so a manual redeploy of an earlier commit deploys that commit's configuration too.
        case checkoutRelease
        /// Put the language toolchain on the runner, with its package cache.
        case setupToolchain(Toolchain)
        /// Restore and save a cache between runs.
        case cache(CICache)
        /// Fail a pull request that adds a dependency with a known vulnerability of high severity.
        case dependencyReview
        /// Static analysis of the code for security problems (CodeQL, GitLab SAST).
        case codeScanning(language: String)
        /// Look for committed credentials.
        case secretScanning
        /// Log in to a container registry the job pushes to.
        case registryLogin(host: String)
        /// Build each image of the job's image matrix and push it, tagged with the commit SHA,
        /// with its SBOM and provenance, and hand the digest the push reported to the deploy.
        case buildAndPushImage
        /// Put the `stagecraft` executable of `version` on the runner (for the drift check).
        case installStagecraft(version: String)
        /// Authenticate to AWS through the CI provider's OIDC token, assuming the role whose ARN is in `roleSecret`.
        case awsCredentials(roleSecret: String, region: String)
        /// Put kubectl on the runner.
        case installKubectl
        /// Put Terraform on the runner.
        case installTerraform(version: String)
        /// Keep files (relative to the checkout) for a later job of the same run, as `artifact`:
        /// a saved plan for the job that applies it once a reviewer has read it.
        case saveFiles(artifact: String, paths: [String])
        /// Put the files a job of the same run saved as `artifact` back into `directory`.
        case restoreFiles(artifact: String, directory: String)
    }

    public var name: String
    public var action: Action
    /// Variables the step sees, in order.
    public var environment: [Variable]
    /// Run even when an earlier step failed (rollback steps): GitHub's `if: failure()`.
    public var onFailureOnly: Bool
    /// Prepares the runner (credentials, tools, an initialised working folder) and changes
    /// nothing beyond it: a rollback that runs as a job of its own (GitLab) repeats it first.
    public var preparesRunner: Bool
    /// Files the deploy records in the runner's temporary folder (`$RUNNER_TEMP`, else
    /// `$TMPDIR`) that this rollback step reads, handed to a rollback job of its own.
    public var readsDeployRecords: [String]
    /// Records the release as deployed, the one a later rollback returns to: what must succeed
    /// first (the stack's own `DeployStep`s) comes before it.
    public var recordsRelease: Bool

    public init(_ name: String, _ action: Action, environment: [Variable] = [], onFailureOnly: Bool = false,
                preparesRunner: Bool = false, readsDeployRecords: [String] = [], recordsRelease: Bool = false) {
        self.name = name
        self.action = action
        self.environment = environment
        self.onFailureOnly = onFailureOnly
        switch action {
        case .awsCredentials, .installKubectl, .installTerraform: self.preparesRunner = true
        default: self.preparesRunner = preparesRunner
        }
        self.readsDeployRecords = readsDeployRecords
        self.recordsRelease = recordsRelease
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

/// What a CI cache holds.
public enum CICache: Sendable, Equatable {
    /// SwiftPM's build folder, keyed by the package manifest and resolution.
    case swiftBuild
    /// A built Stagecraft of one version.
    case stagecraft(version: String)
}

/// Where a CI variable's value comes from.
public enum CIValue: Sendable, Equatable {
    case text(String)
    /// A secret of the CI provider (a GitHub environment secret, a GitLab CI/CD variable), by name.
    case secret(String)
    /// A setting of the CI provider that is not secret (a GitHub environment variable, a GitLab
    /// CI/CD variable), by name; empty when the project does not set it.
    case setting(String)
    /// The image tag being deployed: the commit whose images and files the deploy releases.
    case imageTag
    /// The digest the push of a built image reported, by the build's workload: what the deploy runs.
    case imageDigest(workload: String)
    /// The commit a pull/merge request is compared with (its target branch's, where it forked).
    case pullRequestBase
}
