import StagecraftOutput
import StagecraftPlanner

/// The names and labels every Kubernetes file agrees on, and the cluster add-ons the
/// generated resources expect to find (ingress-nginx, cert-manager, CloudNativePG).
enum KubernetesNames {
    /// Where ingress-nginx runs (its Helm chart's default namespace): the only namespace
    /// whose pods may reach the services.
    static let ingressControllerNamespace = "ingress-nginx"
    static let ingressClass = "nginx"
    /// The namespace cert-manager runs in; its HTTP-01 solver pods run in each environment's.
    static let certManagerNamespace = "cert-manager"
    /// The namespace the External Secrets Operator runs in.
    static let externalSecretsNamespace = "external-secrets"
    /// Where the CloudNativePG operator runs: it talks to every instance's status port.
    static let cnpgOperatorNamespace = "cnpg-system"

    static let nameLabel = "app.kubernetes.io/name"
    static let componentLabel = "app.kubernetes.io/component"
    static let partOfLabel = "app.kubernetes.io/part-of"
    static let managedByLabel = "app.kubernetes.io/managed-by"
    /// `stable` on the regular Deployments, `canary` on the one-replica canaries of a canary
    /// rollout; part of each Deployment's selector so the two never adopt each other's pods.
    static let trackLabel = "stagecraft.io/track"

    static func namespace(_ plan: StackPlan, _ environment: EnvironmentPlan) -> String {
        "\(plan.stack)-\(environment.name)"
    }

    /// The Secret holding a workload's declared secrets, one key per secret name.
    static func workloadSecret(_ workload: String) -> String { "\(workload)-secrets" }
    /// The Secret holding a cache's password under the key `password`.
    static func cacheSecret(_ cache: String) -> String { "\(cache)-secrets" }
    /// The Secret CloudNativePG generates for a cluster's application user (key `password`).
    static func databaseAppSecret(_ database: String) -> String { "\(database)-app" }
    /// The stack's cert-manager ClusterIssuer (Let's Encrypt, HTTP-01 through ingress-nginx).
    static func clusterIssuer(_ plan: StackPlan) -> String { "\(plan.stack)-letsencrypt" }
    /// The ClusterSecretStore of one environment: the cluster's own when the stack names one,
    /// else the environment's (AWS Secrets Manager, usable from its namespace only).
    static func secretStore(_ plan: StackPlan, _ environment: EnvironmentPlan) -> String {
        environment.secretStore ?? namespace(plan, environment)
    }
    /// The ServiceAccount the environment's secret store reads Secrets Manager as.
    static let secretStoreServiceAccount = "secret-reader"
    /// Where a secret the environment reads by name lives in Secrets Manager.
    static func remoteSecret(_ plan: StackPlan, _ environment: EnvironmentPlan, _ name: String) -> String {
        "\(plan.stack)/\(environment.name)/\(name)"
    }
    /// The annotation that gives a ServiceAccount's pods an IAM role (IRSA).
    static let roleAnnotation = "eks.amazonaws.com/role-arn"
    /// The IAM role of one identity in one environment, `<stack>-<environment>-<purpose>`.
    static func role(_ plan: StackPlan, _ environment: EnvironmentPlan, _ purpose: String) -> String {
        withinLimit("\(plan.stack)-\(environment.name)-\(purpose)", 64)
    }
    static func roleARN(_ plan: StackPlan, _ environment: EnvironmentPlan, _ purpose: String) -> String {
        "arn:aws:iam::\(environment.account ?? ""):role/\(role(plan, environment, purpose))"
    }
    /// The throwaway cluster a restore test recovers into.
    static func restoreTest(_ database: String) -> String { "\(database)-restore-test" }
    static func configMap(_ workload: String) -> String { "\(workload)-config" }
    static func pooler(_ database: String) -> String { "\(database)-pooler-rw" }
    static func cacheReplica(_ cache: String) -> String { "\(cache)-replica" }
    static func canary(_ workload: String) -> String { "\(workload)-canary" }

    /// The S3 bucket (by name) the environment's database backups go to, and its copy in the
    /// plan's copy region. The cluster's operator creates both (the README lists them).
    /// S3 names are global: the account ID keeps them unique.
    static func backupBucket(_ plan: StackPlan, _ environment: EnvironmentPlan) -> String {
        bucket(plan, environment, "backups")
    }
    static func backupCopyBucket(_ plan: StackPlan, _ environment: EnvironmentPlan) -> String {
        bucket(plan, environment, "backup-copy")
    }
    /// A bucket of one environment, `<stack>-<environment>-<name>-<account>`.
    static func bucket(_ plan: StackPlan, _ environment: EnvironmentPlan, _ name: String) -> String {
        withinLimit("\(plan.stack)-\(environment.name)-\(name)-\(environment.account ?? "")", 63)
    }

    /// `name` if it has at most `limit` characters (S3 allows 63 in a bucket's name, IAM 64 in a
    /// role's); else its start and a hash of the whole, so it stays unique and the same on every
    /// run, as the AWS module shortens its names.
    static func withinLimit(_ name: String, _ limit: Int) -> String {
        guard name.count > limit else { return name }
        var start = String(name.prefix(limit - 9))
        while start.hasSuffix("-") { start.removeLast() }
        return start + "-" + SHA256.hex(Array(name.utf8)).prefix(8)
    }

    /// A workload's image as the base names it; each overlay maps it to the real repository and tag.
    static func logicalImage(_ workload: String) -> String { "stagecraft/\(workload)" }

    static func selector(_ name: String, track: Bool) -> YAML {
        var labels: [(String, YAML)] = [(nameLabel, .string(name))]
        if track { labels.append((trackLabel, "stable")) }
        return .map(labels)
    }
}
