import StagecraftCLI
import StagecraftEmitters
import XCTest

final class CDNEmitterTests: XCTestCase {
    /// The shop at growth runs on compose with a CDN in staging and production.
    private func shopOutput() throws -> (URL, [String]) {
        let renderer = Renderer(templates: Fixtures.templates, emitters: EmitterSet(emitters: [CDNEmitter()]))
        let generation = try renderer.render(try Fixtures.example("shop"))
        let output = try Fixtures.temporaryDirectory("cdn")
        addTeardownBlock { try? FileManager.default.removeItem(at: output) }
        try Fixtures.materialize(generation.files, in: output)
        return (output, generation.files.paths.map(\.value))
    }

    func testModuleAndRootsPerCDNEnvironment() throws {
        let (_, paths) = try shopOutput()
        for file in ["main.tf", "variables.tf", "outputs.tf", "versions.tf"] {
            XCTAssertTrue(paths.contains("terraform/modules/cdn/\(file)"), file)
        }
        XCTAssertTrue(paths.contains("environments/staging/cdn/main.tf"))
        XCTAssertTrue(paths.contains("environments/production/cdn/terraform.tfvars"))
        XCTAssertFalse(paths.contains { $0.hasPrefix("environments/development/cdn") }, "development has no CDN")
    }

    func testFormattedAndValid() throws {
        let (output, _) = try shopOutput()
        try TerraformCheck.assertFormatted(output)
        try TerraformCheck.assertValid("environments/production/cdn", in: output)
        // With what the deploy passes: the certificate, the log bucket and the origin's secret.
        try TerraformCheck.assertAppliesWithMockedAWS("environments/production/cdn", in: output, variables: [
            "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000",
            "log_bucket": "shop-logs", "origin_verify_secret": String(repeating: "0123456789abcdef", count: 2),
        ])
    }

    func testStackValuesAreQuotedNotPasted() throws {
        let (output, _) = try shopOutput()
        let tfvars = try String(contentsOf: output.appendingPathComponent("environments/production/cdn/terraform.tfvars"), encoding: .utf8)
        XCTAssertTrue(tfvars.contains(#"static_paths         = ["/assets/*"]"#), tfvars)
        XCTAssertTrue(tfvars.contains(#"aliases              = ["shop.example.com"]"#), tfvars)
        XCTAssertTrue(tfvars.contains(#"origin_verify_header = "X-Origin-Verify""#), tfvars)
    }
}
