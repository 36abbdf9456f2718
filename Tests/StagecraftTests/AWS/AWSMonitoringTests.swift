import Foundation
import StagecraftEmitters
import StagecraftOutput
import XCTest

/// CloudWatch alarms, where they go, and the function that forwards them to Slack and PagerDuty.
final class AWSMonitoringTests: XCTestCase {
    private static func shopAtScale() throws -> FileSet { try Fixtures.renderer.render(try Fixtures.variant("shop-scale-aws")).files }
    private static func marketplace() throws -> FileSet { try Fixtures.renderer.render(try Fixtures.variant("marketplace-aws")).files }

    /// What each namespace publishes, from AWS's metric references: a metric, and the
    /// dimensions it is published with, each naming the resource whose value it takes.
    private static let published: [String: [String: [String: String]]] = {
        let targetGroup = ["LoadBalancer": "aws_lb.this.arn_suffix", "TargetGroup": "aws_lb_target_group.this["]
        let instance = ["DBInstanceIdentifier": "aws_db_instance."]
        let node = ["CacheClusterId": "aws_elasticache_replication_group.this["]
        let vault = ["BackupVaultName": "aws_backup_vault.this[0].name"]
        return [
            "AWS/ApplicationELB": [
                "HTTPCode_Target_5XX_Count": targetGroup, "RequestCount": targetGroup, "TargetResponseTime": targetGroup,
                "HealthyHostCount": targetGroup, "UnHealthyHostCount": targetGroup,
            ],
            "ECS/ContainerInsights": ["RunningTaskCount": ["ClusterName": "aws_ecs_cluster.this.name", "ServiceName": "each.key"]],
            "AWS/RDS": ["CPUUtilization": instance, "FreeStorageSpace": instance, "DatabaseConnections": instance, "ReplicaLag": ["DBInstanceIdentifier": "aws_db_instance.replica["],
                        "DatabaseConnectionsBorrowLatency": ["ProxyName": "aws_db_proxy.this["]],
            "AWS/ElastiCache": ["DatabaseMemoryUsagePercentage": node, "Evictions": node],
            "AWS/Backup": ["NumberOfBackupJobsFailed": vault, "NumberOfBackupJobsCompleted": vault, "NumberOfRestoreJobsFailed": ["ResourceType": "\"RDS\""]],
            "AWS/CertificateManager": ["DaysToExpiry": ["CertificateArn": "local.certificate_arn"]],
            "AWS/CloudFront": ["5xxErrorRate": ["DistributionId": "module.cdn[0].distribution_id", "Region": "\"Global\""]],
            "AWS/Route53": ["HealthCheckStatus": ["HealthCheckId": "aws_route53_health_check.uptime[0].id"]],
        ]
    }()

    /// Metrics CloudWatch keeps only in us-east-1, whatever region the resource is in.
    private static let usEast1Only: Set<String> = ["AWS/CloudFront", "AWS/Route53"]

    private struct Watched {
        let alarm: String
        let namespace: String
        let metric: String
        let dimensions: [String: String]
        let inUSEast1: Bool
    }

    /// Every metric an alarm of `text` names, with its dimensions.
    private static func watched(_ text: String) throws -> [Watched] {
        let alarms = text.matches(of: /(?ms)^resource "aws_cloudwatch_metric_alarm" "(\w+)" \{\n(.*?)^\}/)
        return alarms.flatMap { alarm -> [Watched] in
            let body = String(alarm.output.2)
            let inUSEast1 = body.contains("provider            = aws.us_east_1") || body.contains("provider = aws.us_east_1")
                || body.range(of: #"provider\s+= aws\.us_east_1"#, options: .regularExpression) != nil
            return body.matches(of: /(?ms)namespace\s+= "([^"]+)"\n\s*metric_name\s+= "([^"]+)".*?dimensions\s+= \{\n(.*?)\n\s*\}/).map { match in
                let dimensions = String(match.output.3).split(separator: "\n").reduce(into: [String: String]()) { result, line in
                    let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    if parts.count == 2 { result[parts[0]] = parts[1] }
                }
                return Watched(alarm: String(alarm.output.1), namespace: String(match.output.1), metric: String(match.output.2),
                               dimensions: dimensions, inUSEast1: inUSEast1)
            }
        }
    }

    func testEveryAlarmWatchesAMetricAndDimensionsItsResourcePublishes() throws {
        for (files, stack) in [(try Self.shopAtScale(), "shop"), (try Self.marketplace(), "marketplace")] {
            let alarms = try XCTUnwrap(files["terraform/modules/\(stack)/alarms.tf"]).text
            let watched = try Self.watched(alarms)
            XCTAssertGreaterThanOrEqual(Set(watched.map(\.alarm)).count, 17, "every alarm resource was read")
            for metric in watched {
                let context = "\(stack): \(metric.alarm) watches \(metric.namespace) \(metric.metric)"
                let expected = try XCTUnwrap(Self.published[metric.namespace]?[metric.metric], "\(context), which the table does not know")
                XCTAssertEqual(Set(metric.dimensions.keys), Set(expected.keys), context)
                for (dimension, resource) in expected {
                    XCTAssertTrue(metric.dimensions[dimension]?.contains(resource) == true,
                                  "\(context): \(dimension) is \(metric.dimensions[dimension] ?? "missing"), not a value of \(resource)")
                }
                XCTAssertEqual(metric.inUSEast1, Self.usEast1Only.contains(metric.namespace), "\(context): alarms live where the metric is published")
            }
            let namespaces = Set(watched.map(\.namespace))
            XCTAssertEqual(namespaces, Set(Self.published.keys), "\(stack): every resource the module runs is watched")
        }
    }

    func testTheDashboardGraphsPublishedMetrics() throws {
        let dashboard = try XCTUnwrap(try Self.shopAtScale()["terraform/modules/shop/dashboard.tf"]).text
        let metricArray = try Regex(#"\["([A-Za-z/]+)", "(\w+)", "#, as: (Substring, Substring, Substring).self)
        let graphed = dashboard.matches(of: metricArray).map { (String($0.output.1), String($0.output.2)) }
        XCTAssertGreaterThanOrEqual(graphed.count, 12)
        let ecsService: Set<String> = ["CPUUtilization", "MemoryUtilization"]
        for (namespace, metric) in graphed {
            let known = Self.published[namespace]?[metric] != nil || (namespace == "AWS/ECS" && ecsService.contains(metric))
            XCTAssertTrue(known, "\(namespace) \(metric)")
        }
    }

    /// Burn-rate windows and factors are the alert catalogue's; the composite alarm pages or
    /// files a ticket as the catalogue's severity says.
    func testBurnRateAlarmsUseTheCataloguesWindows() throws {
        let alarms = try XCTUnwrap(try Self.shopAtScale()["terraform/modules/shop/alarms.tf"]).text
        for window in AlertCatalogue.burnRateWindows {
            let line = #"name = "\#(window.long)", long = "#
            XCTAssertNotNil(alarms.range(of: #"name\s+= "\#(window.long)""#, options: .regularExpression), line)
        }
        XCTAssertTrue(alarms.contains("factor       = 14.4"), alarms)
        XCTAssertTrue(alarms.contains(#"ALARM(\"${aws_cloudwatch_metric_alarm.error_ratio["${each.key}-long"].alarm_name}\") AND ALARM("#))
        let production = try XCTUnwrap(try Self.shopAtScale()["terraform/environments/production/main.tf"]).text
        XCTAssertNotNil(production.range(of: #"availability\s+= 99.9\n"#, options: .regularExpression), production)
    }

    func testReceiversAreSubscribedBySecretNameAndDevelopmentHasNoAlarms() throws {
        let marketplace = try Self.marketplace()
        let production = try XCTUnwrap(marketplace["terraform/environments/production/main.tf"]).text
        XCTAssertNotNil(production.range(of: #"alerting\s+= true"#, options: .regularExpression))
        XCTAssertNotNil(production.range(of: #"slack_secret\s+= "SLACK_WEBHOOK_URL""#, options: .regularExpression), production)
        XCTAssertNotNil(production.range(of: #"pagerduty_secret\s+= "PAGERDUTY_ROUTING_KEY""#, options: .regularExpression), production)
        let development = try XCTUnwrap(marketplace["terraform/environments/development/main.tf"]).text
        XCTAssertNotNil(development.range(of: #"alerting\s+= false"#, options: .regularExpression), development)
        let shop = try XCTUnwrap(try Self.shopAtScale()["terraform/environments/production/main.tf"]).text
        XCTAssertNotNil(shop.range(of: #"emails\s+= \["ops@shop.example.com"\]"#, options: .regularExpression), shop)
        let alerts = try XCTUnwrap(marketplace["terraform/modules/marketplace/alerts.tf"]).text
        XCTAssertTrue(alerts.contains(#"protocol  = "email""#))
        XCTAssertTrue(alerts.contains(#"Resource = [for secret in local.alert_secrets : "${local.parameter_arn_prefix}${secret}"]"#), "reads exactly its two parameters")
        XCTAssertFalse(alerts.contains("hooks.slack.com"))
    }

    func testTheForwarderArchiveHoldsTheSourceBesideIt() throws {
        let files = try Self.marketplace()
        let source = try XCTUnwrap(files["terraform/modules/marketplace/alert-forwarder/alert_forwarder.py"])
        let archive = try XCTUnwrap(files["terraform/modules/marketplace/alert-forwarder.zip"])
        let directory = try Fixtures.temporaryDirectory("forwarder")
        defer { try? FileManager.default.removeItem(at: directory) }
        let zip = directory.appendingPathComponent("forwarder.zip")
        try Data(archive.contents).write(to: zip)
        let python = try Tools.require("python3")
        let listing = try Tools.run(python, ["-c", """
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1]) as archive:
                assert archive.testzip() is None
                print(" ".join(archive.namelist()))
                sys.stdout.flush()
                sys.stdout.buffer.write(archive.read("alert_forwarder.py"))
            """, zip.path])
        XCTAssertEqual(listing.status, 0, listing.output)
        XCTAssertEqual(listing.output, "alert_forwarder.py\n" + source.text)
    }

    /// The packaged function, run as Lambda runs it: SSM answered by moto in process, Slack and
    /// PagerDuty by a server on loopback. Pages reach both, tickets only Slack, a recovery
    /// resolves the incident, a failed delivery raises so Lambda retries it.
    func testTheForwarderDeliversPagesAndTickets() throws {
        let python = Tools.venvBin.appendingPathComponent("python").path
        guard FileManager.default.isExecutableFile(atPath: python) else { throw XCTSkip("scripts/bootstrap --tools has not installed the venv") }
        let files = try Self.marketplace()
        let archive = try XCTUnwrap(files["terraform/modules/marketplace/alert-forwarder.zip"])
        let directory = try Fixtures.temporaryDirectory("forwarder-live")
        defer { try? FileManager.default.removeItem(at: directory) }
        let zip = directory.appendingPathComponent("alert-forwarder.zip")
        try Data(archive.contents).write(to: zip)
        let driver = directory.appendingPathComponent("driver.py")
        try Self.driver.write(to: driver, atomically: true, encoding: .utf8)
        let result = try Tools.run(python, [driver.path, zip.path, directory.appendingPathComponent("package").path])
        XCTAssertEqual(result.status, 0, result.output)
        let line = try XCTUnwrap(result.output.split(separator: "\n").last)
        let results = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], result.output)
        func deliveries(_ key: String) -> [[String: Any]] { results[key] as? [[String: Any]] ?? [] }

        let page = deliveries("page")
        XCTAssertEqual(page.map { $0["path"] as? String }, ["/slack/T000/B000/secret", "/pagerduty"], "\(page)")
        let slack = try XCTUnwrap(page.first?["body"] as? [String: Any])
        XCTAssertTrue((slack["text"] as? String)?.contains("*ALARM* [page] marketplace-production-web-5xx") == true, "\(slack)")
        let incident = try XCTUnwrap(page.last?["body"] as? [String: Any])
        XCTAssertEqual(incident["routing_key"] as? String, "routing-key-0123")
        XCTAssertEqual(incident["event_action"] as? String, "trigger")
        XCTAssertEqual(incident["dedup_key"] as? String, "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:marketplace-production-web-5xx")

        let ticket = deliveries("ticket")
        XCTAssertEqual(ticket.map { $0["path"] as? String }, ["/slack/T000/B000/secret"], "a ticket never pages")
        XCTAssertTrue(((ticket.first?["body"] as? [String: Any])?["text"] as? String)?.contains("[ticket]") == true)

        let recovery = deliveries("recovery")
        XCTAssertEqual(recovery.map { $0["path"] as? String }, ["/slack/T000/B000/secret", "/pagerduty"])
        XCTAssertEqual((recovery.last?["body"] as? [String: Any])?["event_action"] as? String, "resolve")

        XCTAssertTrue(deliveries("insufficient").isEmpty, "INSUFFICIENT_DATA notifies no one")
        XCTAssertTrue((results["failure"] as? String)?.hasPrefix("raised") == true, "\(results["failure"] ?? "")")
    }

    private static let driver = #"""
        import json, os, sys, threading, zipfile
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        archive, package = sys.argv[1], sys.argv[2]
        with zipfile.ZipFile(archive) as z:
            z.extractall(package)
        sys.path.insert(0, package)

        received, answer = [], {"status": 200}

        class Receiver(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append({"path": self.path, "body": json.loads(body)})
                self.send_response(answer["status"])
                self.end_headers()

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        pages = "arn:aws:sns:eu-west-1:123456789012:marketplace-production-pages"
        tickets = "arn:aws:sns:eu-west-1:123456789012:marketplace-production-tickets"
        os.environ.update(
            AWS_DEFAULT_REGION="eu-west-1", AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
            SLACK_WEBHOOK_PARAMETER="/marketplace/production/SLACK_WEBHOOK_URL",
            PAGERDUTY_ROUTING_KEY_PARAMETER="/marketplace/production/PAGERDUTY_ROUTING_KEY",
            TICKET_TOPIC_ARNS=tickets, PAGERDUTY_EVENTS_URL=f"{base}/pagerduty",
        )

        import boto3
        from moto import mock_aws

        def event(topic, state, name="marketplace-production-web-5xx"):
            alarm = {
                "AlarmName": name, "AlarmDescription": "web answered more than 5 % of requests with a server error.",
                "NewStateValue": state, "NewStateReason": "Threshold Crossed", "StateChangeTime": "2026-11-30T10:00:00.000+0000",
                "AlarmArn": f"arn:aws:cloudwatch:eu-west-1:123456789012:alarm:{name}",
            }
            return {"Records": [{"Sns": {"TopicArn": topic, "Message": json.dumps(alarm)}}]}

        with mock_aws():
            ssm = boto3.client("ssm")
            ssm.put_parameter(Name="/marketplace/production/SLACK_WEBHOOK_URL", Value=f"{base}/slack/T000/B000/secret", Type="SecureString")
            ssm.put_parameter(Name="/marketplace/production/PAGERDUTY_ROUTING_KEY", Value="routing-key-0123", Type="SecureString")
            import alert_forwarder

            results = {}
            for case, topic, state in [("page", pages, "ALARM"), ("ticket", tickets, "ALARM"), ("recovery", pages, "OK"), ("insufficient", pages, "INSUFFICIENT_DATA")]:
                received.clear()
                alert_forwarder.handler(event(topic, state), None)
                results[case] = list(received)
            answer["status"] = 500
            try:
                alert_forwarder.handler(event(pages, "ALARM"), None)
                results["failure"] = "delivered"
            except Exception as error:
                results["failure"] = f"raised: {error}"
        server.shutdown()
        print(json.dumps(results))
        """#
}
