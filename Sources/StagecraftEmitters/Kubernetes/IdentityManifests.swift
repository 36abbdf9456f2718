import StagecraftPlanner

/// The ServiceAccounts whose pods act in AWS, each annotated with its IAM role (IAM roles for
/// service accounts): the secret store's reader, and every workload that uses a bucket. The
/// roles themselves, trusted for exactly these accounts, are in `environments/<env>/cloud/`.
enum IdentityManifests {
    /// A role's purpose in its name, `<stack>-<environment>-<purpose>`.
    static let secretsPurpose = "secrets"
    static let backupsPurpose = "backups"
    static func workloadPurpose(_ workload: String) -> String { "workload-\(workload)" }

    static func serviceAccounts(_ plan: StackPlan, _ environment: EnvironmentPlan) -> [KubernetesObject] {
        // The environment's own secret store reads Secrets Manager as this account; a store the
        // cluster runs already has its own credentials.
        var accounts = environment.secretStore != nil ? [] : [account(KubernetesNames.secretStoreServiceAccount, role: KubernetesNames.roleARN(plan, environment, secretsPurpose))]
        for workload in environment.workloads where !workload.buckets.isEmpty {
            accounts.append(account(workload.name, role: KubernetesNames.roleARN(plan, environment, workloadPurpose(workload.name))))
        }
        return accounts
    }

    private static func account(_ name: String, role: String) -> KubernetesObject {
        KubernetesObject(
            apiVersion: "v1", kind: "ServiceAccount", name: name,
            labels: [(KubernetesNames.nameLabel, .string(name))],
            annotations: [(KubernetesNames.roleAnnotation, .string(role))],
            // The API token is never mounted; EKS mounts the role's web identity token.
            body: [("automountServiceAccountToken", false)]
        )
    }
}
