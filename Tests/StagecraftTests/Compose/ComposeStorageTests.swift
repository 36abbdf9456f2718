import Foundation
import XCTest

/// The object storage of a compose environment: the stack's buckets and the backups' copy, in
/// Terraform beside the CDN's, and how the deploy hands the workloads their buckets.
final class ComposeStorageTests: XCTestCase {
    func testTheShopsBucketAndBackupCopyAreTerraformThatValidates() throws {
        let generation = try ComposeFixtures.generation("shop")
        let output = try Fixtures.temporaryDirectory("storage")
        addTeardownBlock { try? FileManager.default.removeItem(at: output) }
        try Fixtures.materialize(generation.files, in: output)
        try TerraformCheck.assertFormatted(output.appendingPathComponent("environments/production/storage"))
        try TerraformCheck.assertValid("environments/production/storage", in: output)
        try TerraformCheck.assertAppliesWithMockedAWS("environments/production/storage", in: output)

        let main = try String(contentsOf: output.appendingPathComponent("environments/production/storage/main.tf"), encoding: .utf8)
        XCTAssertTrue(main.contains("uploads = {\n      versioned = true\n    }"), main)
        XCTAssertTrue(main.contains("provider \"aws\" {\n  alias  = \"copy\"\n  region = \"eu-central-1\""), "the copy lives in the copy region")
        XCTAssertTrue(main.contains("resource \"aws_s3_bucket\" \"backup_copy\" {\n  provider = aws.copy"), main)
        // No key in the state: the users' access keys are made outside Terraform.
        XCTAssertFalse(main.contains("aws_iam_access_key"))
        XCTAssertTrue(main.contains("\"aws:SecureTransport\" = \"false\""), "TLS only")

        // The web service gets its bucket's name, its region and its own key; nothing else does.
        let deploy = try XCTUnwrap(generation.files[".github/workflows/shop-deploy.yml"]).text
        for line in ["env_line UPLOADS_BUCKET \"${UPLOADS_BUCKET:?", "env_line AWS_ACCESS_KEY_ID \"${WEB_AWS_ACCESS_KEY_ID:?",
                     "env_line AWS_SECRET_ACCESS_KEY \"${WEB_AWS_SECRET_ACCESS_KEY:?"] {
            XCTAssertTrue(deploy.contains(line), line)
        }
        let compose = try ComposeFixtures.text("shop", "environments/production/compose.yaml")
        XCTAssertTrue(compose.contains("      AWS_REGION: eu-west-1\n"), compose)
    }

    func testAStackWithoutBucketsOrCopyHasNoStorage() throws {
        let paths = try ComposeFixtures.generation("blog").files.paths.map(\.value)
        XCTAssertFalse(paths.contains { $0.contains("/storage/") }, "\(paths)")
    }
}
