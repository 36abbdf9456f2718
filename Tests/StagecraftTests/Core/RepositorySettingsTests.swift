import Foundation
import XCTest

/// `.github/configure-repository.sh`, run as an administrator runs it, against a stand-in for
/// `gh` that answers as GitHub's API does and records each request: the environments the
/// workflows deploy to, from their branch, with reviewers where the stack asks for approval, and
/// the default branch's protection requiring the checks pull requests run.
final class RepositorySettingsTests: XCTestCase {
    /// Runs the script in `folder`, where the stand-in keeps what it was asked to create.
    private func run(_ arguments: [String], in folder: URL) throws -> (Tools.Result, requests: [String]) {
        let files = try Fixtures.renderer.render(try Fixtures.example("shop")).files
        let script = try XCTUnwrap(files[".github/configure-repository.sh"]).text
        let log = folder.appendingPathComponent("requests")
        try? FileManager.default.removeItem(at: log)
        // Each request on a line of its own: the arguments, then the body it read, if any.
        try Tools.stub("gh", in: folder, """
            #!/bin/bash
            body=""
            if [[ " $* " == *" --input - "* ]]; then body="$(jq --compact-output --sort-keys . )"; fi
            echo "$* $body" >> "\(log.path)"
            case "$*" in
              "api users/alice --jq .id") echo 42 ;;
              "api orgs/acme/teams/ops --jq .id") echo 7 ;;
              *"deployment-branch-policies --jq .branch_policies[].name") [ -e "\(folder.path)/policy-$(echo "$*" | cut -d/ -f5)" ] && echo main ;;
              *"--method POST"*"deployment-branch-policies"*) touch "\(folder.path)/policy-$(echo "$*" | cut -d/ -f5)" ;;
            esac
            """)
        let path = folder.appendingPathComponent("configure-repository.sh")
        try script.write(to: path, atomically: true, encoding: .utf8)
        let result = try Tools.run("/bin/bash", [path.path] + arguments,
                                   environment: ["PATH": folder.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "")])
        let requests = ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        return (result, requests)
    }

    func testTheEnvironmentsAndTheBranchProtectionAreWhatTheWorkflowsAssume() throws {
        let folder = try Fixtures.temporaryDirectory("gh-stub")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (result, requests) = try run(["acme/shop", "alice", "acme/ops"], in: folder)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(requests.contains(#"api --method PUT repos/acme/shop/environments/staging --input - {"deployment_branch_policy":{"custom_branch_policies":true,"protected_branches":false},"reviewers":[]}"#), requests.joined(separator: "\n"))
        XCTAssertTrue(requests.contains(#"api --method PUT repos/acme/shop/environments/production --input - {"deployment_branch_policy":{"custom_branch_policies":true,"protected_branches":false},"reviewers":[{"id":42,"type":"User"},{"id":7,"type":"Team"}]}"#), requests.joined(separator: "\n"))
        for environment in ["staging", "production"] {
            XCTAssertTrue(requests.contains("api --method POST repos/acme/shop/environments/\(environment)/deployment-branch-policies -f name=main -f type=branch "), requests.joined(separator: "\n"))
        }
        let protection = try XCTUnwrap(requests.first { $0.hasPrefix("api --method PUT repos/acme/shop/branches/main/protection --input - ") })
        let body = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(protection.dropFirst("api --method PUT repos/acme/shop/branches/main/protection --input - ".count).utf8)) as? [String: Any])
        let contexts = try XCTUnwrap((body["required_status_checks"] as? [String: Any])?["contexts"] as? [String])
        XCTAssertEqual(contexts, ["Build and test", "Lint", "Lint the new migrations", "Dependency review", "Generated files match the stack"])
        XCTAssertEqual((body["required_pull_request_reviews"] as? [String: Any])?["required_approving_review_count"] as? Int, 1)

        // Run again: the environments are set again, and no branch policy is added twice.
        let (again, more) = try run(["acme/shop", "alice"], in: folder)
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertEqual(more.filter { $0.contains("--method PUT repos/acme/shop/environments/") }.count, 2)
        XCTAssertEqual(more.filter { $0.contains("--method POST") }, [])
    }

    func testTheScriptPassesShellcheck() throws {
        let shellcheck = try Tools.require("shellcheck")
        let files = try Fixtures.renderer.render(try Fixtures.example("shop")).files
        let result = try Tools.run(shellcheck, ["--severity", "warning", "-"], input: try XCTUnwrap(files[".github/configure-repository.sh"]).text)
        XCTAssertEqual(result.status, 0, result.output)
    }

    func testAnEnvironmentThatNeedsApprovalNeedsAReviewer() throws {
        let folder = try Fixtures.temporaryDirectory("gh-stub")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (result, requests) = try run(["acme/shop"], in: folder)
        XCTAssertEqual(result.status, 2, result.output)
        XCTAssertTrue(result.output.contains("production deploys after a reviewer approves: name at least one REVIEWER."), result.output)
        XCTAssertFalse(requests.contains { $0.contains("environments/production --input") }, "production is left as it was")
    }
}
