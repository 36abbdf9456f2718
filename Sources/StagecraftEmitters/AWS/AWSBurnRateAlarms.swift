/// The multiwindow, multi-burn-rate alarms of the services with an availability objective, in
/// CloudWatch: per window pair, one metric-math alarm on the load balancer's error ratio over
/// the long window and one over the short, and a composite alarm that notifies when both are
/// in alarm. The windows and factors are the alert catalogue's, as on the other platforms.
enum AWSBurnRateAlarms {
    static var items: [HCLItem] {
        comment("""
            The windows of AlertCatalogue.burnRateWindows, in seconds. CloudWatch periods stop at a
            day, so a 3-day window is judged as three consecutive daily ratios, each over its threshold.
            """) + [
            .block(HCLBlock("locals") {
                attr("burn_rate_windows", .list(AlertCatalogue.burnRateWindows.map { window in
                    [
                        "name": .string(window.long),
                        "long": .int(seconds(window.long)),
                        "short": .int(seconds(window.short)),
                        "factor": .number(window.factor),
                        "severity": .string(window.severity == .page ? "pages" : "tickets"),
                        "budget_spent": .string(window.budgetSpent),
                    ]
                }))
                attr("burn_rates", .ref(#"""
                    merge([
                        for service, objective in var.monitoring.objectives : {
                          for window in local.burn_rate_windows : "${service}-${window.name}" => merge(window, {
                            service   = service
                            threshold = window.factor * (100 - objective.availability) / 100
                          })
                        } if local.alerting && objective.availability != null
                      ]...)
                    """#))
                attr("error_ratios", .ref(#"""
                    merge([
                        for key, burn in local.burn_rates : {
                          for side in ["long", "short"] : "${key}-${side}" => {
                            service   = burn.service
                            window    = burn.name
                            seconds   = burn[side]
                            threshold = burn.threshold
                          }
                        }
                      ]...)
                    """#))
            }),
            .block(HCLBlock("resource", "aws_cloudwatch_metric_alarm", "error_ratio") {
                attr("for_each", .ref("local.error_ratios"))
                attr("alarm_name", .ref("\"${var.name}-${each.key}-error-ratio\""))
                attr("alarm_description", .ref(#""Half of ${each.value.service}'s ${each.value.window} burn-rate alarm: its error ratio over ${each.value.seconds / 60} minutes. It notifies no one; the composite alarm does.""#))
                attr("comparison_operator", "GreaterThanThreshold")
                attr("threshold", .ref("each.value.threshold"))
                attr("evaluation_periods", .ref("max(1, floor(each.value.seconds / 86400))"))
                attr("datapoints_to_alarm", .ref("max(1, floor(each.value.seconds / 86400))"))
                attr("treat_missing_data", "notBreaching")
                HCLItem.blank
                HCLBlock("metric_query") {
                    attr("id", "ratio")
                    attr("expression", "FILL(errors, 0) / requests")
                    attr("label", "5xx ratio")
                    attr("return_data", true)
                }
                query("errors", serviceMetric("HTTPCode_Target_5XX_Count", service: "each.value.service"), period: .ref("min(86400, each.value.seconds)"))
                query("requests", serviceMetric("RequestCount", service: "each.value.service"), period: .ref("min(86400, each.value.seconds)"))
            }),
            .block(HCLBlock("resource", "aws_cloudwatch_composite_alarm", "error_budget_burn") {
                attr("for_each", .ref("local.burn_rates"))
                attr("alarm_name", .ref("\"${var.name}-${each.value.service}-error-budget-burn-${each.value.name}\""))
                attr("alarm_description", .ref(#""${each.value.service} spends its error budget ${each.value.factor}× too fast: at this rate ${each.value.budget_spent} of 30 days' budget is gone within ${each.value.name}.""#))
                attr("alarm_rule", .ref(#""ALARM(\"${aws_cloudwatch_metric_alarm.error_ratio["${each.key}-long"].alarm_name}\") AND ALARM(\"${aws_cloudwatch_metric_alarm.error_ratio["${each.key}-short"].alarm_name}\")""#))
                attr("alarm_actions", .ref("[local.alert_topic_arns[each.value.severity]]"))
                attr("ok_actions", .ref("[local.alert_topic_arns[each.value.severity]]"))
            }),
        ]
    }

    /// A load balancer metric of one service's target group.
    static func serviceMetric(_ name: String, statistic: String = "Sum", service: String) -> AWSAlarms.Metric {
        AWSAlarms.Metric(namespace: "AWS/ApplicationELB", name: name, statistic: statistic, dimensions: [
            ("LoadBalancer", .ref("aws_lb.this.arn_suffix")),
            ("TargetGroup", .ref("aws_lb_target_group.this[\(service)].arn_suffix")),
        ])
    }

    /// A `metric_query` that names a metric (its data is not the alarm's: `return_data` false).
    static func query(_ id: String, _ metric: AWSAlarms.Metric, period: HCLValue) -> HCLBlock {
        HCLBlock("metric_query") {
            attr("id", .string(id))
            attr("return_data", false)
            HCLItem.blank
            HCLBlock("metric") {
                attr("namespace", .string(metric.namespace))
                attr("metric_name", .string(metric.name))
                attr("stat", .string(metric.statistic))
                attr("period", period)
                attr("dimensions", .object(metric.dimensions.map { HCLAttribute($0.0, $0.1) }))
            }
        }
    }

    /// `5m`, `2h`, `1d` as seconds.
    static func seconds(_ window: String) -> Int {
        let unit: [Character: Int] = ["m": 60, "h": 3600, "d": 86400]
        return (Int(window.dropLast()) ?? 0) * (window.last.flatMap { unit[$0] } ?? 1)
    }
}
