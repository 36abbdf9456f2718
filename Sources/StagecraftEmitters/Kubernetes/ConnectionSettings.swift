import StagecraftPlanner

/// What a workload is told about the environment: its non-secret settings (the user's config
/// plus where its databases, caches and trace collector are) and where each of its secrets comes from.
struct ConnectionSettings {
    let plan: StackPlan
    let workload: WorkloadPlan
    let environment: EnvironmentPlan

    /// The ConfigMap's entries: connection settings first, then the user's config, which wins
    /// when it sets the same key (a stack may point a workload elsewhere on purpose).
    var config: [(key: String, value: String)] {
        var entries: [(key: String, value: String)] = []
        for database in environment.databases where workload.databases.contains(database.name) {
            let prefix = database.envPrefix
            entries += [
                (key: "\(prefix)_HOST", value: database.pooling ? KubernetesNames.pooler(database.name) : "\(database.name)-rw"),
                // `-ro` has no endpoints without replicas; the primary then serves reads too.
                (key: "\(prefix)_READ_HOST", value: database.readReplicas > 0 ? "\(database.name)-ro" : "\(database.name)-rw"),
                (key: "\(prefix)_PORT", value: "5432"),
                (key: "\(prefix)_NAME", value: PostgresManifests.databaseName(database)),
                (key: "\(prefix)_USER", value: PostgresManifests.databaseName(database)),
            ]
        }
        for cache in environment.caches where workload.caches.contains(cache.name) {
            entries += [
                (key: "\(cache.envPrefix)_HOST", value: cache.name),
                (key: "\(cache.envPrefix)_READ_HOST", value: cache.replica ? KubernetesNames.cacheReplica(cache.name) : cache.name),
                (key: "\(cache.envPrefix)_PORT", value: String(RedisManifests.port)),
            ]
        }
        if !workload.buckets.isEmpty {
            for bucket in workload.buckets {
                entries.append((key: "\(bucket.uppercased().replacing("-", with: "_"))_BUCKET", value: KubernetesNames.bucket(plan, environment, bucket)))
            }
            // The SDKs find the role's web identity themselves; the region they must be told.
            entries.append((key: "AWS_REGION", value: environment.region))
        }
        entries += TracingSettings.environment(service: workload.name, in: environment, collector: Self.collector)
        let declared = Set(workload.config.map(\.key))
        return entries.filter { !declared.contains($0.key) } + workload.config.map { ($0.key, $0.value) }
    }

    /// The OpenTelemetry collector the cluster runs (the generated README lists it among the
    /// components the overlays assume).
    static let collector = "http://opentelemetry-collector.monitoring.svc:4317"

    /// One `env` entry per secret, each a `secretKeyRef`: the value never appears here.
    var secretEnvironment: [YAML] {
        workload.secrets.map { secret in
            let (name, key) = source(of: secret)
            return kubeMap(
                ("name", .string(secret.name)),
                ("valueFrom", kubeMap(("secretKeyRef", kubeMap(("name", .string(name)), ("key", .string(key))))))
            )
        }
    }

    private func source(of secret: SecretRef) -> (secret: String, key: String) {
        switch secret.purpose {
        case .databasePassword:
            if let database = environment.databases.first(where: { $0.passwordSecret == secret.name }) {
                return (KubernetesNames.databaseAppSecret(database.name), "password")
            }
        case .cachePassword:
            if let cache = environment.caches.first(where: { $0.passwordSecret == secret.name }) {
                return (KubernetesNames.cacheSecret(cache.name), "password")
            }
        case .declared, .errorTracking:
            break
        }
        return (KubernetesNames.workloadSecret(workload.name), secret.name)
    }
}
