import StagecraftPlanner

/// The names and labels every Kubernetes file agrees on, and the cluster add-ons the
/// generated resources expect to find (ingress-nginx, cert-manager, CloudNativePG).
enum KubernetesNames {
    /// Where ingress-nginx runs (its Helm chart's default namespace): the only namespace
    /// whose pods may reach the services.
    static let ingressControllerNamespace = "ingress-nginx"
    static let ingressClass = "nginx"
    /// The cert-manager ClusterIssuer that signs the domains' certificates.
    static let clusterIssuer = "letsencrypt"
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
    /// The Secret holding the object-store keys the database backups are written with.
    static func backupCredentialsSecret(_ database: String) -> String { "\(database)-backup-credentials" }
    static func configMap(_ workload: String) -> String { "\(workload)-config" }
    static func pooler(_ database: String) -> String { "\(database)-pooler-rw" }
    static func cacheReplica(_ cache: String) -> String { "\(cache)-replica" }
    static func canary(_ workload: String) -> String { "\(workload)-canary" }

    /// The S3 bucket (by name) the environment's database backups go to; the Terraform of the
    /// environment's account creates it, with cross-region replication when the plan copies backups.
    static func backupBucket(_ plan: StackPlan, _ environment: EnvironmentPlan) -> String {
        "\(plan.stack)-\(environment.name)-db-backups"
    }

    /// A workload's image as the base names it; each overlay maps it to the real repository and tag.
    static func logicalImage(_ workload: String) -> String { "stagecraft/\(workload)" }

    static func selector(_ name: String, track: Bool) -> YAML {
        var labels: [(String, YAML)] = [(nameLabel, .string(name))]
        if track { labels.append((trackLabel, "stable")) }
        return .map(labels)
    }
}
