import Foundation
import XCTest
import Yams

/// What a Kubernetes environment's pods use in AWS — the buckets, the backups' copy in the copy
/// region, the IAM roles its ServiceAccounts take — as Terraform that applies (mocked AWS), and
/// named exactly as the manifests name them; and what the README tells the operator to do first.
final class KubernetesCloudTests: XCTestCase {
    func testTheCloudRootAppliesAndMatchesTheManifests() throws {
        let rendered = try KubernetesRendering.marketplace()
        defer { try? FileManager.default.removeItem(at: rendered.root) }
        let root = "environments/production/cloud"
        try TerraformCheck.assertFormatted(rendered.root.appendingPathComponent(root))
        try TerraformCheck.assertValid(root, in: rendered.root)
        try TerraformCheck.assertAppliesWithMockedAWS(root, in: rendered.root)
        let main = try String(contentsOf: rendered.root.appendingPathComponent("\(root)/main.tf"), encoding: .utf8)
        let objects = try rendered.objects("production")

        // Every role a ServiceAccount names is made here, for the account the stack declares,
        // and trusted for exactly the ServiceAccounts that take it.
        XCTAssertTrue(main.contains(#"allowed_account_ids = ["111122223333"]"#), main)
        var annotated = objects.filter { $0.kind == "ServiceAccount" }.compactMap { ($0.value(at: "metadata.annotations") as? [String: String])?["eks.amazonaws.com/role-arn"] }
        let cluster = try XCTUnwrap(objects.first { $0.kind == "Cluster" && $0.name == "db" })
        annotated += [try XCTUnwrap((cluster.value(at: "spec.serviceAccountTemplate.metadata.annotations") as? [String: String])?["eks.amazonaws.com/role-arn"])]
        XCTAssertEqual(Set(annotated).count, 4, "\(annotated)")
        for arn in annotated {
            XCTAssertTrue(arn.hasPrefix("arn:aws:iam::111122223333:role/"), arn)
            XCTAssertTrue(main.contains("name     = \"\(arn.split(separator: "/").last!)\""), "no role \(arn)")
        }
        for subject in ["secret-reader", "db", "db-restore-test", "web", "thumbnails"] {
            XCTAssertTrue(main.contains("\"system:serviceaccount:marketplace-production:\(subject)\""), subject)
        }
        XCTAssertTrue(main.contains(#""${local.issuer}:sub" = each.value.subjects"#))
        XCTAssertTrue(main.contains("secret:marketplace/production/*"), "the store's role reads this environment's secrets only")
        XCTAssertFalse(main.contains("aws_iam_access_key"), "no access key anywhere")

        // The backups go where the cluster writes them, and are replicated to the copy region.
        let destination = try XCTUnwrap(cluster.value(at: "spec.backup.barmanObjectStore.destinationPath") as? String)
        XCTAssertEqual(destination, "s3://marketplace-production-backups-111122223333/")
        XCTAssertEqual((cluster.value(at: "spec.backup.barmanObjectStore.s3Credentials") as? [String: Bool]), ["inheritFromIAMRole": true])
        XCTAssertTrue(main.contains("bucket   = \"marketplace-production-backups-111122223333\""), main)
        XCTAssertTrue(main.contains("alias  = \"copy\"\n  region = \"us-west-2\""), main)
        XCTAssertTrue(main.contains("bucket   = \"marketplace-production-backup-copy-111122223333\""), main)
        XCTAssertTrue(main.contains("resource \"aws_s3_bucket_replication_configuration\" \"backups\""), main)

        // The media bucket is made, and its name reaches the workloads that use it.
        XCTAssertTrue(main.contains("name      = \"marketplace-production-media-111122223333\""), main)
        for workload in ["web", "thumbnails"] {
            let configMap = try XCTUnwrap(objects.first { $0.kind == "ConfigMap" && $0.name.hasPrefix("\(workload)-config-") })
            XCTAssertEqual((configMap["data"] as? [String: String])?["MEDIA_BUCKET"], "marketplace-production-media-111122223333", workload)
            let deployment = try XCTUnwrap(objects.first { $0.kind == "Deployment" && $0.name == workload })
            XCTAssertEqual(deployment.value(at: "spec.template.spec.serviceAccountName") as? String, workload)
        }
        let api = try XCTUnwrap(objects.first { $0.kind == "Deployment" && $0.name == "api" })
        XCTAssertNil(api.value(at: "spec.template.spec.serviceAccountName"), "api uses no bucket: no role")
    }

    /// S3 takes 63 characters in a bucket's name and IAM 64 in a role's: with a 32-character stack
    /// every name stays within them (a long one keeps its start and a hash of the whole), the
    /// names stay distinct, and the manifests name what Terraform makes.
    func testLongNamesStayWithinAWSLimits() throws {
        var spec = try Fixtures.example("marketplace")
        spec.name = "marketplace-with-a-long-name-abc"
        XCTAssertEqual(spec.name.count, 32)
        let files = try Fixtures.renderer.render(spec).files
        var shortened = 0
        for environment in ["development", "staging", "production"] {
            let main = try XCTUnwrap(files["environments/\(environment)/cloud/main.tf"], environment).text
            // Buckets: the map's names (followed by `versioned`) and the backups' buckets; roles:
            // the identities' names (followed by `subjects`) and the replication role's.
            let buckets = main.matches(of: /name += "([^"]+)"\n +versioned/).map { String($0.output.1) }
                + main.matches(of: /\n  bucket += "([^"]+)"/).map { String($0.output.1) }
            let roles = main.matches(of: /name += "([^"]+)"\n +subjects/).map { String($0.output.1) }
                + main.matches(of: /\n  name = "([^"]+)"\n  assume_role_policy/).map { String($0.output.1) }
            XCTAssertFalse(buckets.isEmpty || roles.isEmpty, environment)
            for bucket in buckets { XCTAssertLessThanOrEqual(bucket.count, 63, bucket) }
            for role in roles { XCTAssertLessThanOrEqual(role.count, 64, role) }
            XCTAssertEqual(Set(buckets + roles).count, (buckets + roles).count, "distinct: \(buckets + roles)")
            shortened += buckets.filter { !$0.hasSuffix("-111122223333") }.count
            // The manifests name the same buckets and roles.
            let manifests = files.files.filter { $0.path.value.hasPrefix("kubernetes/overlays/\(environment)/") || $0.path.value.hasPrefix("kubernetes/cluster/\(environment)/") }
                .map(\.text).joined(separator: "\n")
            for name in manifests.matches(of: /s3:\/\/([a-z0-9.-]+)\//).map({ String($0.output.1) }) { XCTAssertTrue(buckets.contains(name), "\(environment): \(name) is not made") }
            for name in manifests.matches(of: /role\/([A-Za-z0-9+=,.@_-]+)/).map({ String($0.output.1) }) { XCTAssertTrue(roles.contains(name), "\(environment): role \(name) is not made") }
        }
        XCTAssertGreaterThan(shortened, 0, "the long names were shortened")
    }

    func testTheReadmeListsThePrerequisitesInOrderAndTheDeploysOrder() throws {
        let rendered = try KubernetesRendering.marketplace()
        defer { try? FileManager.default.removeItem(at: rendered.root) }
        let readme = try String(contentsOf: rendered.root.appendingPathComponent("README.md"), encoding: .utf8)
        let production = try XCTUnwrap(readme.components(separatedBy: "\n## production\n").last)
        let steps = [
            "the External Secrets Operator v2.9", "cert-manager v1.21", "the CloudNativePG operator v1.30", "prometheus-operator v0.93",
            "terraform -chdir=environments/production/cloud", "kubectl apply --server-side -k kubernetes/cluster/production",
            "`marketplace/production/SESSION_SIGNING_KEY`", "`origin.www.market.example.com` pointing at ingress-nginx",
            "`use-forwarded-headers: \"true\"`", "`KUBE_CONFIG`",
        ]
        let positions = try steps.map { try XCTUnwrap(production.range(of: $0), $0).lowerBound }
        XCTAssertEqual(positions, positions.sorted(), "the prerequisites read in the order to do them")
        XCTAssertTrue(production.contains("The deploy applies, in order: the Namespace; the ServiceAccounts; the ExternalSecrets (awaited until synced); the database clusters (awaited until ready);"))
        XCTAssertTrue(production.contains("except on a first deploy"))
        XCTAssertTrue(production.contains("S3 replicates the backups' bucket to `marketplace-production-backup-copy-111122223333`"))

        let secrets = try XCTUnwrap(try Yams.load(yaml: String(contentsOf: rendered.root.appendingPathComponent("environments/production/secrets.yaml"), encoding: .utf8)) as? [String: Any])
        let delivered = try XCTUnwrap(secrets.value(at: "kubernetes.secrets") as? [[String: Any]])
        let web = try XCTUnwrap(delivered.first { $0["name"] as? String == "web-secrets" })
        XCTAssertEqual((web["keys"] as? [[String: String]])?.map { $0["from"] ?? "" }, ["marketplace/production/SENTRY_DSN", "marketplace/production/SESSION_SIGNING_KEY"])
        XCTAssertEqual(delivered.first { $0["name"] as? String == "db-app" }?["madeBy"] as? String, "cloudnative-pg")
    }
}
