import Foundation
import Stagecraft
import StagecraftEmitters
import StagecraftOutput
import StagecraftPlanner
import StagecraftReadiness
import XCTest
import Yams

/// Escape hatches: what the DSL has no declaration for, declared per environment and applied
/// by the tool that reads each output (kustomize, Compose, Terraform, the CI provider), kept by
/// every generate, listed in the manifest and by `plan`, and flagged by `check` when they change
/// what a declaration manages. The examples use each kind, so the suite's validators (kustomize
/// with the strict schemas, Compose in the rehearsal, Terraform's mocked apply, actionlint) run
/// them too.
final class EscapeHatchTests: XCTestCase {
    private func stack(platform: PlatformKind = .compose, @EnvironmentBuilder production: () -> [any EnvironmentContent]) -> StackSpec {
        Stack("shop", stage: .growth) {
            Service("web") { Image("ghcr.io/acme/web"); Port(8080); HealthCheck("/healthz"); Replicas(2) }
            Worker("jobs") { Image("ghcr.io/acme/jobs"); HealthCommand("bin/jobs-healthy") }
            LoadBalancer(domain: "shop.example.com")
            Environments { Staging(branch: "main"); Production(approval: .required, production) }
            Platform(platform)
            Account("111122223333")
        }.spec
    }

    private func file(_ files: FileSet, _ path: String) throws -> String {
        try XCTUnwrap(files[try OutputPath(path)], path).text
    }

    /// kustomize applies the marketplace's patches after the generated ones: the annotation on
    /// web's pods, and the operation on api's grace period; the objects still pass the schemas.
    func testKubernetesPatchesApplyThroughTheOverlay() throws {
        let rendered = try KubernetesRendering.marketplace()
        defer { try? FileManager.default.removeItem(at: rendered.root) }
        let kustomization = try XCTUnwrap(try Yams.load(yaml: try file(rendered.files, "kubernetes/overlays/production/kustomization.yaml")) as? [String: Any])
        let patches = try XCTUnwrap(kustomization["patches"] as? [[String: Any]])
        XCTAssertEqual(Array(patches.suffix(2).map { $0["path"] as? String }), ["custom/1-deployment-web.yaml", "custom/2-deployment-api.yaml"])
        XCTAssertEqual(patches.last?["target"] as? [String: String], ["group": "apps", "version": "v1", "kind": "Deployment", "name": "api"])
        XCTAssertNil(rendered.files[try OutputPath("kubernetes/overlays/staging/custom/1-deployment-web.yaml")], "production's patches only")

        let objects = try rendered.objects("production")
        let web = try XCTUnwrap(objects.first { $0.kind == "Deployment" && $0.name == "web" })
        let annotations = try XCTUnwrap(web.value(at: "spec.template.metadata.annotations") as? [String: Any])
        XCTAssertEqual(annotations["example.com/team"] as? String, "storefront")
        XCTAssertNotNil(web.value(at: "spec.template.spec.containers"), "the merge keeps the generated pod")
        let api = try XCTUnwrap(objects.first { $0.kind == "Deployment" && $0.name == "api" })
        XCTAssertEqual(api.value(at: "spec.template.spec.enableServiceLinks") as? Bool, false)
        let staging = try rendered.objects("staging")
        XCTAssertNil(try XCTUnwrap(staging.first { $0.kind == "Deployment" && $0.name == "api" }).value(at: "spec.template.spec.enableServiceLinks"))
    }

    /// A merge patch is written as declared, beside the object's name: its own labels join the
    /// name, and a `null` stays, so kustomize deletes that field.
    func testAMergePatchKeepsItsNullsAndLabels() throws {
        let spec = stack(platform: .kubernetes) {
            KubernetesPatch("Deployment/web", "metadata:\n  labels:\n    team: storefront\nspec:\n  template:\n    spec:\n      automountServiceAccountToken: null\n")
        }
        let rendered = try KubernetesRendering.render("merge-null", spec)
        defer { try? FileManager.default.removeItem(at: rendered.root) }
        let patch = try file(rendered.files, "kubernetes/overlays/production/custom/1-deployment-web.yaml")
        XCTAssertTrue(patch.contains("kind: Deployment\nmetadata:\n  name: web\n  labels:\n    team: storefront\nspec:\n"), patch)
        XCTAssertTrue(patch.contains("automountServiceAccountToken: null"), patch)
        let web = try XCTUnwrap(try rendered.objects("production").first { $0.kind == "Deployment" && $0.name == "web" })
        XCTAssertNil(web.value(at: "spec.template.spec.automountServiceAccountToken"))
        XCTAssertEqual((web.value(at: "metadata.labels") as? [String: Any])?["team"] as? String, "storefront")
        let staging = try XCTUnwrap(try rendered.objects("staging").first { $0.kind == "Deployment" && $0.name == "web" })
        XCTAssertNotNil(staging.value(at: "spec.template.spec.automountServiceAccountToken"), "the generated field, where no patch deletes it")
    }

    /// A patch of an object the overlay does not have stops generate, naming the stack line.
    func testAPatchOfAnObjectTheOverlayLacksIsRefusedAtItsLine() throws {
        let spec = stack(platform: .kubernetes) { KubernetesPatch("Deployment/wbe", "metadata:\n  labels:\n    a: b\n") }
        XCTAssertThrowsError(try Fixtures.renderer.render(spec)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("EscapeHatchTests.swift:"), message)
            XCTAssertTrue(message.contains("the production overlay has no Deployment/wbe; it has Deployment/web, Deployment/jobs"), message)
        }
    }

    /// Compose overrides merge into compose.yaml as a merge patch: mappings key by key, lists
    /// and values replaced, null removing a key; staging is untouched.
    func testComposeOverridesMergeIntoComposeYAML() throws {
        let spec = stack {
            ComposeOverride("""
                services:
                  web:
                    labels:
                      com.example.team: storefront
                    stop_grace_period: 45s
                    restart: null
                  jobs:
                    ulimits:
                      nofile: 65536
                x-owner: storefront
                """)
        }
        let files = try Fixtures.renderer.render(spec).files
        let compose = try XCTUnwrap(try Yams.load(yaml: try file(files, "environments/production/compose.yaml")) as? [String: Any])
        let web = try XCTUnwrap(compose.value(at: "services.web") as? [String: Any])
        XCTAssertEqual(web["labels"] as? [String: String], ["com.example.team": "storefront"])
        XCTAssertEqual(web["stop_grace_period"] as? String, "45s")
        XCTAssertNil(web["restart"], "null removes")
        XCTAssertNotNil(web["image"], "the generated keys stay")
        XCTAssertEqual(compose.value(at: "services.jobs.ulimits.nofile") as? Int, 65536)
        XCTAssertEqual(compose["x-owner"] as? String, "storefront")
        let staging = try file(files, "environments/staging/compose.yaml")
        XCTAssertFalse(staging.contains("storefront"))
    }

    /// The shop example's override reaches the compose.yaml the rehearsal deploys.
    func testTheShopExampleLabelsItsWebService() throws {
        let files = try Fixtures.renderer.render(try Fixtures.example("shop")).files
        let compose = try XCTUnwrap(try Yams.load(yaml: try file(files, "environments/production/compose.yaml")) as? [String: Any])
        XCTAssertEqual(compose.value(at: "services.web.labels") as? [String: String], ["com.example.team": "storefront"])
    }

    /// A Terraform file of the stack's own lands in the environment's root, beside the generated
    /// ones; one that would replace a generated file is refused, naming the stack line.
    func testTerraformFilesLandInTheEnvironmentRoot() throws {
        let budget = "resource \"aws_budgets_budget\" \"monthly\" {\n  name = \"x\"\n}\n"
        let files = try Fixtures.renderer.render(stack(platform: .aws) { TerraformFile("budget.tf", budget) }).files
        XCTAssertTrue(try file(files, "terraform/environments/production/budget.tf").hasSuffix(budget))
        XCTAssertNil(files[try OutputPath("terraform/environments/staging/budget.tf")])

        XCTAssertThrowsError(try Fixtures.renderer.render(stack(platform: .aws) { TerraformFile("main.tf", budget) })) { error in
            XCTAssertTrue("\(error)".contains("TerraformFile(\"main.tf\") would replace the generated terraform/environments/production/main.tf"), "\(error)")
        }
        let kubernetes = try Fixtures.renderer.render(stack(platform: .kubernetes) { TerraformFile("budget.tf", budget) }).files
        XCTAssertTrue(try file(kubernetes, "environments/production/cloud/budget.tf").hasSuffix(budget))
    }

    /// A deploy step runs in the job that rolls the release out, after the rollout and before
    /// the release is recorded as deployed, so a failing one rolls the release back.
    func testDeployStepsRunBeforeTheReleaseIsRecorded() throws {
        for (platform, recorded, rollback) in [
            (PlatformKind.compose, "Record the release as deployed", "Roll back to the previous release"),
            (.aws, "Record the deployed release", "Plan the rollback to the previous release"),
            (.kubernetes, nil as String?, "Roll back"),
        ] {
            let spec = stack(platform: platform) { DeployStep("Smoke test", run: "curl --fail --silent https://shop.example.com/healthz") }
            let files = try Fixtures.renderer.render(spec).files
            let workflow = try XCTUnwrap(try Yams.load(yaml: try file(files, ".github/workflows/shop-deploy.yml")) as? [String: Any])
            let jobs = try XCTUnwrap(workflow["jobs"] as? [String: [String: Any]])
            // Production's last job that is no rollback of its own.
            let job = try XCTUnwrap(jobs[jobs.keys.contains("production-apply") ? "production-apply" : "production"], "\(platform)")
            let names = try XCTUnwrap(job["steps"] as? [[String: Any]]).map { $0["name"] as? String ?? "" }
            let smoke = try XCTUnwrap(names.firstIndex(of: "Smoke test"), "\(platform): \(names)")
            if let recorded { XCTAssertEqual(names[smoke + 1], recorded, "\(platform)") }
            XCTAssertLessThan(smoke, try XCTUnwrap(names.firstIndex(of: rollback), "\(platform): \(names)"))
            XCTAssertFalse(try XCTUnwrap(jobs["staging"]?["steps"] as? [[String: Any]]).contains { $0["name"] as? String == "Smoke test" })
        }
    }

    /// What cannot be applied is refused at its line, with the reason.
    func testMalformedEscapeHatchesAreRefusedAtTheirLine() throws {
        let cases: [(any EnvironmentContent, String)] = [
            (KubernetesPatch("Deployment/web", "spec: [unclosed"), "KubernetesPatch(\"Deployment/web\") is not valid YAML"),
            (KubernetesPatch("web", "spec: {}"), "is not Kind/name"),
            (KubernetesPatch("Deployment/web", "metadata:\n  name: other\n"), "may not change metadata.name"),
            (KubernetesPatch("Deployment/web", operations: "- op: add\n  path: spec/replicas\n  value: 2\n"), "operation 1 needs a path that starts with /"),
            (KubernetesPatch("Deployment/web", operations: "- op: replace\n  path: /spec/replicas\n"), "operation 1 (replace) needs a value"),
            (ComposeOverride("name: other\n"), "ComposeOverride may not set \"name\""),
            (ComposeOverride("- a\n"), "ComposeOverride must be a YAML mapping"),
            (TerraformFile("Budget.TF", "x"), "needs a file name of lowercase letters"),
            (TerraformFile("budget.tf", "resource \"a\" \"b\" {\n  tags = {\n}\n"), "{ opened on line 1 is not closed"),
            (TerraformFile("budget.tf", "locals {\n  a = \"open\n}\n"), "the string on line 2 is not closed"),
            (DeployStep("Smoke\ntest", run: "true"), "DeployStep needs a name of one line"),
        ]
        for (hatch, expected) in cases {
            let spec = stack { hatch }
            XCTAssertThrowsError(try Planner(toolVersion: "test").plan(spec), expected) { error in
                let diagnostics = (error as? PlanningFailed)?.errors ?? []
                XCTAssertEqual(diagnostics.count, 1, "\(diagnostics)")
                XCTAssertTrue(diagnostics.first?.message.contains(expected) ?? false, "\(expected)\n\(diagnostics)")
                XCTAssertTrue(diagnostics.first?.location.file.hasSuffix("EscapeHatchTests.swift") ?? false)
            }
        }
        // Heredocs, comments and strings with brackets are Terraform's business, not errors.
        let fine = stack(platform: .aws) {
            TerraformFile("policy.tf", """
                # a comment with a { brace
                locals {
                  policy = <<-EOT
                    {"Statement": [
                  EOT
                  text = "a ] in a string"
                }
                """)
        }
        XCTAssertNoThrow(try Planner(toolVersion: "test").plan(fine))
    }

    /// On another platform (after a promotion, say) a hatch changes nothing, and generate says so.
    func testAHatchForAnotherPlatformIsAWarning() throws {
        let plan = try Planner(toolVersion: "test").plan(stack(platform: .aws) { ComposeOverride("services:\n  web:\n    labels:\n      a: b\n") })
        XCTAssertTrue(plan.warnings.contains { $0.message.contains("ComposeOverride changes compose output, but production runs on aws at the growth stage: it changes nothing there") },
                      "\(plan.warnings)")
    }

    /// The manifest and `plan` list every escape hatch with its line.
    func testTheManifestAndPlanListThem() throws {
        let files = try Fixtures.renderer.render(try Fixtures.example("marketplace")).files
        let manifest = try Manifest.decode(try XCTUnwrap(files[Manifest.path]).contents)
        XCTAssertEqual(manifest.escapeHatches, [
            "production: KubernetesPatch(\"Deployment/web\") at stacks/marketplace.swift:103",
            "production: KubernetesPatch(\"Deployment/api\", operations:) at stacks/marketplace.swift:110",
            "production: DeployStep(\"Note the release in the job summary\") at stacks/marketplace.swift:115",
        ])
        let blog = try Manifest.decode(try XCTUnwrap(try Fixtures.renderer.render(try Fixtures.example("blog")).files[Manifest.path]).contents)
        XCTAssertEqual(blog.escapeHatches, [])

        let workspace = try Fixtures.workspace("escape-hatch-plan", examples: ["marketplace"])
        defer { try? FileManager.default.removeItem(at: workspace) }
        let plan = try Fixtures.stagecraft(["plan", "stacks/marketplace.swift", "--out", "out"], in: workspace)
        XCTAssertEqual(plan.status, 2, plan.output)
        XCTAssertTrue(plan.output.contains("escape hatches (changes the DSL has no declaration for):\n  production: KubernetesPatch(\"Deployment/web\") at stacks/marketplace.swift:103"), plan.output)
    }

    /// `check` warns when a hatch changes what a declaration manages, naming the declaration.
    func testCheckWarnsWhenAHatchChangesWhatTheDSLManages() throws {
        let audit = ReadinessAudit(planner: Planner(toolVersion: "test"))
        let spec = stack(platform: .kubernetes) {
            KubernetesPatch("Deployment/web", "spec:\n  replicas: 5\n  template:\n    metadata:\n      annotations:\n        a: b\n")
            KubernetesPatch("Deployment/jobs", operations: "- op: add\n  path: /spec/template/spec/containers/0/env/-\n  value: {name: X, value: y}\n")
            TerraformFile("main_override.tf", "locals {}\n")
        }
        let findings = audit.audit(spec).findings.filter { $0.rule == "SC140-escape-hatch-managed-field" }
        XCTAssertEqual(findings.map(\.message), [
            "KubernetesPatch(\"Deployment/web\") changes spec.replicas in production, which Replicas manages: the declaration would then no longer decide it",
            "KubernetesPatch(\"Deployment/jobs\", operations:) changes spec.template.spec.containers[].env in production, which Config or Secret manages: the declaration would then no longer decide it",
            "TerraformFile(\"main_override.tf\") in production is a Terraform override file: it changes generated blocks, whose values the stack's declarations and stage decide",
        ])
        XCTAssertTrue(findings[0].fix.description.hasPrefix("Replicas(…) inside Service(\"web\") at "), findings[0].fix.description)
        XCTAssertEqual(Set(findings.map(\.severity)), [.warning])
        // An annotation is what no declaration manages.
        let quiet = stack(platform: .kubernetes) { KubernetesPatch("Deployment/web", "spec:\n  template:\n    metadata:\n      annotations:\n        a: b\n") }
        XCTAssertEqual(audit.audit(quiet).findings.filter { $0.rule == "SC140-escape-hatch-managed-field" }, [])
    }
}
