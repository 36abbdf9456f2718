import StagecraftPlanner
import StagecraftSpec

/// Services and workers: the hardened Deployment shape the base holds, and what each
/// environment's plan adds to it (image, ports, probes, resources, secrets, replicas, spread),
/// plus the Service, HorizontalPodAutoscaler and PodDisruptionBudget around it.
enum WorkloadManifests {
    static let servicePort = 80
    /// How long a stopping pod keeps serving while the endpoint removal reaches ingress-nginx.
    static let preStopSleepSeconds = 5
    /// How long a stopping worker has to finish the job in hand.
    static let workerGraceSeconds = 60

    static func component(_ kind: WorkloadSpec.Kind) -> String { kind == .service ? "service" : "worker" }

    static func labels(_ name: String, component: String) -> [(String, YAML)] {
        [(KubernetesNames.nameLabel, .string(name)), (KubernetesNames.componentLabel, .string(component)), (KubernetesNames.trackLabel, "stable")]
    }

    // MARK: - Base

    /// The part of a workload's Deployment that is the same in every environment.
    static func baseDeployment(name: String, kind: WorkloadSpec.Kind) -> KubernetesObject {
        let labels = labels(name, component: component(kind))
        let container = kubeMap(
            ("name", .string(name)),
            ("image", .string(KubernetesNames.logicalImage(name))),
            // Every pod's pull is authorized by the registry, never served from a node's cache to a pod
            // that could not fetch it; by digest, that is one manifest request.
            ("imagePullPolicy", "Always"),
            ("envFrom", .list([kubeMap(("configMapRef", kubeMap(("name", .string(KubernetesNames.configMap(name))))))])),
            ("securityContext", PodHardening.containerSecurityContext),
            ("volumeMounts", .list([PodHardening.tmpVolumeMount]))
        )
        return KubernetesObject(
            apiVersion: "apps/v1", kind: "Deployment", name: name, labels: labels,
            body: [("spec", kubeMap(
                ("revisionHistoryLimit", 5),
                ("selector", kubeMap(("matchLabels", KubernetesNames.selector(name, track: true)))),
                // Never below the current capacity during a rollout: new pods come up before old ones go.
                ("strategy", kubeMap(("type", "RollingUpdate"), ("rollingUpdate", kubeMap(("maxSurge", "25%"), ("maxUnavailable", 0))))),
                ("template", kubeMap(
                    ("metadata", kubeMap(("labels", .map(labels)))),
                    ("spec", .map(PodHardening.podDefaults + [
                        ("containers", .list([container])),
                        ("volumes", .list([PodHardening.tmpVolumeSource])),
                    ]))
                ))
            ))]
        )
    }

    static func service(name: String) -> KubernetesObject {
        KubernetesObject(
            apiVersion: "v1", kind: "Service", name: name,
            labels: [(KubernetesNames.nameLabel, .string(name)), (KubernetesNames.componentLabel, "service")],
            body: [("spec", kubeMap(
                ("type", "ClusterIP"),
                // Without the track label: a canary's pods take their share of the traffic.
                ("selector", KubernetesNames.selector(name, track: false)),
                ("ports", .list([kubeMap(("name", "http"), ("port", .int(servicePort)), ("targetPort", "http"), ("protocol", "TCP"))]))
            ))]
        )
    }

    // MARK: - Overlay

    /// The container port a workload's metrics are scraped on: its HTTP port when they share it.
    static func metricsPortName(_ workload: WorkloadPlan, _ metrics: MetricsEndpoint) -> String {
        metrics.port == workload.port ? "http" : "metrics"
    }

    /// What the environment's plan decides about a workload's Deployment, as a strategic-merge patch.
    static func deploymentPatch(_ workload: WorkloadPlan, plan: StackPlan, environment: EnvironmentPlan) -> KubernetesObject {
        let settings = ConnectionSettings(plan: plan, workload: workload, environment: environment)
        let probed = workload.port != nil && workload.healthCheck != nil || workload.healthCommand != nil
        var container = YAMLMap()
        container.set("name", .string(workload.name))
        container.set("args", workload.command.map { .list($0.map { .string($0) }) })
        var ports = workload.port.map { [kubeMap(("name", "http"), ("containerPort", .int($0)), ("protocol", "TCP"))] } ?? []
        if let metrics = workload.metrics, metrics.port != workload.port {
            ports.append(kubeMap(("name", "metrics"), ("containerPort", .int(metrics.port)), ("protocol", "TCP")))
        }
        container.set("ports", ports.isEmpty ? nil : .list(ports))
        let secrets = settings.secretEnvironment
        container.set("env", secrets.isEmpty ? nil : .list(secrets))
        container.set("resources", PodHardening.resources(cpuMillicores: workload.resources.cpuMillicores, memoryMiB: workload.resources.memoryMiB))
        if probed, let path = workload.healthCheck {
            let check = kubeMap(("path", .string(path)), ("port", "http"))
            // Startup allows 150 s to boot; after that liveness restarts a hung process and
            // readiness takes a struggling one out of the Service without restarting it.
            container.set("startupProbe", kubeMap(("httpGet", check), ("periodSeconds", 5), ("timeoutSeconds", 2), ("failureThreshold", 30)))
            container.set("readinessProbe", kubeMap(("httpGet", check), ("periodSeconds", 5), ("timeoutSeconds", 2), ("failureThreshold", 3)))
            container.set("livenessProbe", kubeMap(("httpGet", check), ("periodSeconds", 10), ("timeoutSeconds", 2), ("failureThreshold", 3)))
        } else if let command = workload.healthCommand {
            // A worker's own command: readiness holds a rollout until the new pods pass it,
            // liveness restarts a hung one.
            let check = kubeMap(("command", .list(["sh", "-c", .string(command)])))
            container.set("startupProbe", kubeMap(("exec", check), ("periodSeconds", 5), ("timeoutSeconds", 5), ("failureThreshold", 30)))
            container.set("readinessProbe", kubeMap(("exec", check), ("periodSeconds", 30), ("timeoutSeconds", 5), ("failureThreshold", 3)))
            container.set("livenessProbe", kubeMap(("exec", check), ("periodSeconds", 30), ("timeoutSeconds", 5), ("failureThreshold", 3)))
        }
        let isService = workload.kind == .service
        if isService {
            container.set("lifecycle", kubeMap(("preStop", kubeMap(("sleep", kubeMap(("seconds", .int(preStopSleepSeconds))))))))
        }
        let drain = environment.loadBalancer?.drainSeconds ?? 30
        var podSpec = YAMLMap()
        // A workload that uses a bucket reaches it with its ServiceAccount's IAM role.
        podSpec.set("serviceAccountName", workload.buckets.isEmpty ? nil : .string(workload.name))
        podSpec.set("terminationGracePeriodSeconds", .int(isService ? preStopSleepSeconds + drain : workerGraceSeconds))
        if environment.zones > 1 {
            podSpec.set("topologySpreadConstraints", PodHardening.topologySpread(selector: KubernetesNames.selector(workload.name, track: true)))
        }
        podSpec.set("containers", .list([container.yaml]))

        var spec = YAMLMap()
        // An autoscaled Deployment leaves `replicas` to its HorizontalPodAutoscaler, so a deploy never resets the scale.
        if !workload.scaling.autoscales { spec.set("replicas", .int(workload.scaling.min)) }
        spec.set("template", kubeMap(("spec", podSpec.yaml)))

        var annotations: [(String, YAML)] = []
        if !probed {
            annotations = [
                ("checkov.io/skip1", .string("CKV_K8S_8=\(workload.name) declares no health check to probe")),
                ("checkov.io/skip2", .string("CKV_K8S_9=\(workload.name) declares no health check to probe")),
            ]
        }
        return KubernetesObject(apiVersion: "apps/v1", kind: "Deployment", name: workload.name, annotations: annotations, body: [("spec", spec.yaml)])
    }

    static func autoscaler(_ workload: WorkloadPlan) -> KubernetesObject? {
        guard let cpu = workload.scaling.cpuTarget else { return nil }
        return KubernetesObject(
            apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", name: workload.name,
            labels: [(KubernetesNames.nameLabel, .string(workload.name))],
            body: [("spec", kubeMap(
                ("scaleTargetRef", kubeMap(("apiVersion", "apps/v1"), ("kind", "Deployment"), ("name", .string(workload.name)))),
                ("minReplicas", .int(workload.scaling.min)),
                ("maxReplicas", .int(workload.scaling.max)),
                ("metrics", .list([kubeMap(("type", "Resource"), ("resource", kubeMap(
                    ("name", "cpu"),
                    ("target", kubeMap(("type", "Utilization"), ("averageUtilization", .int(cpu))))
                )))])),
                // Scale up at once, down slowly: a dip in traffic should not cost the capacity a spike needs.
                ("behavior", kubeMap(
                    ("scaleUp", kubeMap(("stabilizationWindowSeconds", 0), ("policies", .list([
                        kubeMap(("type", "Percent"), ("value", 100), ("periodSeconds", 30)),
                    ])))),
                    ("scaleDown", kubeMap(("stabilizationWindowSeconds", 300), ("policies", .list([
                        kubeMap(("type", "Percent"), ("value", 20), ("periodSeconds", 60)),
                    ]))))
                ))
            ))]
        )
    }

    /// Voluntary disruptions (node drains, upgrades) take one pod at a time, and only when
    /// there are at least two.
    static func disruptionBudget(_ workload: WorkloadPlan) -> KubernetesObject? {
        guard workload.scaling.min >= 2 else { return nil }
        return KubernetesObject(
            apiVersion: "policy/v1", kind: "PodDisruptionBudget", name: workload.name,
            labels: [(KubernetesNames.nameLabel, .string(workload.name))],
            body: [("spec", kubeMap(
                ("maxUnavailable", 1),
                ("selector", kubeMap(("matchLabels", KubernetesNames.selector(workload.name, track: true))))
            ))]
        )
    }
}
