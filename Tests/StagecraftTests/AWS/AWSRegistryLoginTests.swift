import Foundation
import XCTest
import Yams

/// ECS pulls the images CI pushed to a registry outside ECR with a login of its own: a secret
/// Terraform makes without a value, named by each built container's `repositoryCredentials`,
/// readable by the execution role alone, and a deploy that stops while it has no value.
final class AWSRegistryLoginTests: XCTestCase {
    func testBuiltImagesArePulledWithTheRegistryLogin() throws {
        let files = try Fixtures.renderer.render(try Fixtures.variant("marketplace-aws")).files
        let ecs = try XCTUnwrap(files["terraform/modules/marketplace/ecs.tf"]).text
        XCTAssertTrue(ecs.contains(#"resource "aws_secretsmanager_secret" "registry""#), ecs)
        XCTAssertFalse(ecs.contains(#"resource "aws_secretsmanager_secret_version" "registry""#), "the login's value stays out of the state")
        XCTAssertNotNil(ecs.firstMatch(of: /repositoryCredentials +=\s+each.value.registry_login \? \{ credentialsParameter = aws_secretsmanager_secret.registry\[0\].arn \} : null/), ecs)
        XCTAssertTrue(ecs.contains("aws_secretsmanager_secret.registry[*].arn)"), "the execution role may read it")
        let migrations = try XCTUnwrap(files["terraform/modules/marketplace/migrations.tf"]).text
        XCTAssertNotNil(migrations.firstMatch(of: /repositoryCredentials +=\s+var.workloads\[each.value.migrate_in\].registry_login/), migrations)
        let production = try XCTUnwrap(files["terraform/environments/production/main.tf"]).text
        XCTAssertEqual(production.components(separatedBy: "registry_login = true").count - 1, 4, "every built image of ghcr.io")
        XCTAssertTrue(try XCTUnwrap(files["README.md"]).text.contains("`registry_credentials_secret` output"))
    }

    func testImagesInECRNeedNoLogin() throws {
        let spec = Fixtures.images(of: try Fixtures.variant("marketplace-aws"), at: "123456789012.dkr.ecr.eu-west-1.amazonaws.com", prefix: "market-")
        let files = try Fixtures.renderer.render(spec).files
        XCTAssertFalse(try XCTUnwrap(files["terraform/environments/production/main.tf"]).text.contains("registry_login = true"))
        XCTAssertFalse(try XCTUnwrap(files[".github/workflows/marketplace-deploy.yml"]).text.contains("Check that the registry login is set"))
    }

    /// The deploy's check as the runner runs it: no current version stops it with the command
    /// that sets one; a current version lets it go on. The value itself is never read.
    func testTheDeployWaitsForTheLogin() throws {
        let files = try Fixtures.renderer.render(try Fixtures.variant("marketplace-aws")).files
        let workflow = try XCTUnwrap(try Yams.load(yaml: try XCTUnwrap(files[".github/workflows/marketplace-deploy.yml"]).text) as? [String: Any])
        let steps = try XCTUnwrap(workflow.value(at: "jobs.production.steps") as? [[String: Any]])
        let names = steps.map { $0["name"] as? String ?? "" }
        let check = try XCTUnwrap(steps.first { $0["name"] as? String == "Check that the registry login is set" })
        XCTAssertLessThan(try XCTUnwrap(names.firstIndex(of: "Check that the registry login is set")), try XCTUnwrap(names.firstIndex(of: "Terraform plan")))
        let prepare = try XCTUnwrap(steps.first { $0["name"] as? String == "Prepare the release" }?["run"] as? String)
        XCTAssertTrue(prepare.contains("-target='module.marketplace.aws_secretsmanager_secret.registry'"), prepare)

        let bin = try Fixtures.temporaryDirectory("registry-login")
        defer { try? FileManager.default.removeItem(at: bin) }
        let secret = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:marketplace-production-registry-1"
        try Tools.stub("terraform", in: bin, "#!/bin/bash\n[ \"$*\" = \"-chdir=terraform/environments/production output -raw registry_credentials_secret\" ] && echo '\(secret)'\n")
        let environment = try XCTUnwrap(check["env"] as? [String: String]).merging(["PATH": bin.path + ":/usr/bin:/bin"]) { _, new in new }
        let script = try XCTUnwrap(check["run"] as? String)

        try Tools.stub("aws", in: bin, "#!/bin/bash\n[ \"$1 $2\" = \"secretsmanager describe-secret\" ] || exit 2\necho None\n")
        let unset = try Tools.run("/bin/bash", ["-e", "-o", "pipefail", "-c", script], environment: environment)
        XCTAssertEqual(unset.status, 1, unset.output)
        XCTAssertTrue(unset.output.contains(#"aws secretsmanager put-secret-value --secret-id \#(secret) --secret-string '{"username": "…", "password": "…"}'"#), unset.output)

        try Tools.stub("aws", in: bin, "#!/bin/bash\n[ \"$1 $2\" = \"secretsmanager describe-secret\" ] || exit 2\nprintf 'AWSCURRENT\\n'\n")
        let set = try Tools.run("/bin/bash", ["-e", "-o", "pipefail", "-c", script], environment: environment)
        XCTAssertEqual(set.status, 0, set.output)
    }
}
