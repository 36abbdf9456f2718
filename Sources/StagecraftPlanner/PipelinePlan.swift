import StagecraftSpec

/// The CI/CD job graph, decided once and rendered by each CI provider's emitter.
public struct PipelinePlan: Codable, Sendable, Equatable {
    public var providers: [CIProvider]
    public var toolchain: Toolchain
    public var buildCommand: String?
    public var testCommand: String?
    public var lintCommand: String?
    public var dependencyReview: Bool
    public var driftCheck: Bool
    public var codeScanning: Bool
    public var secretScanning: Bool
    /// The stack file and the folder its output is committed to, for the drift check.
    public var stackFile: String
    public var outputDirectory: String
    public var defaultBranch: String
    public var images: [ImageBuild]
    /// The folders of SQL migration files whose additions pull requests lint.
    public var migrationLints: [MigrationLint]
    public var deploys: [DeployTarget]
    public var toolVersion: String
}

/// A folder of SQL migrations, linted for the PostgreSQL version that runs them.
public struct MigrationLint: Codable, Sendable, Equatable {
    public var folder: String
    public var postgresVersion: Int
}

/// An image CI builds and pushes, once per repository: deploys run it by the digest the push
/// reported, never by a tag that could be moved.
public struct ImageBuild: Codable, Sendable, Equatable {
    /// The first workload that runs the image: the build's name in CI.
    public var workload: String
    public var repository: String
    public var context: String
    public var dockerfile: String

    /// The variable a deploy reads the pushed image's digest from (`WEB_IMAGE_DIGEST`).
    public var digestVariable: String { Self.digestVariable(workload) }

    public static func digestVariable(_ workload: String) -> String {
        workload.uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined() + "_IMAGE_DIGEST"
    }

    /// What a digest reported by a push looks like, as a bash regular expression.
    public static let digestPattern = "^sha256:[0-9a-f]{64}$"
}

public struct DeployTarget: Codable, Sendable, Equatable {
    public var environment: String
    public var platform: PlatformKind
    /// Pushes to this branch start the deploy.
    public var branch: String
    /// A reviewer must approve the deploy (a GitHub environment protection rule, a manual GitLab job).
    public var requiresApproval: Bool
    /// The environment that must deploy the same commit first.
    public var after: String?
    public var url: String
    public var rollout: Rollout
}
