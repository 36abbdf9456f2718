import StagecraftPlanner

/// Every Secret an environment's pods read, where each of its keys comes from, and what
/// delivers it: the External Secrets Operator copies the ones the team sets in AWS Secrets
/// Manager; CloudNativePG makes each database's application password itself. The manifests
/// and `secrets.yaml` are both written from this one list, so they cannot disagree.
struct KubernetesSecrets {
    struct Key {
        /// The key in the Kubernetes Secret.
        var key: String
        /// The secret's name in Secrets Manager (`<stack>/<environment>/<NAME>`).
        var remote: String
    }

    struct Secret {
        var name: String
        var keys: [Key]
    }

    let plan: StackPlan
    let environment: EnvironmentPlan

    /// The Secrets the External Secrets Operator keeps in step with Secrets Manager: one per
    /// workload that declares secrets, one per cache with its password.
    var external: [Secret] {
        var secrets: [Secret] = []
        for workload in environment.workloads {
            let keys = workload.secrets.filter { $0.purpose == .declared || $0.purpose == .errorTracking }.map { secret in
                Key(key: secret.name, remote: KubernetesNames.remoteSecret(plan, environment, secret.name))
            }
            if !keys.isEmpty { secrets.append(Secret(name: KubernetesNames.workloadSecret(workload.name), keys: keys)) }
        }
        for cache in environment.caches {
            secrets.append(Secret(name: KubernetesNames.cacheSecret(cache.name), keys: [
                Key(key: "password", remote: KubernetesNames.remoteSecret(plan, environment, cache.passwordSecret)),
            ]))
        }
        return secrets
    }

    /// The Secrets CloudNativePG makes when it creates a cluster (`<database>-app`, key `password`).
    var madeByOperator: [String] { environment.databases.map { KubernetesNames.databaseAppSecret($0.name) } }
}
