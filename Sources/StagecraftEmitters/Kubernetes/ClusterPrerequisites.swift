import StagecraftPlanner

/// What an environment's overlay expects the cluster to run already, with the versions whose
/// APIs the manifests are written (and validated) against: the overlay's header and the
/// generated README list it, so nothing the manifests reference is a surprise.
enum ClusterPrerequisites {
    static func components(_ environment: EnvironmentPlan) -> [String] {
        var components = [
            "an EKS cluster in account \(environment.account ?? "") (\(environment.region)) with its OIDC provider registered in IAM (IAM roles for service accounts)",
            "ingress-nginx (namespace \(KubernetesNames.ingressControllerNamespace))",
            "the External Secrets Operator v2.9 or later (external-secrets.io/v1, namespace \(KubernetesNames.externalSecretsNamespace))",
        ]
        if CertificateManifests.needed(environment) {
            components.append("cert-manager v1.21 or later (namespace \(KubernetesNames.certManagerNamespace))")
        }
        if !environment.databases.isEmpty {
            components.append("the CloudNativePG operator v1.30 or later (namespace \(KubernetesNames.cnpgOperatorNamespace))")
        }
        if environment.monitoring.metrics {
            components.append("prometheus-operator v0.93 or later with a Prometheus that selects PodMonitors, Probes and PrometheusRules in every namespace, and kube-state-metrics (e.g. kube-prometheus-stack in \(MonitoringManifests.namespace))")
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
