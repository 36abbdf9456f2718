import Foundation
import Yams
import XCTest

/// Each environment's folder names every secret it needs, the deploy's included, and no value.
final class EnvironmentConfigTests: XCTestCase {
    private func secrets(_ variant: String, _ environment: String) throws -> [String: Any] {
        let files = try Fixtures.renderer.render(try Fixtures.variant(variant)).files
        let text = try XCTUnwrap(files["environments/\(environment)/secrets.yaml"]).text
        return try XCTUnwrap(try Yams.load(yaml: text) as? [String: Any])
    }

    func testTheDeploysOwnSecretsAreListedPerPlatform() throws {
        for (variant, expected) in [("shop", "DEPLOY_SSH_KEY"), ("marketplace", "KUBE_CONFIG"), ("marketplace-aws", "AWS_DEPLOY_ROLE_ARN")] {
            let deploy = try secrets(variant, "production")["deploy"] as? [String] ?? []
            XCTAssertTrue(deploy.contains(expected), "\(variant): \(deploy)")
        }
        XCTAssertNil(try secrets("shop", "development")["deploy"], "development is not deployed by CI")
    }

    func testConfigValuesAreQuotedPerEnvironment() throws {
        let files = try Fixtures.renderer.render(try Fixtures.example("shop")).files
        XCTAssertTrue(try XCTUnwrap(files["environments/production/config/web.env"]).text.contains("LOG_LEVEL='warn'\n"))
        XCTAssertTrue(try XCTUnwrap(files["environments/staging/config/web.env"]).text.contains("LOG_LEVEL='info'\n"))
    }
}
