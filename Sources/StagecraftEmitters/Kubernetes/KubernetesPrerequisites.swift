import StagecraftPlanner

/// What a Kubernetes environment needs before its first deploy, in the order to do it, and
/// what that deploy then does, as the generated README lists them: the cluster's components
/// (with the versions the manifests are validated against), the cloud side, the cluster-wide
/// objects, the secret values, DNS and the ingress controller's settings. Each line names the
/// exact command, object, secret or record.
struct KubernetesPrerequisites {
    let plan: StackPlan
    let environment: EnvironmentPlan

    var lines: [String] {
        let name = environment.name
        var lines = ClusterPrerequisites.components(environment)
        let roles = KubernetesCloudRoot.identities(plan, environment).map { "`\(KubernetesNames.role(plan, environment, $0.purpose))`" }
        lines.append("the buckets and the pods' IAM roles (\(roles.joined(separator: ", "))): `terraform -chdir=environments/\(name)/cloud init -backend-config=\"bucket=…\"`, then `apply`"
            + " (with `-var cluster_name=…` when the cluster is not named `\(KubernetesNames.namespace(plan, environment))`)")
        var cluster: [String] = []
        if let store = environment.secretStore {
            lines.append("the cluster's External Secrets store `ClusterSecretStore/\(store)`, allowing the `\(KubernetesNames.namespace(plan, environment))` namespace")
        } else {
            cluster.append("`ClusterSecretStore/\(KubernetesNames.secretStore(plan, environment))`")
        }
        if CertificateManifests.needed(environment) { cluster.append("`ClusterIssuer/\(KubernetesNames.clusterIssuer(plan))`") }
        if !cluster.isEmpty {
            lines.append("the cluster-wide objects, \(cluster.joined(separator: " and ")): `kubectl apply --server-side -k \(ClusterManifests.folder(environment))`, as a cluster administrator")
        }
        var remote: [String] = []
        for name in KubernetesSecrets(plan: plan, environment: environment).external.flatMap(\.keys).map(\.remote) where !remote.contains(name) {
            remote.append(name)
        }
        if !remote.isEmpty {
            let names = remote.map { "`\($0)`" }.joined(separator: ", ")
            lines.append(environment.secretStore == nil
                ? "each secret's value in Secrets Manager (\(environment.region)), \(names) (`aws secretsmanager create-secret --name NAME --secret-string …`): the deploy waits until every ExternalSecret has synced"
                : "each secret's value in that store, under the keys \(names): the deploy waits until every ExternalSecret has synced")
        }
        if let loadBalancer = environment.loadBalancer, loadBalancer.tls {
            if let cdn = environment.cdn {
                lines.append("DNS: `\(loadBalancer.domain)` as an alias (or CNAME) of the CDN's `cdn_domain` output, and `\(cdn.originDomain)` pointing at ingress-nginx's load balancer, where cert-manager's HTTP-01 challenge for it is answered")
                lines.append("ingress-nginx trusting the address the CDN forwards, so rate limits count clients rather than the CDN's edges: in its ConfigMap (Helm: `controller.config`), `use-forwarded-headers: \"true\"` and `proxy-real-ip-cidr` set to CloudFront's origin-facing ranges and the VPC's CIDR"
                    + " (`aws ec2 get-managed-prefix-list-entries --prefix-list-id \"$(aws ec2 describe-managed-prefix-lists --filters Name=prefix-list-name,Values=com.amazonaws.global.cloudfront.origin-facing --query 'PrefixLists[0].PrefixListId' --output text)\" --query 'Entries[].Cidr' --output text`)")
            } else {
                lines.append("DNS: `\(loadBalancer.domain)` pointing at ingress-nginx's load balancer, where cert-manager's HTTP-01 challenge is answered")
                lines.append("ingress-nginx seeing each client's own address, so rate limits count clients: `controller.service.externalTrafficPolicy: Local` (Helm), or the load balancer's PROXY protocol with `use-proxy-protocol: \"true\"`")
            }
        }
        if plan.pipeline.deploys.contains(where: { $0.environment == name }) {
            lines.append("the `KUBE_CONFIG` secret: a kubeconfig for a deploy identity allowed to manage the `\(KubernetesNames.namespace(plan, environment))` namespace")
        }
        return lines
    }

    /// The order the deploy applies the environment in, on its first run as on every other.
    var deployOrder: String {
        var order = ["the Namespace", "the ServiceAccounts", "the ExternalSecrets (awaited until synced)"]
        if !environment.databases.isEmpty { order.append("the database clusters (awaited until ready)") }
        order.append("the ConfigMaps, Services, network policies, certificate and monitors")
        if environment.databases.contains(where: { $0.migrations != nil }) { order.append("the migrations") }
        order.append("the workloads, awaited")
        let canary = environment.isProduction && plan.pipeline.deploys.contains { $0.environment == environment.name && $0.rollout == .canary }
        return "The deploy applies, in order: " + order.joined(separator: "; ") + "."
            + (canary ? " A canary comes before the workloads, except on a first deploy, which has no stable release to compare it with." : "")
            + " A failed or cancelled deploy returns each Deployment to its revision before."
    }
}
