import Foundation
import StagecraftOutput
import XCTest
import Yams

/// The deploy jobs the GitHub workflow gets for Kubernetes environments: checked by actionlint
/// (with shellcheck on every script), and the image-tag step run for real against the overlays.
final class KubernetesDeployStepsTests: XCTestCase {
    func testDeployWorkflowsPassActionlintWithShellcheck() throws {
        let actionlint = try Tools.require("actionlint")
        _ = try Tools.require("shellcheck")
        for rendered in try KubernetesRendering.both() {
            defer { try? FileManager.default.removeItem(at: rendered.root) }
            let workflow = rendered.root.appendingPathComponent(".github/workflows/\(rendered.plan.stack)-deploy.yml")
            let result = try Tools.run(actionlint, [workflow.path], in: rendered.root)
            XCTAssertEqual(result.status, 0, "\(rendered.name):\n\(result.output)")
        }
    }

    func testProductionAuthenticatesAppliesWaitsForEveryRolloutAndRollsBackOnFailure() throws {
        let rendered = try KubernetesRendering.marketplace()
        defer { try? FileManager.default.removeItem(at: rendered.root) }
        let production = try steps(rendered, job: "production")
        XCTAssertTrue(try XCTUnwrap(production["Install kubectl"]?["uses"] as? String).hasPrefix("Azure/setup-kubectl@"))
        XCTAssertEqual(production["Authenticate to the production cluster"]?.value(at: "env.KUBE_CONFIG") as? String, "${{ secrets.KUBE_CONFIG }}")
        XCTAssertTrue(try run(production, "Authenticate to the production cluster").contains("chmod 600"))
        XCTAssertTrue(try run(production, "Apply the production overlay").contains("kubectl apply --server-side --field-manager=stagecraft -k 'kubernetes/.deploy/production'"))
        let wait = try run(production, "Wait for the rollouts")
        for workload in ["web", "api", "payouts", "thumbnails"] {
            XCTAssertTrue(wait.contains("rollout status 'deployment/\(workload)' --timeout=5m"), workload)
        }
        XCTAssertTrue(wait.contains("rollout status 'statefulset/cache' --timeout=5m"))
        XCTAssertEqual(production["Roll back"]?["if"] as? String, "failure() || cancelled()")
        XCTAssertTrue(try run(production, "Roll back").contains("rollout undo \"deployment/$deployment\" --to-revision=\"$revision\""))

        // The canary runs before the regular rollout in production only.
        let order = try stepNames(rendered, job: "production")
        XCTAssertLessThan(try XCTUnwrap(order.firstIndex(of: "Canary")), try XCTUnwrap(order.firstIndex(of: "Apply the production overlay")), "\(order)")
        XCTAssertNil(try steps(rendered, job: "staging")["Canary"])
    }

    /// Runs the step that sets the images' digests, as the runner would, and builds what it wrote.
    func testImageDigestStepPinsEveryBuiltImageAndBuildsTheCanaries() throws {
        _ = try Tools.require("jq")
        let bash = try Tools.require("bash")
        let rendered = try KubernetesRendering.marketplace()
        defer { try? FileManager.default.removeItem(at: rendered.root) }
        let step = try XCTUnwrap(try steps(rendered, job: "production")["Set each image to the digest CI pushed"])
        let script = try XCTUnwrap(step["run"] as? String)
        // Each built image's digest, from the deploy's input, by build.
        let builds = ["api", "payouts", "thumbnails", "web"]
        let stepEnvironment = try XCTUnwrap(step["env"] as? [String: String])
        XCTAssertEqual(stepEnvironment, Dictionary(uniqueKeysWithValues: builds.map {
            ("\($0.uppercased())_IMAGE_DIGEST", "${{ fromJSON(inputs.image-digests)['\($0)'] }}")
        }))
        func digest(_ build: String) -> String { "sha256:" + SHA256.hex(Array(build.utf8)) }
        let digests = Dictionary(uniqueKeysWithValues: builds.map { ("\($0.uppercased())_IMAGE_DIGEST", digest($0)) })
        // All digits and an exponent: YAML would read it as a number if it were written unquoted.
        let tag = "12345e6"
        let result = try Tools.run(bash, ["-c", script], in: rendered.root, environment: digests.merging(["IMAGE_TAG": tag, "RUNNER_TEMP": rendered.root.path]) { $1 })
        XCTAssertEqual(result.status, 0, result.output)

        let applied = try build(rendered, "kubernetes/.deploy/production")
        let images = applied.filter { $0.kind == "Deployment" }.flatMap { object in
            ((object.value(at: "spec.template.spec.containers") as? [[String: Any]]) ?? []).compactMap { $0["image"] as? String }
        }
        XCTAssertEqual(images.sorted(), builds.map { "ghcr.io/acme/market-\($0)@\(digest($0))" })

        // The release's migration Job: named after the tag, the API's image by its digest, its
        // settings from the ConfigMap this build makes, the primary itself rather than the pooler.
        let job = try XCTUnwrap(applied.first { $0.kind == "Job" }, "no migration Job")
        XCTAssertEqual(job.name, "db-migrate-\(tag)")
        let containers = try XCTUnwrap(job.value(at: "spec.template.spec.containers") as? [[String: Any]])
        let migrate = try XCTUnwrap(containers.first { $0["name"] as? String == "migrate" })
        XCTAssertEqual(migrate["image"] as? String, "ghcr.io/acme/market-api@\(digest("api"))")
        let configMap = try XCTUnwrap(migrate.value(at: "envFrom") as? [[String: Any]]).first?.value(at: "configMapRef.name") as? String
        XCTAssertTrue(applied.contains { $0.kind == "ConfigMap" && $0.name == configMap }, "the Job reads \(configMap ?? "nothing")")
        let env = try XCTUnwrap(migrate["env"] as? [[String: Any]])
        XCTAssertEqual(env.first { $0["name"] as? String == "DB_HOST" }?["value"] as? String, "db-rw")
        XCTAssertEqual(job.value(at: "spec.backoffLimit") as? Int, 0)
        let lock = try XCTUnwrap(containers.first { $0["name"] as? String == "lock" })
        XCTAssertEqual(lock["image"] as? String, "postgres:16")
        // What the deploy applies before migrating, by its selector: the namespace, the database,
        // the ExternalSecrets and the ConfigMaps, but no workload and no migration (the Job waits
        // for the database); the migration step then applies the Job alone.
        let prerequisites = try run(try steps(rendered, job: "production"), "Apply what the workloads wait on")
        XCTAssertTrue(prerequisites.contains("--selector 'app.kubernetes.io/component notin (service,worker),!stagecraft.io/migration'"), prerequisites)
        XCTAssertTrue(prerequisites.contains("wait --for=condition=Ready externalsecret --all --timeout=5m"), prerequisites)
        let migrateStep = try run(try steps(rendered, job: "production"), "Migrate the db database")
        XCTAssertTrue(migrateStep.contains("--selector 'stagecraft.io/migration=db'"), migrateStep)
        func label(_ object: [String: Any], _ key: String) -> String? { (object.value(at: "metadata.labels") as? [String: Any])?[key] as? String }
        let first = applied.filter { object in
            !["service", "worker"].contains(label(object, "app.kubernetes.io/component") ?? "") && label(object, "stagecraft.io/migration") == nil
        }
        XCTAssertTrue(first.contains { $0.kind == "Namespace" })
        XCTAssertTrue(first.contains { $0.kind == "Cluster" && $0.name == "db" })
        XCTAssertTrue(first.contains { $0.kind == "ConfigMap" && $0.name == configMap })
        XCTAssertTrue(first.contains { $0.kind == "ExternalSecret" && $0.name == "api-secrets" })
        XCTAssertFalse(first.contains { ["Deployment", "Job"].contains($0.kind) && ["web", "api", "payouts", "thumbnails", job.name].contains($0.name) }, "\(first.map(\.name))")
        XCTAssertTrue(prerequisites.contains("wait --for=condition=Ready 'cluster.postgresql.cnpg.io/db' --timeout=15m"))

        // Its pods may reach the primary: the database's policy lets db-migrate in.
        let policy = try XCTUnwrap(applied.first { $0.kind == "NetworkPolicy" && $0.name == "db-from-dependants" })
        XCTAssertTrue("\(policy)".contains("db-migrate"), "\(policy)")

        // What the canary phase applies: `--selector` keeps the ConfigMaps, then the canaries.
        let canary = try build(rendered, "kubernetes/.deploy/production-canary")
        func labelled(_ label: String, _ value: String) -> [[String: Any]] {
            canary.filter { ($0.value(at: "metadata.labels") as? [String: Any])?[label] as? String == value }
        }
        XCTAssertEqual(Set(labelled("stagecraft.io/role", "config").map(\.kind)), ["ConfigMap"])
        let canaries = labelled("stagecraft.io/track", "canary")
        XCTAssertEqual(canaries.map(\.name).sorted(), ["api-canary", "web-canary"])
        for deployment in canaries {
            XCTAssertEqual(deployment.value(at: "spec.replicas") as? Int, 1)
            XCTAssertEqual((deployment.value(at: "spec.selector.matchLabels") as? [String: Any])?["stagecraft.io/track"] as? String, "canary")
        }

        let refused = try Tools.run(bash, ["-c", script], in: rendered.root, environment: digests.merging(["IMAGE_TAG": "x\nnewName: evil", "RUNNER_TEMP": rendered.root.path]) { $1 })
        XCTAssertNotEqual(refused.status, 0, "an IMAGE_TAG that is not a tag is refused")
        for (variable, bad) in [("API_IMAGE_DIGEST", ""), ("WEB_IMAGE_DIGEST", "latest"), ("WEB_IMAGE_DIGEST", digest("web") + "\nnewName: evil")] {
            let refused = try Tools.run(bash, ["-c", script], in: rendered.root, environment: digests.merging([variable: bad, "IMAGE_TAG": tag, "RUNNER_TEMP": rendered.root.path]) { $1 })
            XCTAssertNotEqual(refused.status, 0, "\(variable)=\(bad.debugDescription) is refused")
            XCTAssertTrue(refused.output.contains("\(variable) is not the digest of the pushed"), refused.output)
        }
    }

    // MARK: - Helpers

    private func workflow(_ rendered: KubernetesRendering.Rendered) throws -> [String: Any] {
        let path = rendered.root.appendingPathComponent(".github/workflows/\(rendered.plan.stack)-deploy.yml")
        return try XCTUnwrap(try Yams.load(yaml: String(contentsOf: path, encoding: .utf8)) as? [String: Any])
    }

    private func stepList(_ rendered: KubernetesRendering.Rendered, job: String) throws -> [[String: Any]] {
        try XCTUnwrap(try workflow(rendered).value(at: "jobs.\(job).steps") as? [[String: Any]], "no job \(job)")
    }

    private func steps(_ rendered: KubernetesRendering.Rendered, job: String) throws -> [String: [String: Any]] {
        Dictionary(try stepList(rendered, job: job).map { ($0["name"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
    }

    private func stepNames(_ rendered: KubernetesRendering.Rendered, job: String) throws -> [String] {
        try stepList(rendered, job: job).map { $0["name"] as? String ?? "" }
    }

    private func run(_ steps: [String: [String: Any]], _ name: String) throws -> String {
        try XCTUnwrap(steps[name]?["run"] as? String, "no step \(name)")
    }

    private func build(_ rendered: KubernetesRendering.Rendered, _ folder: String) throws -> [[String: Any]] {
        let result = try Tools.run(try Tools.require("kubectl"), ["kustomize", folder], in: rendered.root)
        XCTAssertEqual(result.status, 0, result.output)
        return try Yams.load_all(yaml: result.output).compactMap { $0 as? [String: Any] }
    }
}
