/// One job of an environment's deploy. Most platforms deploy in one; AWS production deploys in
/// three, so that what a reviewer approves is the saved Terraform plan that is then applied:
/// the release and its plan, the reviewed plan applied, and a reviewed rollback if that fails.
public struct DeployPhase: Sendable, Equatable {
    /// Appended to the environment's name for the job's id; empty for the first phase.
    public var suffix: String
    /// The job's name after the environment's ("Deploy production" + name), empty for the first phase.
    public var name: String
    public var steps: [CIStep]
    /// Runs only when the phase before it failed or was cancelled (a rollback).
    public var afterFailure: Bool

    public init(suffix: String = "", name: String = "", steps: [CIStep], afterFailure: Bool = false) {
        self.suffix = suffix
        self.name = name
        self.steps = steps
        self.afterFailure = afterFailure
    }
}
