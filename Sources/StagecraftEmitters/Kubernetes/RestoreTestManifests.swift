import Foundation
import StagecraftPlanner

/// The restore test of a database with backups, on the plan's schedule: a CronJob whose script
/// (`templates/kubernetes/restore-test.py`) writes a marker on the primary, asks CloudNativePG
/// for a throwaway cluster recovered from the object store, times it against the declared
/// recovery time, checks the marker and deletes the cluster. Its ServiceAccount may create,
/// read and delete that one cluster and nothing else; the throwaway cluster reads the backups
/// with the backups' role and writes none of its own.
enum RestoreTestManifests {
    static let scriptName = "restore-test.py"

    static func runner(_ database: DatabasePlan) -> String { "\(database.name)-restore-test-runner" }

    static func objects(_ plan: StackPlan, _ environment: EnvironmentPlan, _ database: DatabasePlan, script: String) throws -> [KubernetesObject] {
        guard let backups = database.backups, let schedule = backups.restoreTestSchedule else { return [] }
        let name = runner(database)
        let target = KubernetesNames.restoreTest(database.name)
        let labels: [(String, YAML)] = [(KubernetesNames.nameLabel, .string(name))]
        let recoveryTime = backups.rto?.seconds ?? BackupFiles.undeclaredRecoveryTime
        let secret = KubernetesNames.databaseAppSecret(database.name)
        func value(_ name: String, _ value: String) -> YAML { kubeMap(("name", .string(name)), ("value", .string(value))) }
        func fromSecret(_ variable: String, _ key: String) -> YAML {
            kubeMap(("name", .string(variable)), ("valueFrom", kubeMap(("secretKeyRef", kubeMap(("name", .string(secret)), ("key", .string(key)))))))
        }
        let container = kubeMap(
            ("name", "restore-test"),
            ("image", .string(PostgresManifests.image(database))),
            ("imagePullPolicy", "Always"),
            ("command", .list(["python3", .string("/script/\(scriptName)")])),
            ("env", .list([
                kubeMap(("name", "NAMESPACE"), ("valueFrom", kubeMap(("fieldRef", kubeMap(("fieldPath", "metadata.namespace")))))),
                value("SOURCE", database.name),
                value("TARGET", target),
                value("CLUSTER", try clusterJSON(plan, environment, database)),
                value("PRIMARY_CONNINFO", "host=\(database.name)-rw"),
                value("RESTORED_CONNINFO", "host=\(target)-rw"),
                value("PGDATABASE", PostgresManifests.databaseName(database)),
                fromSecret("PGUSER", "username"),
                fromSecret("PGPASSWORD", "password"),
                value("WAL_ARCHIVING", backups.walArchiving ? "yes" : "no"),
                // Long enough for the archive timeout to close the segment, twice, and to upload it.
                value("ARCHIVE_WAIT_SECONDS", String(2 * (backups.archiveTimeoutSeconds ?? 300) + 120)),
                value("RECOVERY_TIME_SECONDS", String(recoveryTime)),
                value("HOME", "/tmp"),
            ])),
            ("resources", kubeMap(
                ("requests", kubeMap(("cpu", "50m"), ("memory", "64Mi"))),
                ("limits", kubeMap(("cpu", "500m"), ("memory", "256Mi")))
            )),
            ("securityContext", PodHardening.containerSecurityContext),
            ("volumeMounts", .list([kubeMap(("name", "script"), ("mountPath", "/script"), ("readOnly", true)), PodHardening.tmpVolumeMount]))
        )
        // This pod calls the API, so it mounts its token, unlike every other.
        let pod = YAML.map([
            ("serviceAccountName", .string(name)),
            ("automountServiceAccountToken", true),
            ("securityContext", PodHardening.podSecurityContext),
            ("restartPolicy", "Never"),
            ("containers", .list([container])),
            ("volumes", .list([kubeMap(("name", "script"), ("configMap", kubeMap(("name", .string(name))))), PodHardening.tmpVolumeSource])),
        ])
        let clusters: [(String, YAML)] = [("apiGroups", .list(["postgresql.cnpg.io"])), ("resources", .list(["clusters"]))]
        return [
            KubernetesObject(apiVersion: "v1", kind: "ServiceAccount", name: name, labels: labels, body: [("automountServiceAccountToken", false)]),
            KubernetesObject(apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", name: name, labels: labels, body: [("rules", .list([
                // `create` cannot be limited to a name; reading and deleting are.
                .map(clusters + [("verbs", .list(["create"]))]),
                .map(clusters + [("resourceNames", .list([.string(target)])), ("verbs", .list(["get", "delete"]))]),
            ]))]),
            KubernetesObject(apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", name: name, labels: labels, body: [
                ("roleRef", kubeMap(("apiGroup", "rbac.authorization.k8s.io"), ("kind", "Role"), ("name", .string(name)))),
                ("subjects", .list([kubeMap(("kind", "ServiceAccount"), ("name", .string(name)))])),
            ]),
            KubernetesObject(apiVersion: "v1", kind: "ConfigMap", name: name, labels: labels, body: [("data", .map([(scriptName, .string(script))]))]),
            // One throwaway cluster at a time (a second run would delete the first's); a failed
            // restore test is a finding to read, not a run to repeat.
            KubernetesCronJob.object(
                name, labels: labels,
                annotations: [("checkov.io/skip1", .string("CKV_K8S_38=the restore test creates and deletes its throwaway cluster through the API, with a Role limited to that"))],
                schedule: schedule, backoffLimit: 0,
                activeDeadlineSeconds: 3 * recoveryTime + 2 * (backups.archiveTimeoutSeconds ?? 300) + 900, pod: pod
            ),
            NetworkPolicies.restoreTest(database, runner: name),
        ]
    }

    /// The throwaway cluster: one instance of the database's size, bootstrapped by recovery
    /// from the database's object store, with its application secret (so the runner signs in
    /// as it does on the primary) and no backups of its own.
    private static func clusterJSON(_ plan: StackPlan, _ environment: EnvironmentPlan, _ database: DatabasePlan) throws -> String {
        let name = KubernetesNames.restoreTest(database.name)
        let owner = YAML.string(PostgresManifests.databaseName(database))
        let cluster = KubernetesObject(
            apiVersion: PostgresManifests.apiVersion, kind: "Cluster", name: name,
            labels: [(KubernetesNames.nameLabel, .string(name))],
            body: [("spec", kubeMap(
                ("instances", 1),
                ("imageName", .string(PostgresManifests.image(database))),
                ("enableSuperuserAccess", false),
                ("storage", kubeMap(("size", Quantity.storage(database.storageGiB)))),
                ("serviceAccountTemplate", PostgresManifests.serviceAccountTemplate(role: KubernetesNames.roleARN(plan, environment, IdentityManifests.backupsPurpose))),
                ("bootstrap", kubeMap(("recovery", kubeMap(
                    ("source", .string(database.name)),
                    ("database", owner),
                    ("owner", owner),
                    ("secret", kubeMap(("name", .string(KubernetesNames.databaseAppSecret(database.name)))))
                )))),
                ("externalClusters", .list([kubeMap(
                    ("name", .string(database.name)),
                    ("barmanObjectStore", .map(PostgresManifests.objectStore(bucket: KubernetesNames.backupBucket(plan, environment)) + [
                        ("serverName", .string(database.name)),
                        ("wal", kubeMap(("maxParallel", 4))),
                    ]))
                )]))
            ))]
        )
        let data = try JSONSerialization.data(withJSONObject: cluster.yaml.jsonObject, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}
