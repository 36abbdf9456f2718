import Foundation
import StagecraftSpec
import XCTest
import Yams

/// Every overlay read as the cluster will: each reference an object makes (a Secret, a
/// ConfigMap, a ServiceAccount, a claim, a Service, an issuer, a secret store, a cluster) is
/// to an object the environment creates — in its overlay or in its cluster folder — or that an
/// operator makes from one of them, or that the generated README lists as a prerequisite; every
/// Service and policy selects pods that exist, on ports they have; and the deploy applies the
/// Namespace and what the workloads wait on before the workloads.
final class KubernetesIntegrityTests: XCTestCase {
    func testEveryOverlayOfEveryStackIsReferentiallyWhole() throws {
        for rendered in try Self.stacks() {
            defer { try? FileManager.default.removeItem(at: rendered.root) }
            let readme = try String(contentsOf: rendered.root.appendingPathComponent("README.md"), encoding: .utf8)
            for environment in rendered.kubernetesEnvironments {
                let integrity = try OverlayIntegrity(rendered, environment: environment.name, readme: readme)
                XCTAssertEqual(integrity.problems, [], "\(rendered.name)/\(environment.name)")
                XCTAssertEqual(integrity.applyOrderProblems(try Self.deploySteps(rendered, environment.name)), [], "\(rendered.name)/\(environment.name)")
            }
        }
    }

    /// The defects the overlays once had, put back one at a time: the check names each.
    func testTheCheckNamesEachReintroducedDefect() throws {
        let rendered = try KubernetesRendering.marketplace()
        defer { try? FileManager.default.removeItem(at: rendered.root) }
        let readme = try String(contentsOf: rendered.root.appendingPathComponent("README.md"), encoding: .utf8)
        let whole = try OverlayIntegrity(rendered, environment: "production", readme: readme)

        // 1. No ExternalSecret delivers the web's Secret.
        var undelivered = whole
        undelivered.objects.removeAll { $0.kind == "ExternalSecret" && $0.name == "web-secrets" }
        XCTAssertTrue(undelivered.problems.contains("Deployment/web references Secret/web-secrets, which nothing creates"), "\(undelivered.problems)")

        // 2. The Ingress asks for an issuer the cluster does not have.
        var unissued = whole
        unissued.clusterObjects.removeAll { $0.kind == "ClusterIssuer" }
        unissued.readme = unissued.readme.replacingOccurrences(of: "`ClusterIssuer/marketplace-letsencrypt`", with: "")
        XCTAssertTrue(unissued.problems.contains("Certificate/marketplace-tls references ClusterIssuer/marketplace-letsencrypt, which nothing creates"), "\(unissued.problems)")

        // 3. A Service that selects no pod.
        var unselected = whole
        unselected.objects = unselected.objects.map { object in
            guard object.kind == "Service", object.name == "api" else { return object }
            var changed = object
            changed["spec"] = ["selector": ["app.kubernetes.io/name": "apí"], "ports": object.value(at: "spec.ports") ?? []]
            return changed
        }
        XCTAssertTrue(unselected.problems.contains("Service/api selects no pod of the overlay"), "\(unselected.problems)")

        // 4. A network policy that opens a port no selected container has.
        var misported = whole
        misported.objects = misported.objects.map { object in
            guard object.kind == "NetworkPolicy", object.name == "web-from-ingress" else { return object }
            var changed = object
            var spec = object["spec"] as? [String: Any] ?? [:]
            spec["ingress"] = [["ports": [["protocol": "TCP", "port": "metrics"]]]]
            changed["spec"] = spec
            return changed
        }
        XCTAssertTrue(misported.problems.contains("NetworkPolicy/web-from-ingress opens port metrics, which no pod it selects has"), "\(misported.problems)")

        // 5. The first deploy's canary applying only canaries and config (before the namespace and database exist).
        let steps = try Self.deploySteps(rendered, "production")
        let canaryFirst = steps.filter { $0.name != "Apply what the workloads wait on" && !$0.name.hasPrefix("Migrate") }
        let problems = whole.applyOrderProblems(canaryFirst)
        XCTAssertTrue(problems.contains { $0.hasPrefix("Canary applies") && $0.hasSuffix("before Namespace/marketplace-production") }, "\(problems)")
        XCTAssertTrue(problems.contains("Canary applies Deployment/web-canary before Cluster/db was applied and awaited"), "\(problems)")
    }

    /// A stack that names the cluster's own secret store: the ExternalSecrets read it, nothing
    /// makes a store or a role to read Secrets Manager, and the README lists it as a prerequisite.
    func testTheClustersOwnSecretStoreIsAPrerequisiteNotAnObject() throws {
        var spec = try Fixtures.example("marketplace")
        spec.secretStore = Located("vault", at: spec.location)
        let rendered = try KubernetesRendering.render("marketplace-vault", spec)
        defer { try? FileManager.default.removeItem(at: rendered.root) }
        let readme = try String(contentsOf: rendered.root.appendingPathComponent("README.md"), encoding: .utf8)
        XCTAssertTrue(readme.contains("the cluster's External Secrets store `ClusterSecretStore/vault`, allowing the `marketplace-production` namespace"), readme)
        for environment in rendered.kubernetesEnvironments {
            let integrity = try OverlayIntegrity(rendered, environment: environment.name, readme: readme)
            XCTAssertEqual(integrity.problems, [], environment.name)
            let stores = integrity.objects.filter { $0.kind == "ExternalSecret" }.compactMap { $0.value(at: "spec.secretStoreRef.name") as? String }
            XCTAssertEqual(Set(stores), ["vault"], environment.name)
            XCTAssertFalse(integrity.clusterObjects.contains { $0.kind == "ClusterSecretStore" }, environment.name)
            XCTAssertFalse(integrity.objects.contains { $0.kind == "ServiceAccount" && $0.name == "secret-reader" }, environment.name)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: rendered.root.appendingPathComponent("kubernetes/cluster/development").path),
                       "development has no certificate and no store to make")
        let cloud = try String(contentsOf: rendered.root.appendingPathComponent("environments/production/cloud/main.tf"), encoding: .utf8)
        XCTAssertFalse(cloud.contains("secretsmanager"), "no role reads Secrets Manager")
    }

    // MARK: - Stacks and steps

    /// The examples that run on Kubernetes at scale (the blog is refused at scale as it is written).
    static func stacks() throws -> [KubernetesRendering.Rendered] { try KubernetesRendering.both() }

    struct Step { var name: String; var script: String }

    static func deploySteps(_ rendered: KubernetesRendering.Rendered, _ environment: String) throws -> [Step] {
        let workflows = rendered.root.appendingPathComponent(".github/workflows")
        for file in try FileManager.default.contentsOfDirectory(atPath: workflows.path) where file.hasSuffix("-deploy.yml") {
            let document = try Yams.load(yaml: String(contentsOf: workflows.appendingPathComponent(file), encoding: .utf8)) as? [String: Any]
            if let steps = document?.value(at: "jobs.\(environment).steps") as? [[String: Any]] {
                return steps.map { Step(name: $0["name"] as? String ?? "", script: $0["run"] as? String ?? "") }
            }
        }
        return []  // an environment CI does not deploy (development)
    }
}

/// The references of one environment's objects, and what is missing.
struct OverlayIntegrity {
    var objects: [[String: Any]]
    var clusterObjects: [[String: Any]]
    /// The generated README, whose prerequisites may name what the cluster provides.
    var readme: String

    init(_ rendered: KubernetesRendering.Rendered, environment: String, readme: String) throws {
        objects = try rendered.objects(environment)
        let cluster = "kubernetes/cluster/\(environment)"
        if FileManager.default.fileExists(atPath: rendered.root.appendingPathComponent(cluster).path) {
            let result = try Tools.run(try Tools.require("kubectl"), ["kustomize", cluster], in: rendered.root)
            guard result.status == 0 else { throw KubernetesRendering.BuildFailed(output: result.output) }
            clusterObjects = try Yams.load_all(yaml: result.output).compactMap { $0 as? [String: Any] }
        } else {
            clusterObjects = []
        }
        self.readme = readme
    }

    var problems: [String] {
        var problems: [String] = []
        func require(_ from: [String: Any], _ kind: String, _ name: String) {
            guard !exists(kind, name) else { return }
            problems.append("\(from.kind)/\(from.name) references \(kind)/\(name), which nothing creates")
        }
        for object in objects {
            for pod in podSpecs(object) {
                if let account = pod["serviceAccountName"] as? String { require(object, "ServiceAccount", account) }
                for container in containers(pod) {
                    for variable in container["env"] as? [[String: Any]] ?? [] {
                        if let name = (variable.value(at: "valueFrom.secretKeyRef") as? [String: Any])?["name"] as? String { require(object, "Secret", name) }
                        if let name = (variable.value(at: "valueFrom.configMapKeyRef") as? [String: Any])?["name"] as? String { require(object, "ConfigMap", name) }
                    }
                    for source in container["envFrom"] as? [[String: Any]] ?? [] {
                        if let name = source.value(at: "secretRef.name") as? String { require(object, "Secret", name) }
                        if let name = source.value(at: "configMapRef.name") as? String { require(object, "ConfigMap", name) }
                    }
                }
                for volume in pod["volumes"] as? [[String: Any]] ?? [] {
                    if let name = volume.value(at: "secret.secretName") as? String { require(object, "Secret", name) }
                    if let name = volume.value(at: "configMap.name") as? String { require(object, "ConfigMap", name) }
                    if let name = volume.value(at: "persistentVolumeClaim.claimName") as? String { require(object, "PersistentVolumeClaim", name) }
                }
            }
            switch object.kind {
            case "Ingress":
                for tls in object.value(at: "spec.tls") as? [[String: Any]] ?? [] {
                    if let secret = tls["secretName"] as? String { require(object, "Secret", secret) }
                }
                for rule in object.value(at: "spec.rules") as? [[String: Any]] ?? [] {
                    for path in rule.value(at: "http.paths") as? [[String: Any]] ?? [] {
                        if let service = path.value(at: "backend.service.name") as? String { require(object, "Service", service) }
                    }
                }
            case "Certificate":
                if let issuer = object.value(at: "spec.issuerRef") as? [String: Any] {
                    require(object, issuer["kind"] as? String ?? "Issuer", issuer["name"] as? String ?? "")
                }
            case "ExternalSecret":
                if let store = object.value(at: "spec.secretStoreRef") as? [String: Any] {
                    require(object, store["kind"] as? String ?? "SecretStore", store["name"] as? String ?? "")
                }
            case "ScheduledBackup", "Pooler":
                if let cluster = object.value(at: "spec.cluster.name") as? String { require(object, "Cluster", cluster) }
            case "HorizontalPodAutoscaler":
                if let target = object.value(at: "spec.scaleTargetRef") as? [String: Any] {
                    require(object, target["kind"] as? String ?? "", target["name"] as? String ?? "")
                }
            case "RoleBinding":
                if let role = object.value(at: "roleRef.name") as? String { require(object, object.value(at: "roleRef.kind") as? String ?? "Role", role) }
                for subject in object["subjects"] as? [[String: Any]] ?? [] where subject["kind"] as? String == "ServiceAccount" {
                    require(object, "ServiceAccount", subject["name"] as? String ?? "")
                }
            case "Service":
                let selector = object.value(at: "spec.selector") as? [String: Any] ?? [:]
                if !selector.isEmpty && !podTemplates.contains(where: { matches(selector, $0.labels) }) {
                    problems.append("Service/\(object.name) selects no pod of the overlay")
                }
            case "PodDisruptionBudget":
                let selector = object.value(at: "spec.selector.matchLabels") as? [String: Any] ?? [:]
                if !podTemplates.contains(where: { matches(selector, $0.labels) }) {
                    problems.append("PodDisruptionBudget/\(object.name) selects no pod of the overlay")
                }
            case "NetworkPolicy":
                problems += portProblems(object)
            default:
                break
            }
        }
        for store in clusterObjects where store.kind == "ClusterSecretStore" {
            if let account = store.value(at: "spec.provider.aws.auth.jwt.serviceAccountRef.name") as? String { require(store, "ServiceAccount", account) }
        }
        return problems
    }

    // MARK: - What exists

    private func exists(_ kind: String, _ name: String) -> Bool {
        let all = objects + clusterObjects
        if all.contains(where: { $0.kind == kind && $0.name == name }) { return true }
        // A Secret an operator makes from an object here: the External Secrets Operator, cert-manager, CloudNativePG.
        if kind == "Secret", objects.contains(where: { $0.kind == "ExternalSecret" && $0.value(at: "spec.target.name") as? String == name })
            || objects.contains(where: { $0.kind == "Certificate" && $0.value(at: "spec.secretName") as? String == name })
            || objects.contains(where: { $0.kind == "Cluster" && "\($0.name)-app" == name }) {
            return true
        }
        return prerequisite(kind, name)
    }

    /// The README names a prerequisite object as `Kind/name`.
    private func prerequisite(_ kind: String, _ name: String) -> Bool { readme.contains("`\(kind)/\(name)`") }

    private var podTemplates: [(labels: [String: Any], containers: [[String: Any]])] {
        objects.flatMap { object -> [(labels: [String: Any], containers: [[String: Any]])] in
            let labels = (object.value(at: "spec.template.metadata.labels") ?? object.value(at: "spec.jobTemplate.spec.template.metadata.labels")) as? [String: Any] ?? [:]
            return podSpecs(object).map { (labels, containers($0)) }
        }
    }

    private func podSpecs(_ object: [String: Any]) -> [[String: Any]] {
        switch object.kind {
        case "Deployment", "StatefulSet", "Job", "DaemonSet": return [object.value(at: "spec.template.spec") as? [String: Any]].compactMap { $0 }
        case "CronJob": return [object.value(at: "spec.jobTemplate.spec.template.spec") as? [String: Any]].compactMap { $0 }
        default: return []
        }
    }

    private func containers(_ pod: [String: Any]) -> [[String: Any]] {
        (pod["containers"] as? [[String: Any]] ?? []) + (pod["initContainers"] as? [[String: Any]] ?? [])
    }

    private func matches(_ selector: [String: Any], _ labels: [String: Any]) -> Bool {
        selector.allSatisfy { key, value in labels[key] as? String == value as? String }
    }

    /// The ports of the pods operators run from objects here, which the overlay does not define:
    /// CloudNativePG's instances (PostgreSQL, status, metrics) and poolers (PgBouncer, metrics),
    /// cert-manager's HTTP-01 solver.
    private var operatorPorts: Set<Int> {
        var ports: Set<Int> = []
        if objects.contains(where: { $0.kind == "Cluster" }) || objects.contains(where: { $0.kind == "CronJob" && ($0.name).hasSuffix("-restore-test-runner") }) {
            ports.formUnion([5432, 8000, 9187])
        }
        if objects.contains(where: { $0.kind == "Pooler" }) { ports.formUnion([5432, 9127]) }
        if objects.contains(where: { $0.kind == "Certificate" }) { ports.insert(8089) }
        return ports
    }

    /// A policy's ports must be container ports of the pods it selects; a number may also be a
    /// port of the operator-run pods the selector can reach (all pods, or operator labels).
    private func portProblems(_ policy: [String: Any]) -> [String] {
        let matchLabels = policy.value(at: "spec.podSelector.matchLabels") as? [String: Any] ?? [:]
        let selected = podTemplates.filter { matches(matchLabels, $0.labels) }
        let ports = (policy.value(at: "spec.ingress") as? [[String: Any]] ?? []).flatMap { $0["ports"] as? [[String: Any]] ?? [] }.compactMap { $0["port"] }
        let reachesOperatorPods = matchLabels.isEmpty || matchLabels.keys.contains { $0.hasPrefix("cnpg.io/") || $0.hasPrefix("acme.cert-manager.io/") }
        if selected.isEmpty && !reachesOperatorPods { return ["NetworkPolicy/\(policy.name) selects no pod of the overlay"] }
        let containerPorts = selected.flatMap { $0.containers.flatMap { $0["ports"] as? [[String: Any]] ?? [] } }
        return ports.compactMap { port in
            let found = containerPorts.contains { candidate in
                if let name = port as? String { return candidate["name"] as? String == name }
                return candidate["containerPort"] as? Int == port as? Int
            } || (reachesOperatorPods && (port as? Int).map(operatorPorts.contains) == true)
            return found ? nil : "NetworkPolicy/\(policy.name) opens port \(port), which no pod it selects has"
        }
    }

    // MARK: - Apply order

    /// Walks the deploy's steps in order, evaluating each `kubectl apply --selector` against the
    /// objects' labels: nothing may be applied before its Namespace, and no workload before the
    /// ExternalSecrets and database clusters it waits on were applied by an earlier command.
    func applyOrderProblems(_ steps: [KubernetesIntegrityTests.Step]) -> [String] {
        var applied: Set<String> = []
        var problems: [String] = []
        let namespace = objects.first { $0.kind == "Namespace" }.map { "Namespace/\($0.name)" }
        let awaited = Set(objects.filter { ["ExternalSecret", "Cluster"].contains($0.kind) }.map { "\($0.kind)/\($0.name)" })
        // The workloads: Deployments of services and workers, and their canaries.
        let workloads = Set(objects.filter { object in
            object.kind == "Deployment" && ["service", "worker"].contains(object.value(at: "metadata.labels") .flatMap { ($0 as? [String: Any])?["app.kubernetes.io/component"] as? String } ?? "")
        }.flatMap { ["Deployment/\($0.name)", "Deployment/\($0.name)-canary"] })
        for step in steps {
            for line in step.script.split(separator: "\n") where line.contains("kubectl apply") && line.contains(" -k ") {
                let selector = line.range(of: "--selector '").map { String(line[$0.upperBound...].prefix { $0 != "'" }) }
                let canary = line.contains("-canary'")
                var now: [String] = []
                for object in objects {
                    var labels = object.value(at: "metadata.labels") as? [String: Any] ?? [:]
                    var name = object.name
                    if canary, object.kind == "Deployment", labels["stagecraft.io/track"] as? String == "stable" {
                        labels["stagecraft.io/track"] = "canary"
                        name += "-canary"
                    }
                    guard selector.map({ Self.select($0, labels) }) ?? true else { continue }
                    now.append("\(object.kind)/\(name)")
                }
                if let namespace, !applied.contains(namespace), let first = now.first(where: { $0 != namespace }), !now.contains(namespace) {
                    problems.append("\(step.name) applies \(first) before \(namespace)")
                }
                for workload in now where workloads.contains(workload) {
                    for missing in awaited.sorted() where !applied.contains(missing) {
                        problems.append("\(step.name) applies \(workload) before \(missing) was applied and awaited")
                        break
                    }
                }
                applied.formUnion(now)
            }
        }
        return problems
    }

    /// A label selector of `key=value`, `!key` and `key notin (a,b)` terms.
    static func select(_ selector: String, _ labels: [String: Any]) -> Bool {
        var terms: [String] = []
        var depth = 0
        var current = ""
        for character in selector {
            if character == "(" { depth += 1 } else if character == ")" { depth -= 1 }
            if character == ",", depth == 0 { terms.append(current); current = "" } else { current.append(character) }
        }
        terms.append(current)
        return terms.allSatisfy { term in
            let term = term.trimmingCharacters(in: .whitespaces)
            if term.hasPrefix("!") { return labels[String(term.dropFirst())] == nil }
            if let range = term.range(of: " notin (") {
                let key = String(term[..<range.lowerBound])
                let values = term[range.upperBound...].dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                return !values.contains(labels[key] as? String ?? "\u{0}")
            }
            let parts = term.split(separator: "=", maxSplits: 1).map(String.init)
            return parts.count == 2 && labels[parts[0]] as? String == parts[1]
        }
    }
}
