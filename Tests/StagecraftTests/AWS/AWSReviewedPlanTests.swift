import Foundation
import StagecraftEmitters
import StagecraftOutput
import XCTest
import Yams

/// AWS production is approved as a plan: the release's job saves its Terraform plan, a job of
/// its own applies exactly that file once a reviewer has read it, and a failed apply is rolled
/// back by a plan saved and reviewed the same way. Nothing in production applies with
/// `-auto-approve` but the release's targeted preparation, which its own approval starts.
final class AWSReviewedPlanTests: XCTestCase {
    private let root = "terraform/environments/production"
    private static let apply = #"terraform -chdir="$TF_ROOT" apply"#

    private func workflow() throws -> [String: [String: Any]] {
        let files = try Fixtures.renderer.render(try Fixtures.variant("marketplace-aws")).files
        let document = try XCTUnwrap(try Yams.load(yaml: try XCTUnwrap(files[".github/workflows/marketplace-deploy.yml"]).text) as? [String: Any])
        return try XCTUnwrap(document["jobs"] as? [String: [String: Any]])
    }

    private func steps(_ job: [String: Any]?) throws -> [[String: Any]] { try XCTUnwrap(job?["steps"] as? [[String: Any]]) }
    private func step(_ job: [String: Any]?, _ name: String) throws -> [String: Any] {
        try XCTUnwrap(try steps(job).first { $0["name"] as? String == name }, name)
    }

    func testProductionAppliesTheReviewedPlanFileInAJobOfItsOwn() throws {
        let jobs = try workflow()
        let release = jobs["production"], apply = jobs["production-apply"], rollback = jobs["production-rollback"]
        for job in [release, apply, rollback] {
            XCTAssertEqual((job?["environment"] as? [String: Any])?["name"] as? String, "production", "each waits for a reviewer of production")
        }
        XCTAssertEqual(apply?["needs"] as? [String], ["production"])
        XCTAssertEqual(rollback?["needs"] as? [String], ["production-apply"])
        // Only after the apply kept a rollback plan: a reviewer who rejected the apply leaves nothing to roll back.
        XCTAssertEqual(rollback?["if"] as? String,
                       "always() && (needs.production-apply.result == 'failure' || needs.production-apply.result == 'cancelled') && needs.production-apply.outputs.production-rollback-plan != ''")
        XCTAssertEqual(apply?["outputs"] as? [String: String], ["production-rollback-plan": "${{ steps.keep-production-rollback-plan.outputs.artifact-id }}"])
        XCTAssertEqual(try step(apply, "Keep the rollback plan for its review")["id"] as? String, "keep-production-rollback-plan")

        // The release's job plans and keeps the plan with the provider lock it was made with; it applies nothing untargeted.
        let releaseRuns = try steps(release).compactMap { $0["run"] as? String }
        XCTAssertTrue(releaseRuns.contains { $0.contains("plan -input=false -out=tfplan") })
        for run in releaseRuns where run.contains(Self.apply) { XCTAssertTrue(run.contains("-target="), run) }
        let kept = try step(release, "Keep the plan for its review")
        XCTAssertTrue((kept["uses"] as? String)?.hasPrefix("actions/upload-artifact@") ?? false)
        XCTAssertEqual(kept.value(at: "with.name") as? String, "production-plan")
        XCTAssertEqual((kept.value(at: "with.path") as? String)?.split(separator: "\n").map(String.init), ["\(root)/tfplan", "\(root)/.terraform.lock.hcl"])

        // The apply job gets that plan before Terraform's init (so the lock is the plan's) and applies exactly the file.
        let applyNames = try steps(apply).map { $0["name"] as? String ?? "" }
        let fetched = try step(apply, "Get the reviewed plan")
        XCTAssertEqual(fetched.value(at: "with.name") as? String, "production-plan")
        XCTAssertEqual(fetched.value(at: "with.path") as? String, root)
        XCTAssertLessThan(try XCTUnwrap(applyNames.firstIndex(of: "Get the reviewed plan")), try XCTUnwrap(applyNames.firstIndex(of: "Terraform init")))
        XCTAssertEqual(try step(apply, "Apply the reviewed plan")["run"] as? String, #"terraform -chdir="$TF_ROOT" apply -input=false tfplan"#)
        for job in [apply, rollback] {
            for run in try steps(job).compactMap({ $0["run"] as? String }) {
                XCTAssertFalse(run.contains("-auto-approve"), run)
                if run.contains(Self.apply) { XCTAssertTrue(run.hasSuffix(" tfplan") || run.hasSuffix(" rollback.tfplan"), run) }
            }
        }
        XCTAssertFalse(try steps(apply).contains { ($0["if"] == nil) && (($0["run"] as? String)?.contains(" plan ") ?? false) },
                       "the apply job makes no plan of its own before a failure")

        // A failed apply plans the rollback and keeps it for review; the rollback job applies exactly that.
        let planned = try step(apply, "Plan the rollback to the previous release")
        XCTAssertEqual(planned["if"] as? String, "failure() || cancelled()")
        let keptRollback = try step(apply, "Keep the rollback plan for its review")
        XCTAssertEqual(keptRollback["if"] as? String, "failure() || cancelled()")
        XCTAssertEqual(keptRollback.value(at: "with.name") as? String, "production-rollback-plan")
        XCTAssertEqual(try step(rollback, "Get the reviewed rollback plan").value(at: "with.name") as? String, "production-rollback-plan")
        XCTAssertEqual(try step(rollback, "Apply the reviewed rollback plan")["run"] as? String, #"terraform -chdir="$TF_ROOT" apply -input=false rollback.tfplan"#)
        XCTAssertNotNil(try step(rollback, "Wait for the ECS services"))

        // Staging, which nobody approves, plans its rollback and applies that plan too.
        let stagingRollback = try XCTUnwrap(try step(jobs["staging"], "Roll back to the previous release")["run"] as? String)
        XCTAssertTrue(stagingRollback.contains("plan -input=false -out=rollback.tfplan") && stagingRollback.contains("apply -input=false rollback.tfplan"), stagingRollback)
        XCTAssertFalse(stagingRollback.contains("-auto-approve"))
    }

    /// The release as the runner records it (its commit and the digests it was given, by
    /// repository), and the rollback plan step planning exactly those digests back into
    /// rollback.tfplan.
    func testTheRecordedReleaseIsWhatTheRollbackPlans() throws {
        let jobs = try workflow()
        let bin = try Fixtures.temporaryDirectory("rollback-plan")
        defer { try? FileManager.default.removeItem(at: bin) }
        func digest(_ build: String) -> String { "sha256:" + SHA256.hex(Array(build.utf8)) }
        let builds = ["api", "payouts", "thumbnails", "web"]
        let given = Dictionary(uniqueKeysWithValues: builds.map { ("\($0.uppercased())_IMAGE_DIGEST", digest($0)) })

        let record = try step(jobs["production-apply"], "Record the deployed release")
        let recordEnvironment = try XCTUnwrap(record["env"] as? [String: String])
        for build in builds {
            XCTAssertEqual(recordEnvironment["\(build.uppercased())_IMAGE_DIGEST"], "${{ fromJSON(inputs.image-digests)['\(build)'] }}")
        }
        try Tools.stub("aws", in: bin, "#!/bin/bash\nprintf '%s\\n' \"$@\" > \"\(bin.path)/aws-args\"\n")
        let recorded = try Tools.run("/bin/bash", ["-e", "-o", "pipefail", "-c", try XCTUnwrap(record["run"] as? String)],
                                     environment: recordEnvironment.merging(given) { $1 }.merging(["PATH": bin.path + ":/usr/bin:/bin", "IMAGE_TAG": "0123abcd"]) { $1 })
        XCTAssertEqual(recorded.status, 0, recorded.output)
        let arguments = try String(contentsOf: bin.appendingPathComponent("aws-args"), encoding: .utf8).split(separator: "\n").map(String.init)
        let value = try XCTUnwrap(arguments.firstIndex(of: "--value").map { arguments[$0 + 1] })
        let release = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(value.utf8)) as? [String: Any])
        XCTAssertEqual(release["release"] as? String, "0123abcd")
        XCTAssertEqual(release["image_digests"] as? [String: String],
                       Dictionary(uniqueKeysWithValues: builds.map { ("ghcr.io/acme/market-\($0)", digest($0)) }))
        // A digest that is not one is never recorded.
        let refused = try Tools.run("/bin/bash", ["-e", "-o", "pipefail", "-c", try XCTUnwrap(record["run"] as? String)],
                                    environment: given.merging(["PATH": bin.path + ":/usr/bin:/bin", "IMAGE_TAG": "0123abcd", "WEB_IMAGE_DIGEST": "latest"]) { $1 })
        XCTAssertNotEqual(refused.status, 0)

        let planned = try step(jobs["production-apply"], "Plan the rollback to the previous release")
        try Tools.stub("aws", in: bin, "#!/bin/bash\n[ \"$1 $2\" = \"ssm get-parameter\" ] && printf '%s\\n' \(FormatQuoting.shell(value))\n")
        try Tools.stub("terraform", in: bin, "#!/bin/bash\necho \"$* with $TF_VAR_image_digests\" > \"\(bin.path)/terraform-args\"\n")
        let environment = try XCTUnwrap(planned["env"] as? [String: String]).merging(["PATH": bin.path + ":/usr/bin:/bin"]) { _, new in new }
        let result = try Tools.run("/bin/bash", ["-e", "-o", "pipefail", "-c", try XCTUnwrap(planned["run"] as? String)], environment: environment)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("Planning the rollback to 0123abcd"), result.output)
        let digests = try XCTUnwrap(try String(contentsOf: bin.appendingPathComponent("terraform-args"), encoding: .utf8)
            .split(separator: " with ", maxSplits: 1).last)
        XCTAssertEqual(try JSONSerialization.jsonObject(with: Data(digests.utf8)) as? [String: String], release["image_digests"] as? [String: String])
        XCTAssertTrue(try String(contentsOf: bin.appendingPathComponent("terraform-args"), encoding: .utf8)
            .hasPrefix("-chdir=\(root) plan -input=false -out=rollback.tfplan with "))

        // With no earlier deploy recorded there is nothing to plan, and the step says so.
        try Tools.stub("aws", in: bin, "#!/bin/bash\nexit 255\n")
        let none = try Tools.run("/bin/bash", ["-e", "-o", "pipefail", "-c", try XCTUnwrap(planned["run"] as? String)], environment: environment)
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.output.contains("nothing to roll back to"), none.output)
    }

    /// GitLab runs the same phases: the plan travels as the release job's artifact, the rollback
    /// plan as that of the apply's rollback job (which runs on failure and timeout), and each
    /// production job is manual.
    func testGitLabRunsTheSamePhases() throws {
        var spec = try Fixtures.variant("marketplace-aws")
        spec.pipeline?.providers = [.gitlab]
        let text = try XCTUnwrap(try Fixtures.renderer.render(spec).files[GitLabCIEmitter.path]).text
        let document = try XCTUnwrap(try Yams.load(yaml: text) as? [String: Any]).compactMapValues { $0 as? [String: Any] }
        XCTAssertEqual(document["production"]?.value(at: "artifacts.paths") as? [String], ["\(root)/tfplan", "\(root)/.terraform.lock.hcl"])
        XCTAssertEqual(document["production-apply"]?["needs"] as? [String], ["production", "images"], "the reviewed plan, and the images' digests it records")
        XCTAssertEqual(document["production-apply-rollback"]?["needs"] as? [String], ["production-apply"])
        XCTAssertEqual(document["production-apply-rollback"]?.value(at: "artifacts.paths") as? [String], ["\(root)/rollback.tfplan", "\(root)/.terraform.lock.hcl"])
        XCTAssertEqual(document["production-rollback"]?["needs"] as? [String], ["production-apply-rollback"])
        for job in ["production", "production-apply", "production-rollback"] {
            XCTAssertEqual(((document[job]?["rules"] as? [[String: Any]])?.first)?["when"] as? String, "manual", job)
        }
        let applyScript = try XCTUnwrap(document["production-apply"]?["script"] as? [String]).joined(separator: "\n")
        XCTAssertTrue(applyScript.contains(#"terraform -chdir="$TF_ROOT" apply -input=false tfplan"#), applyScript)
        XCTAssertFalse(text.contains("-auto-approve -var"), "no untargeted apply without a plan")
    }
}
