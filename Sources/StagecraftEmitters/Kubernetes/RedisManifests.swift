import StagecraftPlanner

/// A Redis per cache: a StatefulSet with a volume claim when the plan keeps its data (a queue
/// must survive a restart), otherwise a Deployment; and, when the plan asks for a replica, a
/// second one following the first. The replica is a warm copy for reads and for a manual
/// failover (`REPLICAOF NO ONE`); automatic failover would need Sentinel, which is not set up.
enum RedisManifests {
    static let port = 6379
    static let storageGiB = 10
    static let passwordVariable = "REDIS_PASSWORD"

    static func image(_ cache: CachePlan) -> String { "docker.io/library/redis:\(cache.version)-alpine" }

    /// The primary, the same in every environment.
    static func primary(_ cache: CachePlan) -> KubernetesObject { workload(cache, name: cache.name, following: nil) }

    static func replica(_ cache: CachePlan, exporter: Bool) -> KubernetesObject {
        workload(cache, name: KubernetesNames.cacheReplica(cache.name), following: cache.name, exporter: exporter)
    }

    static func service(name: String) -> KubernetesObject {
        KubernetesObject(
            apiVersion: "v1", kind: "Service", name: name,
            labels: [(KubernetesNames.nameLabel, .string(name)), (KubernetesNames.componentLabel, "cache")],
            body: [("spec", kubeMap(
                ("type", "ClusterIP"),
                ("selector", KubernetesNames.selector(name, track: false)),
                ("ports", .list([kubeMap(("name", "redis"), ("port", .int(port)), ("targetPort", "redis"), ("protocol", "TCP"))]))
            ))]
        )
    }

    private static func arguments(_ cache: CachePlan, following primary: String?) -> YAML {
        // `$(REDIS_PASSWORD)` is expanded by the kubelet from the container's environment. Three
        // quarters of the memory limit leaves room for replication buffers and fork overhead.
        var arguments = ["redis-server", "--requirepass", "$(\(passwordVariable))", "--dir", "/data", "--maxmemory", "\(cache.memoryMiB * 3 / 4)mb"]
        // A queue must never lose entries to eviction; a plain cache evicts the least recently used keys.
        arguments += ["--maxmemory-policy", cache.persistence ? "noeviction" : "allkeys-lru"]
        arguments += cache.persistence ? ["--appendonly", "yes", "--appendfsync", "everysec"] : ["--appendonly", "no", "--save", ""]
        if let primary {
            arguments += ["--replicaof", primary, String(port), "--masterauth", "$(\(passwordVariable))", "--replica-read-only", "yes"]
        }
        return .list(arguments.map { .string($0) })
    }

    private static func resources(_ cache: CachePlan) -> YAML {
        kubeMap(
            ("requests", kubeMap(("cpu", "100m"), ("memory", Quantity.memory(cache.memoryMiB)))),
            ("limits", kubeMap(("cpu", "1000m"), ("memory", Quantity.memory(cache.memoryMiB))))
        )
    }

    private static func kind(_ cache: CachePlan) -> String { cache.persistence ? "StatefulSet" : "Deployment" }

    /// The environment's size for the primary the base declares, as a merge patch; with
    /// metrics, the Redis exporter beside it (containers merge by name).
    static func sizePatch(_ cache: CachePlan, exporter: Bool) -> KubernetesObject {
        var containers = [kubeMap(
            ("name", "redis"),
            ("args", arguments(cache, following: nil)),
            ("resources", resources(cache))
        )]
        if exporter { containers.append(exporterContainer(cache)) }
        return KubernetesObject(apiVersion: "apps/v1", kind: kind(cache), name: cache.name, body: [("spec", kubeMap(
            ("template", kubeMap(("spec", kubeMap(("containers", .list(containers))))))
        ))])
    }

    /// redis_exporter on the pod's loopback, with the cache's password from its Secret.
    static func exporterContainer(_ cache: CachePlan) -> YAML {
        kubeMap(
            ("name", "metrics"),
            ("image", .string(MonitoringManifests.redisExporterImage)),
            ("imagePullPolicy", "Always"),
            ("env", .list([
                kubeMap(("name", "REDIS_ADDR"), ("value", .string("redis://localhost:\(port)"))),
                kubeMap(("name", "REDIS_PASSWORD"), ("valueFrom", kubeMap(("secretKeyRef", kubeMap(("name", .string(KubernetesNames.cacheSecret(cache.name))), ("key", "password")))))),
            ])),
            ("ports", .list([kubeMap(("name", "metrics"), ("containerPort", .int(MonitoringManifests.redisExporterPort)), ("protocol", "TCP"))])),
            ("readinessProbe", kubeMap(("tcpSocket", kubeMap(("port", "metrics"))), ("periodSeconds", 10), ("timeoutSeconds", 2))),
            ("livenessProbe", kubeMap(("tcpSocket", kubeMap(("port", "metrics"))), ("initialDelaySeconds", 10), ("periodSeconds", 20), ("timeoutSeconds", 2))),
            ("resources", kubeMap(
                ("requests", kubeMap(("cpu", "10m"), ("memory", "32Mi"))),
                ("limits", kubeMap(("cpu", "100m"), ("memory", "64Mi")))
            )),
            ("securityContext", PodHardening.containerSecurityContext)
        )
    }

    private static func workload(_ cache: CachePlan, name: String, following primary: String?, exporter: Bool = false) -> KubernetesObject {
        let labels: [(String, YAML)] = [(KubernetesNames.nameLabel, .string(name)), (KubernetesNames.componentLabel, "cache")]
        let password = kubeMap(("secretKeyRef", kubeMap(("name", .string(KubernetesNames.cacheSecret(cache.name))), ("key", "password"))))
        let container = kubeMap(
            ("name", "redis"),
            ("image", .string(image(cache))),
            ("imagePullPolicy", "Always"),
            ("args", arguments(cache, following: primary)),
            ("ports", .list([kubeMap(("name", "redis"), ("containerPort", .int(port)), ("protocol", "TCP"))])),
            ("env", .list([
                kubeMap(("name", .string(passwordVariable)), ("valueFrom", password)),
                // redis-cli reads its password from here, so the probe needs no shell quoting of it.
                kubeMap(("name", "REDISCLI_AUTH"), ("valueFrom", password)),
            ])),
            ("resources", resources(cache)),
            ("readinessProbe", kubeMap(
                ("exec", kubeMap(("command", .list(["sh", "-c", "redis-cli ping | grep -q PONG"])))),
                ("periodSeconds", 5), ("timeoutSeconds", 2), ("failureThreshold", 3)
            )),
            ("livenessProbe", kubeMap(
                ("tcpSocket", kubeMap(("port", "redis"))),
                ("initialDelaySeconds", 10), ("periodSeconds", 10), ("timeoutSeconds", 2), ("failureThreshold", 3)
            )),
            ("securityContext", PodHardening.containerSecurityContext),
            ("volumeMounts", .list([kubeMap(("name", "data"), ("mountPath", "/data")), PodHardening.tmpVolumeMount]))
        )
        var volumes = [PodHardening.tmpVolumeSource]
        if !cache.persistence { volumes.insert(kubeMap(("name", "data"), ("emptyDir", kubeMap(("sizeLimit", Quantity.memory(cache.memoryMiB))))), at: 0) }
        var podSpec = PodHardening.podDefaults + [("terminationGracePeriodSeconds", YAML.int(30))]
        if let primary {
            // The replica keeps away from its primary's zone where it can, so one zone's outage
            // leaves one of them.
            podSpec.append(("affinity", kubeMap(("podAntiAffinity", kubeMap(("preferredDuringSchedulingIgnoredDuringExecution", .list([kubeMap(
                ("weight", 100),
                ("podAffinityTerm", kubeMap(
                    ("topologyKey", "topology.kubernetes.io/zone"),
                    ("labelSelector", kubeMap(("matchLabels", KubernetesNames.selector(primary, track: false))))
                ))
            )])))))))
        }
        podSpec += [
            ("containers", .list([container] + (exporter ? [exporterContainer(cache)] : []))),
            ("volumes", .list(volumes)),
        ]
        let template = kubeMap(("metadata", kubeMap(("labels", .map(labels)))), ("spec", .map(podSpec)))
        let selector = kubeMap(("matchLabels", KubernetesNames.selector(name, track: false)))
        guard cache.persistence else {
            return KubernetesObject(apiVersion: "apps/v1", kind: kind(cache), name: name, labels: labels, body: [("spec", kubeMap(
                ("replicas", 1),
                ("selector", selector),
                // Two instances of one cache would be two different caches: stop the old one first.
                ("strategy", kubeMap(("type", "Recreate"))),
                ("template", template)
            ))])
        }
        return KubernetesObject(apiVersion: "apps/v1", kind: kind(cache), name: name, labels: labels, body: [("spec", kubeMap(
            ("serviceName", .string(name)),
            ("replicas", 1),
            ("selector", selector),
            ("template", template),
            ("volumeClaimTemplates", .list([kubeMap(
                ("metadata", kubeMap(("name", "data"))),
                ("spec", kubeMap(
                    ("accessModes", .list(["ReadWriteOnce"])),
                    ("resources", kubeMap(("requests", kubeMap(("storage", Quantity.storage(storageGiB))))))
                ))
            )]))
        ))])
    }
}
