/// A Prometheus rule: an alert, or a recording rule whose result other rules read.
public struct PrometheusRule: Equatable, Sendable {
    public enum Severity: String, Sendable {
        /// Someone is woken: users are affected now, or the error budget burns fast.
        case page
        /// Someone looks during working hours: it will hurt if left alone.
        case ticket
    }

    public enum Kind: Equatable, Sendable {
        case alert(name: String, pendingFor: String, severity: Severity, summary: String, description: String)
        case record(name: String)
    }

    public var kind: Kind
    public var expression: String
    public var labels: [(String, String)]

    public static func == (lhs: PrometheusRule, rhs: PrometheusRule) -> Bool {
        lhs.kind == rhs.kind && lhs.expression == rhs.expression && lhs.labels.elementsEqual(rhs.labels) { $0 == $1 }
    }

    public static func alert(_ name: String, _ expression: String, for pendingFor: String, _ severity: Severity,
                             summary: String, description: String, labels: [(String, String)] = []) -> PrometheusRule {
        PrometheusRule(kind: .alert(name: name, pendingFor: pendingFor, severity: severity, summary: summary, description: description),
                       expression: expression, labels: labels)
    }

    public static func record(_ name: String, _ expression: String, labels: [(String, String)] = []) -> PrometheusRule {
        PrometheusRule(kind: .record(name: name), expression: expression, labels: labels)
    }

    /// The rule as Prometheus reads it, in a rule file or a PrometheusRule's `spec.groups`.
    var yaml: YAML {
        var pairs: [(String, YAML)]
        var labels = self.labels
        switch kind {
        case .alert(let name, let pendingFor, let severity, let summary, let description):
            pairs = [("alert", .string(name)), ("expr", .string(expression))]
            if pendingFor != "0s" { pairs.append(("for", .string(pendingFor))) }
            labels.append(("severity", severity.rawValue))
            pairs.append(("labels", .map(labels.map { ($0.0, .string($0.1)) })))
            pairs.append(("annotations", .map([("summary", .string(summary)), ("description", .string(description))])))
        case .record(let name):
            pairs = [("record", .string(name)), ("expr", .string(expression))]
            if !labels.isEmpty { pairs.append(("labels", .map(labels.map { ($0.0, .string($0.1)) }))) }
        }
        return .map(pairs)
    }
}

/// Rules evaluated together, at the same interval.
public struct RuleGroup: Equatable, Sendable {
    public var name: String
    public var rules: [PrometheusRule]

    var yaml: YAML { .map([("name", .string(name)), ("rules", .list(rules.map(\.yaml)))]) }

    /// A rule file, as `rule_files` in prometheus.yml names it.
    public static func file(_ groups: [RuleGroup]) -> YAML { .map([("groups", .list(groups.map(\.yaml)))]) }
}

extension AlertCatalogue {
    /// The alert named `name` whose labels name `service`, if the catalogue has one.
    public func alert(_ name: String, service: String) -> PrometheusRule? {
        groups.lazy.flatMap(\.rules).first { rule in
            guard case .alert(let alertName, _, _, _, _) = rule.kind, alertName == name else { return false }
            return rule.labels.contains { $0 == ("service", service) }
        }
    }
}
