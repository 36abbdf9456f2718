import Foundation
import XCTest
import Yams

/// The deploy's wait for the ECS services, run as the deploy runs it against Terraform's outputs
/// and an AWS CLI answering as ECS does: a release is deployed only when each service's PRIMARY
/// deployment runs the task definition just applied and its rollout is COMPLETED.
final class AWSRolloutTests: XCTestCase {
    private static let new = "arn:aws:ecs:eu-west-1:123456789012:task-definition/marketplace-production-web:8"
    private static let previous = "arn:aws:ecs:eu-west-1:123456789012:task-definition/marketplace-production-web:7"

    private func waitStep() throws -> (script: String, environment: [String: String], services: [String]) {
        let files = try Fixtures.renderer.render(try Fixtures.variant("marketplace-aws")).files
        let workflow = try XCTUnwrap(try Yams.load(yaml: try XCTUnwrap(files[".github/workflows/marketplace-deploy.yml"]).text) as? [String: Any])
        let steps = try XCTUnwrap(((workflow["jobs"] as? [String: Any])?["production-apply"] as? [String: Any])?["steps"] as? [[String: Any]])
        let step = try XCTUnwrap(steps.first { $0["name"] as? String == "Wait for the ECS services" })
        let script = try XCTUnwrap(step["run"] as? String)
        let services = try XCTUnwrap(script.firstMatch(of: /for service in ([^;]+); do/)).output.1.split(separator: " ").map { $0.replacingOccurrences(of: "'", with: "") }
        return (script, try XCTUnwrap(step["env"] as? [String: String]), services)
    }

    /// `answers`: what ECS says of the PRIMARY deployment, one line per poll (the last repeats).
    private func run(answers: [String]) throws -> Tools.Result {
        let (script, environment, services) = try waitStep()
        let bin = try Fixtures.temporaryDirectory("ecs-stub")
        defer { try? FileManager.default.removeItem(at: bin) }
        let definitions = "{" + services.map { "\"\($0)\":\"\($0 == "web" ? Self.new : Self.new.replacingOccurrences(of: "web", with: $0))\"" }.joined(separator: ",") + "}"
        try Tools.stub("terraform", in: bin, """
            #!/bin/bash
            [ "$*" = "-chdir=\(environment["TF_ROOT"]!) output -json service_task_definitions" ] || exit 2
            echo '\(definitions)'
            """)
        try answers.joined(separator: "\n").write(to: bin.appendingPathComponent("answers"), atomically: true, encoding: .utf8)
        try Tools.stub("aws", in: bin, """
            #!/bin/bash
            [ "$1 $2" = "ecs describe-services" ] || exit 2
            service=""; while [ $# -gt 0 ]; do [ "$1" = --services ] && service="$2"; shift; done
            count="$(cat "\(bin.path)/polls-$service" 2>/dev/null || echo 0)"; echo $((count + 1)) > "\(bin.path)/polls-$service"
            line="$(sed -n "$((count + 1))p" "\(bin.path)/answers")"; [ -n "$line" ] || line="$(tail -n 1 "\(bin.path)/answers")"
            printf '%s\\n' "${line//web/$service}"
            """)
        try Tools.stub("sleep", in: bin, "#!/bin/bash\n")
        return try Tools.run("/bin/bash", ["-e", "-o", "pipefail", "-c", script], environment: environment.merging([
            "PATH": bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? ""),
        ]) { _, new in new })
    }

    func testTheReleaseIsDeployedWhenEachRolloutCompletes() throws {
        let result = try run(answers: ["IN_PROGRESS\t\(Self.new)", "IN_PROGRESS\t\(Self.new)", "COMPLETED\t\(Self.new)"])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("Waiting for web to roll out \(Self.new)"), result.output)
    }

    func testACircuitBreakerRollbackFailsTheDeploy() throws {
        // services-stable would pass here: the rolled-back deployment completes.
        let result = try run(answers: ["IN_PROGRESS\t\(Self.new)", "COMPLETED\t\(Self.previous)"])
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.output.contains("ECS rolled web back to \(Self.previous) (its circuit breaker)"), result.output)
    }

    func testAFailedRolloutFailsTheDeploy() throws {
        let result = try run(answers: ["FAILED\t\(Self.new)"])
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.output.contains("The rollout of web failed."), result.output)
    }
}
