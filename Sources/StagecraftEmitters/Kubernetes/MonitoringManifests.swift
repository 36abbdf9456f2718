import StagecraftPlanner

/// prometheus-operator resources for an environment that collects metrics: the alert catalogue
/// as a PrometheusRule, PodMonitors for CloudNativePG's instances and poolers, the Redis
/// exporter sidecars and the workloads that serve their own metrics, a Probe (through the
/// blackbox exporter) of the apps' health checks, the uptime URL and the certificate, and the
/// NetworkPolicies that let Prometheus and the blackbox exporter in. Prometheus, the blackbox exporter and Alertmanager are the
/// cluster's (kube-prometheus-stack in `monitoring`); README lists what they must select.
enum MonitoringManifests {
    static let apiVersion = "monitoring.coreos.com/v1"
    /// Where Prometheus and the blackbox exporter run.
    static let namespace = "monitoring"
    static let blackboxExporter = "blackbox-exporter.monitoring.svc:9115"
    /// The blackbox exporter's standard HTTP module (its default configuration has it).
    static let httpModule = "http_2xx"
    static let redisExporterImage = "oliver006/redis_exporter:v1.74.0"
    static let redisExporterPort = 9121
    static let cnpgMetricsPort = 9187
    static let poolerMetricsPort = 9127

    static func objects(_ plan: StackPlan, _ environment: EnvironmentPlan) -> [KubernetesObject] {
        guard environment.monitoring.metrics else { return [] }
        let namespace = KubernetesNames.namespace(plan, environment)
        let catalogue = AlertCatalogue(environment: environment, source: KubernetesMetricSource(namespace: namespace))
        var objects = [KubernetesObject(apiVersion: apiVersion, kind: "PrometheusRule", name: "\(plan.stack)-alerts", labels: labels(plan),
                                        body: [("spec", .map([("groups", .list(catalogue.groups.map(\.yaml)))]))])]
        for database in environment.databases {
            objects.append(podMonitor(plan, name: database.name, selecting: [("cnpg.io/cluster", database.name)], cluster: database.name))
            if database.pooling {
                let pooler = KubernetesNames.pooler(database.name)
                objects.append(podMonitor(plan, name: pooler, selecting: [("cnpg.io/poolerName", pooler)], cluster: database.name))
            }
        }
        for cache in environment.caches {
            for name in [cache.name] + (cache.replica ? [KubernetesNames.cacheReplica(cache.name)] : []) {
                objects.append(podMonitor(plan, name: name, selecting: [(KubernetesNames.nameLabel, name)], cluster: cache.name))
            }
        }
        for workload in environment.workloads {
            guard let metrics = workload.metrics else { continue }
            objects.append(KubernetesObject(apiVersion: apiVersion, kind: "PodMonitor", name: "\(workload.name)-metrics", labels: labels(plan), body: [("spec", kubeMap(
                ("selector", kubeMap(("matchLabels", KubernetesNames.selector(workload.name, track: false)))),
                ("podMetricsEndpoints", .list([kubeMap(
                    ("port", .string(WorkloadManifests.metricsPortName(workload, metrics))),
                    ("path", .string(metrics.path)),
                    ("relabelings", .list([kubeMap(("targetLabel", "service"), ("replacement", .string(workload.name)), ("action", "replace"))]))
                )]))
            ))]))
        }
        objects += probes(plan, environment, namespace: namespace)
        objects.append(scrapePolicy(environment))
        return objects
    }

    private static func labels(_ plan: StackPlan) -> [(String, YAML)] {
        [(KubernetesNames.partOfLabel, .string(plan.stack))]
    }

    /// Scrapes the pods' `metrics` port, labelling every series with the cluster (database or
    /// cache) it belongs to, which the alert rules select on.
    private static func podMonitor(_ plan: StackPlan, name: String, selecting selector: [(String, String)], cluster: String) -> KubernetesObject {
        KubernetesObject(apiVersion: apiVersion, kind: "PodMonitor", name: name, labels: labels(plan), body: [("spec", kubeMap(
            ("selector", kubeMap(("matchLabels", .map(selector.map { ($0.0, .string($0.1)) })))),
            ("podMetricsEndpoints", .list([kubeMap(
                ("port", "metrics"),
                ("relabelings", .list([kubeMap(("targetLabel", "cluster"), ("replacement", .string(cluster)), ("action", "replace"))]))
            )]))
        ))])
    }

    /// The apps' health checks inside the cluster, the public uptime URL, and the domain's
    /// certificate, as `check` says: one Probe each, since a Probe labels all its targets alike.
    private static func probes(_ plan: StackPlan, _ environment: EnvironmentPlan, namespace: String) -> [KubernetesObject] {
        var probes: [KubernetesObject] = environment.services.compactMap { service in
            guard service.port != nil, let path = service.healthCheck else { return nil }
            // Through the Service's port; the policy below opens the pods' own port it leads to.
            return probe(plan, name: "\(service.name)-health", url: "http://\(service.name).\(namespace).svc:\(WorkloadManifests.servicePort)\(path)",
                         labels: [("check", "health"), ("service", service.name)])
        }
        if let url = environment.monitoring.uptimeURL {
            probes.append(probe(plan, name: "\(plan.stack)-uptime", url: url, labels: [("check", "uptime")]))
        }
        if let loadBalancer = environment.loadBalancer, loadBalancer.tls, !environment.services.isEmpty {
            probes.append(probe(plan, name: "\(plan.stack)-certificate", url: "https://\(loadBalancer.domain)/", labels: [("check", "tls")]))
        }
        return probes
    }

    private static func probe(_ plan: StackPlan, name: String, url: String, labels targetLabels: [(String, String)]) -> KubernetesObject {
        KubernetesObject(apiVersion: apiVersion, kind: "Probe", name: name, labels: labels(plan), body: [("spec", kubeMap(
            ("prober", kubeMap(("url", .string(blackboxExporter)))),
            ("module", .string(httpModule)),
            ("interval", "30s"),
            ("targets", kubeMap(("staticConfig", kubeMap(
                ("static", .list([.string(url)])),
                ("labels", .map(targetLabels.map { ($0.0, .string($0.1)) }))
            ))))
        ))])
    }

    /// Prometheus (and the blackbox exporter, for the health checks) may reach the metrics and
    /// HTTP ports; everything else stays denied.
    private static func scrapePolicy(_ environment: EnvironmentPlan) -> KubernetesObject {
        let monitoring = kubeMap(("namespaceSelector", kubeMap(("matchLabels", .map([("kubernetes.io/metadata.name", .string(namespace))])))))
        var ports: [YAML] = [.int(cnpgMetricsPort), .int(poolerMetricsPort), .int(redisExporterPort)]
        ports += Set(environment.services.compactMap(\.port) + environment.workloads.compactMap(\.metrics?.port)).sorted().map { .int($0) }
        return KubernetesObject(apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", name: "from-monitoring", body: [("spec", kubeMap(
            ("podSelector", .map([])),
            ("policyTypes", .list(["Ingress"])),
            ("ingress", .list([kubeMap(("from", .list([monitoring])), ("ports", .list(ports.map { kubeMap(("protocol", "TCP"), ("port", $0)) })))]))
        ))])
    }
}
