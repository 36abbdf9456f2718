import StagecraftPlanner

/// What an environment's overlay expects the cluster to run already: the overlay's header
/// and the generated README list it, so nothing the manifests reference is a surprise.
enum ClusterPrerequisites {
    static func components(_ environment: EnvironmentPlan) -> [String] {
        var components = [
            "ingress-nginx (namespace \(KubernetesNames.ingressControllerNamespace))",
            "cert-manager with a ClusterIssuer named \(KubernetesNames.clusterIssuer)",
        ]
        if !environment.databases.isEmpty {
            components.append("the CloudNativePG operator (namespace \(KubernetesNames.cnpgOperatorNamespace))")
        }
        if environment.monitoring.metrics {
            components.append("prometheus-operator with a Prometheus that selects PodMonitors, Probes and PrometheusRules in every namespace (e.g. kube-prometheus-stack in \(MonitoringManifests.namespace))")
            components.append("a blackbox exporter at \(MonitoringManifests.blackboxExporter)")
        }
        if environment.monitoring.alerting {
            components.append("an Alertmanager routing severity=page and severity=ticket to the stack's receivers")
        }
        if environment.monitoring.tracing {
            components.append("an OpenTelemetry collector receiving OTLP at \(ConnectionSettings.collector)")
        }
        return components
    }
}
