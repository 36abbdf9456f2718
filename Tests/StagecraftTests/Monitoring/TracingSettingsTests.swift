import Foundation
import StagecraftOutput
import XCTest

/// Tracing on: every workload is told the OpenTelemetry settings for its platform's collector,
/// and the collector is there (AWS) or listed as expected (Kubernetes). Tracing off: nothing.
final class TracingSettingsTests: XCTestCase {
    func testKubernetesWorkloadsAreToldTheClustersCollector() throws {
        let spec = try Fixtures.variant("shop-scale")
        let plan = try Fixtures.renderer.plan(spec)
        let files = try Fixtures.renderer.render(spec).files
        var traced = 0
        for environment in plan.environments where environment.platform == .kubernetes {
            let overlay = try XCTUnwrap(files["kubernetes/overlays/\(environment.name)/kustomization.yaml"]).text
            let told = overlay.contains("- OTEL_EXPORTER_OTLP_ENDPOINT=http://opentelemetry-collector.monitoring.svc:4317")
            XCTAssertEqual(told, environment.monitoring.tracing, environment.name)
            XCTAssertEqual(overlay.contains("#   - an OpenTelemetry collector receiving OTLP"), environment.monitoring.tracing, environment.name)
            if environment.monitoring.tracing {
                traced += 1
                for workload in environment.workloads {
                    XCTAssertTrue(overlay.contains("- OTEL_SERVICE_NAME=\(workload.name)\n"), "\(environment.name) \(workload.name)")
                }
            }
        }
        XCTAssertGreaterThan(traced, 0, "a stack at scale traces somewhere")
        XCTAssertTrue(try XCTUnwrap(files["README.md"]).text.contains("an OpenTelemetry collector receiving OTLP"))
    }

    func testAWSTasksCarryACollectorThatWritesToXRay() throws {
        let spec = try Fixtures.variant("shop-scale-aws")
        let plan = try Fixtures.renderer.plan(spec)
        let files = try Fixtures.renderer.render(spec).files
        for environment in plan.environments {
            let main = try XCTUnwrap(files["terraform/environments/\(environment.name)/main.tf"]).text
            XCTAssertNotNil(main.range(of: #"tracing\s+= \#(environment.monitoring.tracing)\n"#, options: .regularExpression), environment.name)
            XCTAssertEqual(main.contains(#"OTEL_EXPORTER_OTLP_ENDPOINT = "http://127.0.0.1:4317""#), environment.monitoring.tracing, environment.name)
        }
        XCTAssertTrue(plan.environments.contains { $0.monitoring.tracing })
        let ecs = try XCTUnwrap(files["terraform/modules/shop/ecs.tf"]).text
        XCTAssertTrue(ecs.contains("var.monitoring.tracing ? [local.trace_collector[each.key]] : []"), ecs)
        XCTAssertTrue(ecs.contains(#"name        = "aws-otel-collector""#))
        XCTAssertTrue(ecs.contains(#"{ name = "AOT_CONFIG_CONTENT", value = local.trace_collector_config }"#))
        XCTAssertTrue(ecs.contains("arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"))
        XCTAssertTrue(ecs.contains(#"exporters  = ["awsxray"]"#), ecs)
    }
}
