import Foundation
import StagecraftEmitters
import StagecraftPlanner
import XCTest

/// The burn-rate alerts of the catalogue, unit-tested by promtool: each fires within its window
/// at its burn rate, and stays quiet just below it. The service has a 99.9 % objective: an error
/// budget of 0.1 % of requests.
final class BurnRateAlertTests: XCTestCase {
    /// Requests a minute.
    private let perMinute = 10_000.0

    func testEachBurnRateAlertFiresAtItsRateAndStaysQuietJustBelow() throws {
        let promtool = try Tools.require("promtool")
        let plan = try Fixtures.renderer.render(try Fixtures.variant("shop-scale")).plan
        let production = try XCTUnwrap(plan.environment("production"))
        let web = try XCTUnwrap(production.monitoring.objectives.first { $0.service == "web" })
        XCTAssertEqual(web.availability, 99.9)

        let catalogue = AlertCatalogue(environment: production, source: ComposeMetricSource())
        let directory = try Fixtures.temporaryDirectory("burn-rate")
        defer { try? FileManager.default.removeItem(at: directory) }
        try RuleGroup.file(catalogue.groups).serialized().write(to: directory.appendingPathComponent("rules.yml"), atomically: true, encoding: .utf8)

        // For each window: the error rate (a multiple of the budget) at which it must fire, just
        // under it (quiet), and when to look: its long window and the alert's pending time.
        // The hour-scale windows sampled every minute; the day-scale ones every 5 minutes (each
        // file is evaluated at its own interval, which keeps three simulated days quick).
        for (name, windows, step) in [("fast", Array(AlertCatalogue.burnRateWindows.prefix(2)), 1), ("slow", Array(AlertCatalogue.burnRateWindows.suffix(2)), 5)] {
            var tests: [YAML] = []
            for window in windows {
                let alert = AlertCatalogue.burnRateAlert(window)
                let rule = try XCTUnwrap(catalogue.alert(alert, service: "web"))
                let pending = window.severity == .page ? 2 : 15
                let look = minutes(window.long) + pending + step
                tests.append(test(rate: window.factor * 1.05, minutes: look, step: step, rule: rule, fires: true))
                tests.append(test(rate: window.factor * 0.9, minutes: look + 60, step: step, rule: rule, fires: false))
            }
            let file = try YAML.map([
                ("rule_files", .list(["rules.yml"])),
                ("evaluation_interval", .string("\(step)m")),
                ("tests", .list(tests)),
            ]).serialized()
            let testFile = directory.appendingPathComponent("burn-rate-\(name).test.yml")
            try file.write(to: testFile, atomically: true, encoding: .utf8)
            let result = try Tools.run(promtool, ["test", "rules", testFile.path], in: directory)
            XCTAssertEqual(result.status, 0, result.output)
            XCTAssertTrue(result.output.contains("SUCCESS"), result.output)
        }
    }

    /// A promtool test: `rate` times the budget in errors, from the start, looked at after `minutes`.
    private func test(rate: Double, minutes: Int, step: Int, rule: PrometheusRule, fires: Bool) -> YAML {
        guard case .alert(let alert, _, let severity, let summary, let description) = rule.kind else { return .null }
        let errors = perMinute * Double(step) * 0.001 * rate
        let points = minutes / step + 5
        let expected: [YAML] = fires ? [.map([
            ("exp_labels", .map([("alertname", .string(alert)), ("service", "web"), ("severity", .string(severity.rawValue))])),
            ("exp_annotations", .map([("summary", .string(summary)), ("description", .string(description))])),
        ])] : []
        return .map([
            ("name", .string("\(alert) \(fires ? "fires" : "stays quiet") at \(rate)× the budget")),
            ("interval", .string("\(step)m")),
            ("input_series", .list([
                .map([("series", #"nginx_requests_total{service="web", code="500", job="nginx"}"#), ("values", .string("0+\(errors)x\(points)"))]),
                .map([("series", #"nginx_requests_total{service="web", code="200", job="nginx"}"#), ("values", .string("0+\(perMinute * Double(step) - errors)x\(points)"))]),
            ])),
            ("alert_rule_test", .list([.map([
                ("eval_time", .string("\(minutes)m")),
                ("alertname", .string(alert)),
                ("exp_alerts", .list(expected)),
            ])])),
        ])
    }

    private func minutes(_ window: String) -> Int {
        let value = Int(window.dropLast())!
        switch window.last! {
        case "m": return value
        case "h": return value * 60
        default: return value * 1440
        }
    }
}
