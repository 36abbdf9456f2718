import StagecraftPlanner

/// `alertmanager.yml` for an environment's receivers. Pages go to everyone, PagerDuty included;
/// tickets to email and Slack only. A page inhibits the ticket of the same alert and target.
/// Credentials are read from files (`secretsDirectory/<SECRET>`), never written in the config.
struct AlertmanagerConfig {
    let stack: String
    let environment: EnvironmentPlan
    let secretsDirectory: String

    func document() -> YAML {
        let receivers = environment.monitoring.receivers
        return .map([
            ("route", .map([
                ("receiver", "tickets"),
                ("group_by", .list(["alertname", "service", "cluster"])),
                ("group_wait", "30s"),
                ("group_interval", "5m"),
                ("repeat_interval", "12h"),
                ("routes", .list([.map([
                    ("matchers", .list([#"severity="page""#])),
                    ("receiver", "pages"),
                    ("repeat_interval", "1h"),
                ])])),
            ])),
            ("inhibit_rules", .list([.map([
                ("source_matchers", .list([#"severity="page""#])),
                ("target_matchers", .list([#"severity="ticket""#])),
                ("equal", .list(["alertname", "service", "cluster"])),
            ])])),
            ("receivers", .list([
                receiver("pages", receivers),
                receiver("tickets", receivers.filter { $0.kind != .pagerDuty }),
            ])),
        ])
    }

    private func receiver(_ name: String, _ receivers: [AlertReceiverPlan]) -> YAML {
        var pairs: [(String, YAML)] = [("name", .string(name))]
        let emails = receivers.filter { $0.kind == .email }
        if !emails.isEmpty {
            pairs.append(("email_configs", .list(emails.map { email in
                var config: [(String, YAML)] = [
                    ("to", .string(email.address ?? "")),
                    ("from", .string(email.from ?? "")),
                    ("smarthost", .string(email.smarthost ?? "")),
                    ("require_tls", true),
                    ("send_resolved", true),
                ]
                if let secret = email.secret {
                    config.append(("auth_username", .string(email.from ?? "")))
                    config.append(("auth_password_file", .string(file(secret))))
                }
                return .map(config)
            })))
        }
        let slack = receivers.filter { $0.kind == .slack }
        if !slack.isEmpty {
            pairs.append(("slack_configs", .list(slack.map { receiver in
                .map([
                    ("api_url_file", .string(file(receiver.secret ?? ""))),
                    ("send_resolved", true),
                    ("title", .string(#"[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} (\#(stack) \#(environment.name))"#)),
                    ("text", .string(#"{{ range .Alerts }}{{ .Annotations.summary }}: {{ .Annotations.description }}{{ "\n" }}{{ end }}"#)),
                ])
            })))
        }
        let pagerDuty = receivers.filter { $0.kind == .pagerDuty }
        if !pagerDuty.isEmpty {
            pairs.append(("pagerduty_configs", .list(pagerDuty.map { receiver in
                .map([
                    ("routing_key_file", .string(file(receiver.secret ?? ""))),
                    ("severity", "critical"),
                    ("send_resolved", true),
                ])
            })))
        }
        return .map(pairs)
    }

    private func file(_ secret: String) -> String { "\(secretsDirectory)/\(secret)" }
}
