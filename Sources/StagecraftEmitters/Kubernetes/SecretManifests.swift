import StagecraftPlanner

/// One `ExternalSecret` per Secret the pods read from the secret store: the External Secrets
/// Operator copies each key from AWS Secrets Manager, through the environment's
/// ClusterSecretStore, into a Secret of exactly the name and keys the pods reference.
enum SecretManifests {
    static let apiVersion = "external-secrets.io/v1"
    /// How often a changed value in Secrets Manager reaches the Secret (pods read it when they start).
    static let refreshInterval = "1h"

    static func externalSecrets(_ plan: StackPlan, _ environment: EnvironmentPlan) -> [KubernetesObject] {
        KubernetesSecrets(plan: plan, environment: environment).external.map { secret in
            KubernetesObject(
                apiVersion: apiVersion, kind: "ExternalSecret", name: secret.name,
                body: [("spec", kubeMap(
                    ("refreshInterval", .string(refreshInterval)),
                    ("secretStoreRef", kubeMap(("kind", "ClusterSecretStore"), ("name", .string(KubernetesNames.secretStore(plan, environment))))),
                    // The Secret belongs to its ExternalSecret, and outlives it: removing the
                    // ExternalSecret never takes a running pod's secret away.
                    ("target", kubeMap(("name", .string(secret.name)), ("creationPolicy", "Owner"), ("deletionPolicy", "Retain"))),
                    ("data", .list(secret.keys.map { key in
                        kubeMap(("secretKey", .string(key.key)), ("remoteRef", kubeMap(("key", .string(key.remote)))))
                    }))
                ))]
            )
        }
    }
}
