import StagecraftOutput
import StagecraftPlanner
import StagecraftSpec

/// Kubernetes through Kustomize: `kubernetes/base/` with the stack's shared shape and
/// `kubernetes/overlays/<environment>/` for each environment that runs on Kubernetes.
public struct KubernetesPlatformEmitter: PlatformEmitter {
    public init() {}

    public var platform: PlatformKind { .kubernetes }

    public func emit(_ plan: StackPlan, context: EmitContext) throws -> [GeneratedFile] {
        let environments = plan.environments.filter { $0.platform == .kubernetes }
        guard let reference = environments.first else { return [] }
        // The base and each overlay are independent: render them side by side.
        let parts: [EnvironmentPlan?] = [nil] + environments
        let rendered = try parts.concurrentMap { environment in
            try environment.map { try overlay(plan, $0, templates: context.templates) } ?? base(plan, reference)
        }
        return rendered.flatMap { $0 } + [try CheckovAllowList.file()]
    }

    public func deploySteps(for target: DeployTarget, environment: EnvironmentPlan, plan: StackPlan) -> [CIStep] {
        KubernetesDeploySteps(plan: plan, environment: environment, target: target).steps
    }

    // MARK: - Base

    /// Every environment has the same workloads, caches and databases (overrides change how
    /// they run, not whether they exist), so any environment's plan names them.
    private func base(_ plan: StackPlan, _ reference: EnvironmentPlan) throws -> [GeneratedFile] {
        let objects = baseObjects(reference)
        let folder = "kubernetes/base"
        return try objects.map { try $0.file(in: folder) }
            + [try Kustomizations.base(resources: objects.map(\.fileName))]
    }

    private func baseObjects(_ reference: EnvironmentPlan) -> [KubernetesObject] {
        var objects = [NetworkPolicies.defaultDeny()]
        for workload in reference.workloads {
            objects.append(WorkloadManifests.baseDeployment(name: workload.name, kind: workload.kind))
            if workload.kind == .service {
                objects.append(WorkloadManifests.service(name: workload.name))
                objects.append(NetworkPolicies.fromIngressController(service: workload.name))
            }
        }
        for cache in reference.caches {
            objects.append(RedisManifests.primary(cache))
            objects.append(RedisManifests.service(name: cache.name))
        }
        for database in reference.databases {
            objects.append(PostgresManifests.baseCluster(database))
        }
        return objects
    }

    // MARK: - Overlay

    private func overlay(_ plan: StackPlan, _ environment: EnvironmentPlan, templates: TemplateLibrary) throws -> [GeneratedFile] {
        let namespace = KubernetesNames.namespace(plan, environment)
        var resources = [namespaceObject(namespace)]
        resources += IdentityManifests.serviceAccounts(plan, environment)
        resources += SecretManifests.externalSecrets(plan, environment)
        var patches: [KubernetesObject] = []

        for workload in environment.workloads {
            patches.append(WorkloadManifests.deploymentPatch(workload, plan: plan, environment: environment))
            resources += [WorkloadManifests.autoscaler(workload), WorkloadManifests.disruptionBudget(workload)].compactMap { $0 }
        }
        for cache in environment.caches {
            patches.append(RedisManifests.sizePatch(cache, exporter: environment.monitoring.metrics))
            if cache.replica {
                resources += [RedisManifests.replica(cache, exporter: environment.monitoring.metrics), RedisManifests.service(name: KubernetesNames.cacheReplica(cache.name))]
            }
            resources += NetworkPolicies.cache(cache, dependants: environment.workloads.filter { $0.caches.contains(cache.name) }.map(\.name))
        }
        for database in environment.databases {
            patches.append(PostgresManifests.clusterPatch(
                database, bucket: KubernetesNames.backupBucket(plan, environment),
                backupRole: KubernetesNames.roleARN(plan, environment, IdentityManifests.backupsPurpose), zones: environment.zones
            ))
            resources += PostgresManifests.scheduledBackups(database)
            let restoreTest = try RestoreTestManifests.objects(plan, environment, database, script: try templates.render("kubernetes/\(RestoreTestManifests.scriptName)", [:]))
            resources += restoreTest
            resources += [PostgresManifests.pooler(database)].compactMap { $0 }
            let maintenance = PartitionMaintenanceManifests.objects(database, sql: try PartitionMaintenance.sql(database, templates: templates))
            resources += maintenance
            let migration = try MigrationManifests.objects(database, plan: plan, environment: environment, templates: templates)
            resources += migration
            resources += NetworkPolicies.database(database, dependants: environment.workloads.filter { $0.databases.contains(database.name) }.map(\.name),
                                                  direct: (maintenance.isEmpty ? [] : [PartitionMaintenanceManifests.name(database)])
                                                      + (migration.isEmpty ? [] : [MigrationManifests.name(database)])
                                                      + (restoreTest.isEmpty ? [] : [RestoreTestManifests.runner(database)]))
        }
        resources += IngressManifests.ingresses(plan, environment)
        resources += CertificateManifests.objects(plan, environment)
        resources += MonitoringManifests.objects(plan, environment)

        let folder = Kustomizations.folder(environment)
        let clusterFiles = try ClusterManifests.files(plan, environment)
        var files = try resources.map { try $0.file(in: folder) }
        files += try patches.map { try $0.file(in: "\(folder)/patches") }
        let custom = try CustomPatches(environment: environment, objects: baseObjects(environment) + resources).render(in: folder)
        files += custom.files
        files.append(try Kustomizations.overlay(Kustomizations.Overlay(
            stack: plan.stack,
            environment: environment,
            namespace: namespace,
            resources: resources.map(\.fileName),
            patches: patches.map { kubeMap(("path", .string("patches/\($0.fileName)"))) } + custom.entries,
            images: environment.workloads.map(Kustomizations.image),
            configMaps: environment.workloads.map { workload in
                kubeMap(
                    ("name", .string(KubernetesNames.configMap(workload.name))),
                    ("literals", .list(ConnectionSettings(plan: plan, workload: workload, environment: environment).config.map(Kustomizations.literal)))
                )
            },
            clusterFolder: !clusterFiles.isEmpty
        )))
        files += clusterFiles
        files += try KubernetesCloudRoot.files(plan, environment)
        return files
    }

    /// The namespace enforces the `restricted` Pod Security Standard: everything here is written to meet it.
    private func namespaceObject(_ name: String) -> KubernetesObject {
        KubernetesObject(apiVersion: "v1", kind: "Namespace", name: name, labels: [
            ("pod-security.kubernetes.io/enforce", "restricted"),
            ("pod-security.kubernetes.io/enforce-version", "latest"),
        ], body: [])
    }
}
