import Foundation
import StagecraftOutput
import XCTest

/// checkov on the Terraform roots beside compose and Kubernetes environments: the Kubernetes
/// cloud root (buckets, backups, the pods' IAM roles) and the compose storage root (buckets and
/// their IAM users). Every failed check is one the allow-list explains, and every check the list
/// names still fails, so the list never outlives its reason.
final class SupportingRootsCheckovTests: XCTestCase {
    func testCheckovPassesExceptTheAllowListAndEachEntryStillFires() throws {
        let checkov = try Tools.require("checkov")
        let allowed = try TerraformCheck.checkovAllowList("Tests/StagecraftTests/Terraform/checkov-supporting-allowlist.yaml")
        XCTAssertLessThanOrEqual(allowed.count, 10, "the allow-list should stay short")
        let folder = try Fixtures.temporaryDirectory("supporting-roots")
        defer { try? FileManager.default.removeItem(at: folder) }
        var failedAnywhere: Set<String> = []
        for (example, root) in [("marketplace", "environments/production/cloud"), ("shop", "environments/production/storage")] {
            let files = try Fixtures.renderer.render(try Fixtures.example(example)).files
            let output = folder.appendingPathComponent(example)
            try Fixtures.materialize(files, in: output)
            let directory = output.appendingPathComponent(root).path
            let arguments = ["-d", directory, "--framework", "terraform", "--compact", "--quiet", "--skip-download"]
            let result = try Tools.run(checkov, arguments + ["--skip-check", allowed.joined(separator: ",")])
            XCTAssertEqual(result.status, 0, "\(example)/\(root):\n\(result.output)")
            let unskipped = try Tools.run(checkov, arguments)
            failedAnywhere.formUnion(unskipped.output.matches(of: /Check: (CKV2?_AWS_\d+)/).map { String($0.output.1) })
            // What CKV_AWS_21 cannot see: production keeps versions of every bucket.
            let main = try XCTUnwrap(files[try OutputPath("\(root)/main.tf")]).text
            XCTAssertFalse(main.contains("versioned = false"), "\(example): production buckets are versioned")
        }
        XCTAssertEqual(Set(allowed).subtracting(failedAnywhere), [], "allowed checks that no longer fail: remove them from the list")
    }
}
