import StagecraftOutput

/// alerts.tf: where alarms go. Two topics, pages and tickets (a page wakes someone, a ticket
/// waits for working hours), plus a pages topic in us-east-1 for the alarms that must live
/// there; email addresses subscribe to all of them, and a small function forwards them to
/// Slack and PagerDuty, reading the webhook URL and routing key from Parameter Store when an
/// alarm arrives, so neither is in the configuration or the state.
enum AWSAlertRouting {
    static let forwarderArchive = "alert-forwarder.zip"
    static let forwarderSource = "alert-forwarder/alert_forwarder.py"

    /// The forwarder's source, readable beside the module, and the archive Lambda runs: the
    /// same bytes.
    static func forwarderFiles(folder: String, templates: TemplateLibrary) throws -> [GeneratedFile] {
        let source = Array(try templates.render("aws/alert-forwarder.py", [:]).utf8)
        return [
            GeneratedFile(path: try OutputPath("\(folder)/\(forwarderSource)"), contents: source, commentStyle: .none),
            GeneratedFile(path: try OutputPath("\(folder)/\(forwarderArchive)"),
                          contents: ZipArchive.stored([("alert_forwarder.py", source)]), commentStyle: .none),
        ]
    }

    static var file: HCLFile {
        HCLFile {
            HCLBlock("locals") {
                attr("alerting", .ref("var.monitoring.alerting"))
                attr("forwarding", .ref("local.alerting && (var.monitoring.slack_secret != null || var.monitoring.pagerduty_secret != null)"))
                attr("alert_secrets", .ref("compact([var.monitoring.slack_secret, var.monitoring.pagerduty_secret])"))
                HCLItem.blank
                comment("Every topic an alarm may notify, by a key known before apply.")
                attr("alert_topic_arns", .ref("""
                    merge(
                        { for key, topic in aws_sns_topic.alerts : key => topic.arn },
                        { for topic in aws_sns_topic.pages_us_east_1 : "pages_us_east_1" => topic.arn },
                      )
                    """))
            }
            HCLBlock("resource", "aws_sns_topic", "alerts") {
                attr("for_each", .ref(#"local.alerting ? toset(["pages", "tickets"]) : toset([])"#))
                attr("name", .ref("\"${var.name}-${each.key}\""))
                attr("kms_master_key_id", .ref("aws_kms_key.this.arn"))
            }
            comment("The topic of the alarms that live in us-east-1, under a key of that region CloudWatch may use.")
            AWSKeys.regionalKey("alerts_us_east_1", provider: "aws.us_east_1", condition: "local.alerting",
                                description: ": alerts in us-east-1", services: ["cloudwatch.amazonaws.com"])
            HCLBlock("resource", "aws_sns_topic", "pages_us_east_1") {
                attr("count", .ref("local.alerting ? 1 : 0"))
                attr("provider", .ref("aws.us_east_1"))
                comment("Named apart from the regional pages topic, which may be in us-east-1 too.")
                attr("name", .ref("\"${var.name}-edge-pages\""))
                attr("kms_master_key_id", .ref("aws_kms_key.alerts_us_east_1[0].arn"))
            }
            comment("Each address confirms its subscription from the first email AWS sends it.")
            HCLBlock("resource", "aws_sns_topic_subscription", "email") {
                attr("for_each", .ref(#"{ for pair in setproduct(keys(aws_sns_topic.alerts), var.monitoring.emails) : "${pair[0]}-${pair[1]}" => pair }"#))
                attr("topic_arn", .ref("aws_sns_topic.alerts[each.value[0]].arn"))
                attr("protocol", "email")
                attr("endpoint", .ref("each.value[1]"))
            }
            HCLBlock("resource", "aws_sns_topic_subscription", "email_us_east_1") {
                attr("for_each", .ref("local.alerting ? toset(var.monitoring.emails) : toset([])"))
                attr("provider", .ref("aws.us_east_1"))
                attr("topic_arn", .ref("aws_sns_topic.pages_us_east_1[0].arn"))
                attr("protocol", "email")
                attr("endpoint", .ref("each.key"))
            }
            forwarder
        }
    }

    private static var forwarder: [HCLItem] {
        let count = attr("count", .ref("local.forwarding ? 1 : 0"))
        return [
            .comment("Notifications the forwarder could not deliver after Lambda's retries, kept two weeks."),
            .block(HCLBlock("resource", "aws_sqs_queue", "alert_forwarder_failures") {
                count
                attr("name", .ref("\"${var.name}-alert-forwarder-failures\""))
                attr("kms_master_key_id", .ref("aws_kms_key.this.arn"))
                attr("message_retention_seconds", 1_209_600)
            }),
            .block(AWSLogGroup.block("alert_forwarder", count, name: "\"/aws/lambda/${var.name}-alert-forwarder\"")),
            .block(HCLBlock("resource", "aws_iam_role", "alert_forwarder") {
                count
                attr("name_prefix", AWSNames.rolePrefix("alerts"))
                attr("assume_role_policy", AWSPolicy.assumeRole("lambda.amazonaws.com"))
            }),
            .comment("Its own log group, the two parameters it reads, the queue of failures, and nothing else."),
            .block(HCLBlock("resource", "aws_iam_role_policy", "alert_forwarder") {
                count
                attr("role", .ref("aws_iam_role.alert_forwarder[0].id"))
                attr("policy", AWSPolicy.document([
                    AWSPolicy.allow(["logs:CreateLogStream", "logs:PutLogEvents"], resources: [.ref("\"${aws_cloudwatch_log_group.alert_forwarder[0].arn}:*\"")]),
                    AWSPolicy.allow(["ssm:GetParameter"], resources: .ref("[for secret in local.alert_secrets : \"${local.parameter_arn_prefix}${secret}\"]")),
                    AWSPolicy.allow(["kms:Decrypt", "kms:GenerateDataKey"], resources: [.ref("aws_kms_key.this.arn")]),
                    AWSPolicy.allow(["sqs:SendMessage"], resources: [.ref("aws_sqs_queue.alert_forwarder_failures[0].arn")]),
                ]))
            }),
            .block(HCLBlock("resource", "aws_iam_role_policy_attachment", "alert_forwarder_tracing") {
                count
                attr("role", .ref("aws_iam_role.alert_forwarder[0].name"))
                attr("policy_arn", "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess")
            }),
            .block(HCLBlock("resource", "aws_lambda_function", "alert_forwarder") {
                count
                attr("function_name", .ref("\"${var.name}-alert-forwarder\""))
                attr("description", "Forwards CloudWatch alarms to Slack and PagerDuty")
                attr("role", .ref("aws_iam_role.alert_forwarder[0].arn"))
                attr("runtime", "python3.12")
                attr("handler", "alert_forwarder.handler")
                attr("filename", .ref("\"${path.module}/\(forwarderArchive)\""))
                attr("source_code_hash", .ref("filebase64sha256(\"${path.module}/\(forwarderArchive)\")"))
                attr("timeout", 30)
                attr("memory_size", 128)
                attr("kms_key_arn", .ref("aws_kms_key.this.arn"))
                HCLItem.blank
                HCLBlock("environment") {
                    attr("variables", [
                        "SLACK_WEBHOOK_PARAMETER": .ref(#"var.monitoring.slack_secret == null ? "" : "${var.secret_parameter_prefix}${var.monitoring.slack_secret}""#),
                        "PAGERDUTY_ROUTING_KEY_PARAMETER": .ref(#"var.monitoring.pagerduty_secret == null ? "" : "${var.secret_parameter_prefix}${var.monitoring.pagerduty_secret}""#),
                        "TICKET_TOPIC_ARNS": .ref(#"aws_sns_topic.alerts["tickets"].arn"#),
                    ])
                }
                HCLItem.blank
                HCLBlock("tracing_config") { attr("mode", "Active") }
                HCLItem.blank
                HCLBlock("dead_letter_config") { attr("target_arn", .ref("aws_sqs_queue.alert_forwarder_failures[0].arn")) }
                HCLItem.blank
                attr("depends_on", [.ref("aws_cloudwatch_log_group.alert_forwarder"), .ref("aws_iam_role_policy.alert_forwarder")])
            }),
            .block(HCLBlock("resource", "aws_lambda_permission", "alert_forwarder") {
                attr("for_each", .ref("{ for key, arn in local.alert_topic_arns : key => arn if local.forwarding }"))
                attr("statement_id", .ref("\"sns-${each.key}\""))
                attr("action", "lambda:InvokeFunction")
                attr("function_name", .ref("aws_lambda_function.alert_forwarder[0].function_name"))
                attr("principal", "sns.amazonaws.com")
                attr("source_arn", .ref("each.value"))
            }),
            .block(HCLBlock("resource", "aws_sns_topic_subscription", "alert_forwarder") {
                attr("for_each", .ref("{ for key, topic in aws_sns_topic.alerts : key => topic.arn if local.forwarding }"))
                attr("topic_arn", .ref("each.value"))
                attr("protocol", "lambda")
                attr("endpoint", .ref("aws_lambda_function.alert_forwarder[0].arn"))
            }),
            .block(HCLBlock("resource", "aws_sns_topic_subscription", "alert_forwarder_us_east_1") {
                count
                attr("provider", .ref("aws.us_east_1"))
                attr("topic_arn", .ref("aws_sns_topic.pages_us_east_1[0].arn"))
                attr("protocol", "lambda")
                attr("endpoint", .ref("aws_lambda_function.alert_forwarder[0].arn"))
            }),
        ]
    }
}
