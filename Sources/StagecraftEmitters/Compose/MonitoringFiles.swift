import StagecraftOutput
import StagecraftPlanner

/// The configuration files of the compose monitoring services (`monitoring/`): what Prometheus
/// scrapes, the alert catalogue as a rule file, Alertmanager's routes and receivers, the
/// blackbox probes, and the mtail program that reads nginx's requests.
struct MonitoringFiles {
    let layout: ComposeLayout
    var environment: EnvironmentPlan { layout.environment }
    var monitoring: ComposeMonitoring { ComposeMonitoring(layout: layout) }

    func files(_ templates: TemplateLibrary) throws -> [GeneratedFile] {
        guard monitoring.enabled else { return [] }
        let folder = layout.folder
        var files = [
            try GeneratedFile(path: "\(folder)/\(ComposeMonitoring.prometheusConfig)", text: prometheusConfig().serialized(), commentStyle: .hash),
            try GeneratedFile(path: "\(folder)/\(ComposeMonitoring.rulesFile)",
                              text: RuleGroup.file(AlertCatalogue(environment: environment, source: ComposeMetricSource()).groups).serialized(),
                              commentStyle: .hash),
            try GeneratedFile(path: "\(folder)/\(ComposeMonitoring.blackboxConfig)", text: blackboxConfig().serialized(), commentStyle: .hash),
        ]
        if monitoring.alerting {
            let alertmanager = AlertmanagerConfig(stack: layout.stack, environment: environment, secretsDirectory: ComposeMonitoring.alertmanagerSecrets)
            files.append(try GeneratedFile(path: "\(folder)/\(ComposeMonitoring.alertmanagerConfig)", text: alertmanager.document().serialized(), commentStyle: .hash))
            files.append(try GeneratedFile(path: "\(folder)/\(ComposeMonitoring.alertmanagerEntrypoint)", text: templates.render("compose/monitoring/alertmanager-entrypoint.sh", [
                "secrets": monitoring.alertmanagerSecretNames, "directory": ComposeMonitoring.alertmanagerSecrets,
            ]), executable: true, commentStyle: .hash))
        }
        if readsRequests {
            files.append(try GeneratedFile(path: "\(folder)/\(ComposeMonitoring.mtailProgram)", text: templates.render("compose/monitoring/nginx.mtail", [
                "buckets": latencyBuckets.map(Self.seconds).joined(separator: ", "),
            ]), commentStyle: .hash))
        }
        if environment.databases.contains(where: \.pooling) {
            files.append(try GeneratedFile(path: "\(folder)/\(ComposeMonitoring.pgbouncerExporterScript)", text: templates.render("compose/monitoring/pgbouncer-exporter.py", [
                "port": ComposeMonitoring.pgbouncerExporterPort,
            ]), executable: true, commentStyle: .hash))
        }
        files.append(try GeneratedFile(path: "\(folder)/\(ComposeMonitoring.dockerfile)", text: templates.render("compose/monitoring/Dockerfile", [
            "socketDirectory": ComposeMonitoring.mtailSocketDirectory,
        ]), commentStyle: .hash))
        return files
    }

    var readsRequests: Bool { !environment.services.isEmpty && environment.loadBalancer != nil }

    /// The histogram's buckets: a common ladder, and each service's latency objective exactly,
    /// so the latency alert compares against a bucket boundary.
    var latencyBuckets: [Int] {
        let ladder = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]
        return Array(Set(ladder + environment.monitoring.objectives.map(\.latencyMilliseconds))).sorted()
    }

    static func seconds(_ milliseconds: Int) -> String {
        let text = String(Double(milliseconds) / 1000)
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    // MARK: - prometheus.yml

    func prometheusConfig() -> YAML {
        var scrapes: [YAML] = [
            job("prometheus", targets: [("localhost:\(ComposeMonitoring.prometheusPort)", [])]),
            job("node", targets: [("node-exporter:9100", [("instance", "host")])]),
        ]
        if readsRequests {
            scrapes.append(job("nginx", targets: [("mtail:\(ComposeMonitoring.mtailPort)", [("instance", "nginx")])]))
        }
        let databases = environment.databases.map(ComposeDatabase.init)
        if !databases.isEmpty {
            scrapes.append(job("postgres", targets: databases.flatMap { database in
                ([database.service] + database.replicaServices).map { instance in
                    ("\(ComposeMonitoring.postgresExporter(instance)):9187",
                     [("instance", instance), ("cluster", database.plan.name), ("role", instance == database.service ? "primary" : "standby")])
                }
            }))
        }
        let pooled = databases.filter(\.plan.pooling)
        if !pooled.isEmpty {
            scrapes.append(job("pgbouncer", targets: pooled.map { ("\(ComposeMonitoring.pgbouncerExporter($0)):\(ComposeMonitoring.pgbouncerExporterPort)", [("instance", $0.pooler), ("cluster", $0.plan.name)]) }))
        }
        if !environment.caches.isEmpty {
            scrapes.append(job("redis", targets: environment.caches.flatMap { cache in
                ([cache.name] + (cache.replica ? [ComposeFile.redisReplica(cache.name)] : [])).map { instance in
                    ("\(ComposeMonitoring.redisExporter(instance)):9121", [("instance", instance), ("cluster", cache.name)])
                }
            }))
        }
        // The workloads' own metrics, from every replica: Compose's DNS answers a service's name
        // with each of its containers.
        for workload in environment.workloads {
            guard let metrics = workload.metrics else { continue }
            scrapes.append(.map([
                ("job_name", .string("app-\(workload.name)")),
                ("metrics_path", .string(metrics.path)),
                ("dns_sd_configs", .list([.map([
                    ("names", .list([.string(workload.name)])), ("type", "A"), ("port", .int(metrics.port)), ("refresh_interval", "30s"),
                ])])),
                ("relabel_configs", .list([.map([("target_label", "service"), ("replacement", .string(workload.name))])])),
            ]))
        }
        let health = environment.services.compactMap { service -> (String, [(String, String)])? in
            guard let port = service.port, let path = service.healthCheck else { return nil }
            return ("http://\(service.name):\(port)\(path)", [("service", service.name), ("check", "health")])
        }
        if !health.isEmpty { scrapes.append(probe("health", module: "health", targets: health)) }
        if let url = environment.monitoring.uptimeURL {
            scrapes.append(probe("uptime", module: "uptime", targets: [(url, [("check", "uptime")])]))
        }
        if layout.certificateDomain != nil {
            scrapes.append(probe("tls", module: "tls", targets: [("nginx:443", [("check", "tls")])]))
        }

        var config: [(String, YAML)] = [
            ("global", .map([
                ("scrape_interval", "30s"),
                ("evaluation_interval", "30s"),
                ("external_labels", .map([("stack", .string(layout.stack)), ("environment", .string(environment.name))])),
            ])),
            ("rule_files", .list(["/etc/prometheus/rules.yml"])),
        ]
        if monitoring.alerting {
            config.append(("alerting", .map([("alertmanagers", .list([.map([
                ("static_configs", .list([.map([("targets", .list([.string("alertmanager:\(ComposeMonitoring.alertmanagerPort)")]))])])),
            ])]))])))
        }
        config.append(("scrape_configs", .list(scrapes)))
        return .map(config)
    }

    private func job(_ name: String, targets: [(String, [(String, String)])]) -> YAML {
        .map([
            ("job_name", .string(name)),
            ("static_configs", .list(targets.map { target in
                var entry: [(String, YAML)] = [("targets", .list([.string(target.0)]))]
                if !target.1.isEmpty { entry.append(("labels", .map(target.1.map { ($0.0, .string($0.1)) }))) }
                return .map(entry)
            })),
        ])
    }

    /// A blackbox job: each target is passed to the exporter as `?target=`, and stays the instance.
    private func probe(_ name: String, module: String, targets: [(String, [(String, String)])]) -> YAML {
        guard case .map(var pairs) = job(name, targets: targets) else { return .null }
        pairs.insert(("metrics_path", "/probe"), at: 1)
        pairs.insert(("params", .map([("module", .list([.string(module)]))])), at: 2)
        pairs.append(("relabel_configs", .list([
            .map([("source_labels", .list(["__address__"])), ("target_label", "__param_target")]),
            .map([("source_labels", .list(["__param_target"])), ("target_label", "instance")]),
            .map([("target_label", "__address__"), ("replacement", "blackbox-exporter:9115")]),
        ])))
        return .map(pairs)
    }

    // MARK: - blackbox.yml

    func blackboxConfig() -> YAML {
        var modules: [(String, YAML)] = [
            // The apps' own health checks, inside the Compose network.
            ("health", .map([("prober", "http"), ("timeout", "5s"), ("http", .map([
                ("valid_status_codes", .list([200])), ("preferred_ip_protocol", "ip4"),
            ]))])),
            // The public URL, as users reach it.
            ("uptime", .map([("prober", "http"), ("timeout", "10s"), ("http", .map([
                ("valid_status_codes", .list([200])), ("fail_if_not_ssl", true), ("preferred_ip_protocol", "ip4"),
            ]))])),
        ]
        if let domain = layout.certificateDomain {
            // The certificate nginx serves for its own name (it expiring is what the renewal prevents).
            modules.append(("tls", .map([("prober", "tcp"), ("timeout", "5s"), ("tcp", .map([
                ("tls", true), ("preferred_ip_protocol", "ip4"), ("tls_config", .map([("server_name", .string(domain))])),
            ]))])))
        }
        return .map([("modules", .map(modules))])
    }
}
