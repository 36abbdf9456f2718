import Foundation
import StagecraftSpec

/// Checks a stack before anything is planned: names, references, counts, values, secrets,
/// backup feasibility, and declared values that contradict their stage. Each finding
/// points at the line that declared the value.
struct StackValidator {
    let spec: StackSpec
    private(set) var diagnostics: [Diagnostic] = []

    init(spec: StackSpec) {
        self.spec = spec
    }

    mutating func run() -> [Diagnostic] {
        checkNames()
        checkReferences()
        for workload in spec.services + spec.workers { checkWorkload(workload) }
        for override in spec.environments.flatMap(\.overrides) { checkWorkload(override.changes, isOverride: true) }
        checkSharedImages()
        for environment in spec.environments { checkEscapeHatches(environment) }
        for database in spec.databases { checkDatabase(database) }
        for cache in spec.caches where !(6...8).contains(cache.version) {
            error("Redis \(cache.version) is not supported; use 6, 7 or 8", cache.location)
        }
        checkEdge()
        checkEnvironments()
        checkPipeline()
        checkMonitoring()
        for stage in stagesInUse { checkStageContradictions(at: stage) }
        checkOverEngineering()
        return diagnostics
    }

    // MARK: - Findings

    private mutating func error(_ message: String, _ location: SourceLocation) {
        diagnostics.append(Diagnostic(.error, message, at: location))
    }

    private mutating func warning(_ message: String, _ location: SourceLocation) {
        diagnostics.append(Diagnostic(.warning, message, at: location))
    }

    private var stagesInUse: [Stage] {
        let declared = spec.environments.compactMap(\.stage?.value)
        return Stage.allCases.filter { $0 == spec.stage || declared.contains($0) }
    }

    // MARK: - Names and references

    private mutating func checkNames() {
        let nameRule = "a name is 1–32 lowercase letters, digits and inner hyphens, starting with a letter"
        if !ValueRules.isName(spec.name) {
            error("stack name \(spec.name.debugDescription) is not valid: \(nameRule)", spec.location)
        }
        var seen: [String: (String, SourceLocation)] = [:]
        let named: [(String, String, SourceLocation)] =
            spec.services.map { ("service", $0.name, $0.location) } + spec.workers.map { ("worker", $0.name, $0.location) }
            + spec.databases.map { ("database", $0.name, $0.location) } + spec.caches.map { ("cache", $0.name, $0.location) }
            + spec.buckets.map { ("bucket", $0.name, $0.location) }
        for (kind, name, location) in named {
            guard ValueRules.isName(name) else {
                error("\(kind) name \(name.debugDescription) is not valid: \(nameRule)", location)
                continue
            }
            if let (otherKind, first) = seen[name] {
                error("\(kind) name '\(name)' is already used by the \(otherKind) declared at line \(first.line); names must be unique", location)
            } else {
                seen[name] = (kind, location)
            }
        }
    }

    private mutating func checkReferences() {
        let databases = Set(spec.databases.map(\.name))
        let caches = Set(spec.caches.map(\.name))
        let buckets = Set(spec.buckets.map(\.name))
        let workloads = Set((spec.services + spec.workers).map(\.name))
        for workload in spec.services + spec.workers {
            for use in workload.uses where !databases.contains(use.value) && !caches.contains(use.value) && !buckets.contains(use.value) {
                error("\(workload.name) uses '\(use.value)', which is not a declared database, cache or bucket", use.location)
            }
            if let sessions = workload.sessions, case .shared(let cache) = sessions.value, !caches.contains(cache) {
                error("sessions of \(workload.name) are kept in '\(cache)', which is not a declared Redis cache", sessions.location)
            }
            if let uploads = workload.uploads, case .bucket(let bucket) = uploads.value, !buckets.contains(bucket) {
                error("uploads of \(workload.name) go to '\(bucket)', which is not a declared Bucket", uploads.location)
            }
            if let queue = workload.queue, !caches.contains(queue.value) {
                error("worker \(workload.name) takes jobs from '\(queue.value)', which is not a declared Redis cache", queue.location)
            }
        }
        for environment in spec.environments {
            for override in environment.overrides where !workloads.contains(override.target) {
                error("\(environment.name) overrides '\(override.target)', which is not a declared service or worker", override.location)
            }
        }
    }

    // MARK: - Workloads

    /// Each escape hatch must read as what it claims to be (the YAML a patch is, the Terraform
    /// file's name and shape, the step's name); an environment's Terraform files have distinct names.
    private mutating func checkEscapeHatches(_ environment: EnvironmentSpec) {
        var terraformFiles: Set<String> = []
        for hatch in environment.escapeHatches {
            if case .failure(let message) = EscapeHatchReader.read(hatch) { error(message.text, hatch.location) }
            if case .terraformFile(let name, _) = hatch.change, !terraformFiles.insert(name).inserted {
                error("\(environment.name) declares TerraformFile(\"\(name)\") twice", hatch.location)
            }
        }
    }

    /// Workloads may share an image (a web app and its worker, say), built once; two different
    /// builds pushed to one repository would overwrite each other's release. CI builds each image
    /// once per commit, from the workload's own declaration, for every environment: an override
    /// may pin another image (`repo:tag`), not ask for another build.
    private mutating func checkSharedImages() {
        for environment in spec.environments {
            for override in environment.overrides {
                let base = (spec.services + spec.workers).first { $0.name == override.target }
                if let build = override.changes.build {
                    error("\(environment.name) overrides the Dockerfile of \(override.target), but CI builds each image once for every environment; declare Dockerfile(…) in \(override.target)'s own block", build.location)
                }
                if let image = override.changes.image, !Planner.hasTagOrDigest(image.value), image.value != base?.image?.value {
                    error("\(environment.name) gives \(override.target) the image \(image.value.debugDescription), which CI does not build (it builds the stack's own); pin one it runs as given (\(image.value):1.0 or @sha256:…), or keep the stack's", image.location)
                }
            }
        }
        var builds: [String: (workload: String, build: BuildSpec)] = [:]
        for workload in spec.services + spec.workers {
            guard let image = workload.image, let build = Planner.build(of: workload) else { continue }
            if let first = builds[image.value] {
                if first.build != build {
                    error("\(workload.name) builds image \(image.value.debugDescription) from another Dockerfile or context than \(first.workload) does; give each build its own image, or build both from the same one", workload.build?.location ?? image.location)
                }
            } else {
                builds[image.value] = (workload.name, build)
            }
        }
    }

    private mutating func checkWorkload(_ workload: WorkloadSpec, isOverride: Bool = false) {
        let name = workload.name
        if !isOverride && workload.image == nil {
            error("\(workload.kind.rawValue) \(name) has no image; add Image(\"registry/owner/\(name)\")", workload.location)
        }
        if let image = workload.image, !ValueRules.isImage(image.value) {
            error("image \(image.value.debugDescription) of \(name) is not a valid image reference", image.location)
        }
        if let build = workload.build {
            for (what, path) in [("Dockerfile", build.value.dockerfile), ("build context", build.value.context)] where !ValueRules.isRepositoryPath(path) {
                error("\(what) \(path.debugDescription) of \(name) must be a relative path inside the repository", build.location)
            }
        }
        if let port = workload.port, !(1...65535).contains(port.value) {
            error("port \(port.value) of \(name) is outside 1–65535", port.location)
        }
        if !isOverride && workload.kind == .service && workload.port == nil && spec.loadBalancer != nil {
            error("service \(name) has no Port, so the load balancer cannot reach it; add Port(8080)", workload.location)
        }
        if let replicas = workload.replicas {
            for stage in Stage.allCases {
                guard let instances = replicas.value[stage] else { continue }
                checkInstances(instances, of: name, at: replicas.location)
            }
        }
        if let resources = workload.resources, resources.value.cpuMillicores <= 0 || resources.value.memoryMiB <= 0 {
            error("resources of \(name) must be positive", resources.location)
        }
        for path in [workload.healthCheck, workload.route].compactMap({ $0 }) + workload.staticPaths where !ValueRules.isURLPath(path.value) {
            error("path \(path.value.debugDescription) of \(name) must start with '/' and contain no spaces or control characters", path.location)
        }
        if let command = workload.command, !command.value.allSatisfy(ValueRules.isText) || command.value.isEmpty {
            error("command of \(name) must be non-empty and free of control characters", command.location)
        }
        if let metrics = workload.metrics {
            if !ValueRules.isURLPath(metrics.value.path) {
                error("metrics path \(metrics.value.path.debugDescription) of \(name) must start with '/' and contain no spaces or control characters", metrics.location)
            }
            if let port = metrics.value.port, !(1...65535).contains(port) {
                error("metrics port \(port) of \(name) is outside 1–65535", metrics.location)
            } else if metrics.value.port == nil && workload.port == nil && !isOverride {
                error("\(name) has no Port to serve its metrics on; name one: ServesMetrics(\(metrics.value.path.debugDescription), port: 9102)", metrics.location)
            }
        }
        if let health = workload.healthCommand, health.value.trimmingCharacters(in: .whitespaces).isEmpty || !ValueRules.isText(health.value) {
            error("health command of \(name) must be non-empty and free of control characters", health.location)
        }
        if let objective = workload.objective {
            if workload.port == nil {
                error("\(name) has an Objective but no Port: only services that answer requests have one", objective.location)
            }
            checkObjective(objective.value, of: name, at: objective.location)
        }
        checkConfigAndSecrets(workload)
    }

    private mutating func checkObjective(_ objective: ObjectiveSpec, of name: String, at location: SourceLocation) {
        if let availability = objective.availability, !(90..<100).contains(availability) {
            error("availability objective \(availability)% of \(name) must be at least 90 and below 100", location)
        }
        if let latency = objective.latencyMilliseconds, !(1...60_000).contains(latency) {
            error("latency objective of \(name) must be 1–60000 ms", location)
        }
    }

    private mutating func checkInstances(_ instances: Instances, of name: String, at location: SourceLocation) {
        switch instances {
        case .fixed(let n) where n < 1:
            error("\(name) is given \(n) instances; a count must be at least 1", location)
        case .autoscale(let min, let max, let cpu):
            if min < 1 { error("\(name) autoscales from \(min) instances; the minimum must be at least 1", location) }
            if max < min { error("\(name) autoscales up to \(max), below its minimum of \(min)", location) }
            if !(1...100).contains(cpu) { error("\(name) autoscales at \(cpu)% CPU; the target must be 1–100", location) }
        default: break
        }
    }

    private mutating func checkConfigAndSecrets(_ workload: WorkloadSpec) {
        var keys: [String: SourceLocation] = [:]
        for config in workload.config {
            if !ValueRules.isVariableName(config.key) {
                error("config key \(config.key.debugDescription) of \(workload.name) is not a valid variable name (A–Z, 0–9, _)", config.location)
                continue
            }
            let values = [config.value] + config.perEnvironment.values.sorted()
            if ValueRules.looksLikeSecretKey(config.key) || values.contains(where: ValueRules.looksLikeSecretValue) {
                // The value is never repeated: it may be a live credential.
                error("Config(\"\(config.key)\", …) puts a secret in the stack file as a literal value; declare Secret(\"\(config.key)\") and keep the value in your secret store", config.location)
            } else if !values.allSatisfy(ValueRules.isText) {
                error("config value of \(config.key) in \(workload.name) contains control characters", config.location)
            }
            if let first = keys[config.key] {
                error("config key \(config.key) of \(workload.name) is already set at line \(first.line)", config.location)
            }
            keys[config.key] = config.location
        }
        for secret in workload.secrets {
            if !ValueRules.isVariableName(secret.value) {
                error("secret name \(secret.value.debugDescription) of \(workload.name) is not a valid variable name (A–Z, 0–9, _)", secret.location)
            } else if let first = keys[secret.value] {
                error("\(secret.value) of \(workload.name) is declared twice (first at line \(first.line))", secret.location)
            }
            keys[secret.value] = secret.location
        }
    }

    // MARK: - Data stores

    private mutating func checkDatabase(_ database: PostgresSpec) {
        let name = database.name
        if !(13...17).contains(database.version) {
            error("PostgreSQL \(database.version) is not supported; use 13 to 17", database.location)
        }
        if let replicas = database.readReplicas {
            for stage in Stage.allCases {
                if let n = replicas.value[stage], n < 0 || n > 15 {
                    error("\(name) is given \(n) read replicas at \(stage); the count must be 0–15", replicas.location)
                }
            }
        }
        if let storage = database.storageGiB, storage.value < 1 {
            error("storage of \(name) must be at least 1 GiB", storage.location)
        }
        for table in database.largeTables {
            let isIdentifier = { (text: String) in ValueRules.isName(String(text.map { $0 == "_" ? "-" : $0 })) }
            if !isIdentifier(table.name.value) {
                error("table name \(table.name.value.debugDescription) of \(name) is not a valid identifier", table.name.location)
            }
            if let column = table.partitionKey, !isIdentifier(column) {
                error("partition key \(column.debugDescription) of \(table.name.value) is not a valid column name", table.name.location)
            }
            if let retention = table.retention, let interval = table.interval, retention.seconds < interval.longestDays * 86_400 {
                error("\(table.name.value) keeps \(retention), less than one \(interval)'s partition; keep at least .days(\(interval.longestDays))", table.name.location)
            }
        }
        if let migrations = database.migrations { checkMigrations(migrations, of: database) }
        for stage in Stage.allCases {
            let rpo = database.rpo?.value[stage]
            let retention = database.retention?.value[stage]
            if let rpo, let at = database.rpo?.location {
                if rpo.seconds <= 0 {
                    error("RPO of \(name) at \(stage) must be positive", at)
                } else if rpo.seconds < 60 {
                    error("RPO of \(rpo) for \(name) at \(stage) cannot be met: WAL segments are archived at most once a minute; use .minutes(1) or more", at)
                }
            }
            if let retention, let at = database.retention?.location {
                if retention.seconds < 86_400 {
                    error("backups of \(name) kept \(retention) at \(stage): retention must be at least one day, or no full backup survives to restore from", at)
                } else if let rpo, rpo > retention {
                    error("RPO of \(rpo) for \(name) at \(stage) is longer than its retention of \(retention): no backup would be kept long enough to meet it", at)
                }
            }
            if let test = database.restoreTest?.value[stage], let at = database.restoreTest?.location, test.seconds < 3600 {
                error("restore test of \(name) every \(test) at \(stage) is too frequent; test at most hourly", at)
            }
        }
        if let rto = database.rto, rto.value.seconds <= 0 {
            error("recovery time of \(name) must be positive", rto.location)
        }
    }

    private mutating func checkMigrations(_ migrations: Located<MigrationsSpec>, of database: PostgresSpec) {
        let value = migrations.value
        if value.command.trimmingCharacters(in: .whitespaces).isEmpty || !ValueRules.isText(value.command) {
            error("the migration command of \(database.name) must be a command line (no control characters)", migrations.location)
        }
        if let folder = value.folder, !ValueRules.isRepositoryPath(folder) {
            error("migrations folder \(folder.debugDescription) of \(database.name) is not a relative path inside the repository (letters, digits, ._/-, no ..)", migrations.location)
        }
        let workloads = spec.services + spec.workers
        guard let workload = workloads.first(where: { $0.name == value.workload }) else {
            let known = workloads.map(\.name).joined(separator: ", ")
            error("\(database.name) is migrated in \(value.workload.debugDescription), which the stack does not declare (its services and workers: \(known.isEmpty ? "none" : known))", migrations.location)
            return
        }
        if !workload.uses.isEmpty, !workload.uses.contains(where: { $0.value == database.name }) {
            error("\(database.name) is migrated in \(workload.name), which does not use it: add \"\(database.name)\" to its Uses(…) so the migration gets its connection settings", migrations.location)
        }
    }

    // MARK: - Edge

    private mutating func checkEdge() {
        if let lb = spec.loadBalancer {
            if !ValueRules.isDomain(lb.domain) {
                error("domain \(lb.domain.debugDescription) is not a valid host name", lb.location)
            }
            for limit in lb.rateLimits {
                if limit.requests < 1 { error("a rate limit must allow at least 1 request (got \(limit.requests))", limit.location) }
                if let burst = limit.burst, burst < 0 { error("a rate limit burst cannot be negative (got \(burst))", limit.location) }
                if let path = limit.path, !ValueRules.isURLPath(path) {
                    error("rate-limited path \(path.debugDescription) must start with '/' and contain no spaces or control characters", limit.location)
                }
            }
            if let body = lb.maxBodyMiB, !(1...10_240).contains(body.value) {
                error("maximum body size must be 1–10240 MiB (got \(body.value))", body.location)
            }
            if let timeout = lb.timeoutSeconds, !(1...3600).contains(timeout.value) {
                error("timeout must be 1 s to 1 h (got \(timeout.value) s)", timeout.location)
            }
            if let zone = lb.dnsZone {
                if !ValueRules.isDomain(zone.value) {
                    error("DNS zone \(zone.value.debugDescription) is not a valid domain name", zone.location)
                }
                let domains = [(lb.domain, "the load balancer's domain")]
                    + spec.environments.compactMap { environment in environment.domain.map { ($0.value, "the domain of \(environment.name)") } }
                for (domain, what) in domains where !ValueRules.isWithin(domain, zone: zone.value) {
                    error("\(what), \(domain), is not in the DNS zone \(zone.value): name a zone that holds every domain", zone.location)
                }
            }
        }
        if let cdn = spec.cdn {
            if spec.loadBalancer == nil {
                error("a CDN needs an origin: declare LoadBalancer(domain: …)", cdn.location)
            }
            for path in cdn.cacheablePaths where !ValueRules.isURLPath(path.value) {
                error("cacheable path \(path.value.debugDescription) must start with '/' and contain no spaces or control characters", path.location)
            }
        }
        for account in [spec.account].compactMap({ $0 }) + spec.environments.compactMap(\.account) where !ValueRules.isAccountID(account.value) {
            error("account \(account.value.debugDescription) is not an AWS account ID (12 digits)", account.location)
        }
        for store in [spec.secretStore].compactMap({ $0 }) + spec.environments.compactMap(\.secretStore) where !ValueRules.isKubernetesName(store.value) {
            error("secret store \(store.value.debugDescription) is not a Kubernetes object name (lower-case letters, digits, '-' and '.')", store.location)
        }
        for region in spec.regions {
            for name in [region.value.name] + [region.value.backupCopy].compactMap({ $0 }) where !ValueRules.isName(name) {
                error("region \(name.debugDescription) is not a valid region name", region.location)
            }
        }
    }

    // MARK: - Environments and delivery

    private mutating func checkEnvironments() {
        var seen: [EnvironmentSpec.Kind: SourceLocation] = [:]
        for environment in spec.environments {
            if let first = seen[environment.kind] {
                error("\(environment.name) is declared twice (first at line \(first.line))", environment.location)
            }
            seen[environment.kind] = environment.location
            if let domain = environment.domain, !ValueRules.isDomain(domain.value) {
                error("domain \(domain.value.debugDescription) of \(environment.name) is not a valid host name", domain.location)
            }
            if let branch = environment.branch, !ValueRules.isRepositoryPath(branch.value) {
                error("branch \(branch.value.debugDescription) of \(environment.name) is not a valid branch name", branch.location)
            }
        }
        if !spec.environments.isEmpty && seen[.production] == nil {
            error("the stack declares environments but no Production()", spec.environmentsLocation ?? spec.location)
        }
    }

    private mutating func checkPipeline() {
        guard let pipeline = spec.pipeline else { return }
        for command in [pipeline.buildCommand, pipeline.testCommand, pipeline.lintCommand].compactMap({ $0 }) where !ValueRules.isText(command.value) || command.value.contains("\n") {
            error("a pipeline command must be one line without control characters", command.location)
        }
        if let output = pipeline.outputDirectory, !ValueRules.isRepositoryPath(output.value) {
            error("output folder \(output.value.debugDescription) must be a relative path inside the repository", output.location)
        }
        if Set(pipeline.providers).count != pipeline.providers.count {
            error("a CI provider is named twice", pipeline.location)
        }
        if let toolchain = pipeline.toolchain {
            if let version = toolchain.value.version, !version.allSatisfy({ $0.isNumber || $0 == "." }) || version.isEmpty {
                error("toolchain version \(version.debugDescription) must be digits and dots", toolchain.location)
            }
        }
    }

    private mutating func checkMonitoring() {
        guard let monitoring = spec.monitoring else { return }
        if let secret = monitoring.errorTrackingSecret, !ValueRules.isVariableName(secret.value) {
            error("error-tracking secret \(secret.value.debugDescription) is not a valid variable name", secret.location)
        }
        if let path = monitoring.uptimePath, !ValueRules.isURLPath(path.value) {
            error("uptime path \(path.value.debugDescription) must start with '/'", path.location)
        }
        if let slow = monitoring.slowQueryMilliseconds, slow.value < 1 {
            error("slow-query threshold must be at least 1 ms", slow.location)
        }
        if let target = monitoring.availabilityTarget, !(90..<100).contains(target.value) {
            error("availability target \(target.value)% must be at least 90 and below 100", target.location)
        }
        for receiver in monitoring.alerts?.receivers ?? [] {
            checkReceiver(receiver.value, at: receiver.location)
        }
    }

    private mutating func checkReceiver(_ receiver: AlertReceiverSpec, at location: SourceLocation) {
        switch receiver {
        case .email(let address, let smarthost, let from, let password):
            for (what, value) in [("address", address), ("sender", from)] where !ValueRules.isEmailAddress(value) {
                error("alert email \(what) \(value.debugDescription) is not an email address", location)
            }
            if !ValueRules.isHostAndPort(smarthost) {
                error("SMTP server \(smarthost.debugDescription) must be host:port, as smtp.example.com:587", location)
            }
            if let password, !ValueRules.isVariableName(password) {
                error("SMTP password secret \(password.debugDescription) is not a valid variable name", location)
            }
        case .slack(let secret), .pagerDuty(let secret):
            if !ValueRules.isVariableName(secret) {
                error("alert receiver secret \(secret.debugDescription) is not a valid variable name", location)
            }
        }
    }

    // MARK: - Stage

    /// A value the stack states for a stage that the stage rules out. Omissions are not
    /// errors here: the policy fills them, and `check` reports what it cannot fill.
    private mutating func checkStageContradictions(at stage: Stage) {
        let policy = StagePolicy.defaults(for: stage)
        for service in spec.services {
            if let replicas = service.replicas, let instances = replicas.value[stage], instances.minimum >= 1,
               instances.minimum < policy.minimumAppInstances {
                error("\(service.name) runs \(instances.minimum) instance\(instances.minimum == 1 ? "" : "s") at \(stage), which needs at least \(policy.minimumAppInstances) behind the load balancer; use Replicas(\(stage): \(policy.minimumAppInstances)) or more", replicas.location)
            }
            if policy.inProcessSessions == .error, let sessions = service.sessions, sessions.value == .inProcess {
                error("\(service.name) keeps sessions in process, which \(stage) rules out: instances behind a load balancer must share them; use Sessions(.shared(cache: …)) or Sessions(.stateless)", sessions.location)
            }
            if policy.localUploads == .error, let uploads = service.uploads, case .localDisk = uploads.value {
                error("\(service.name) stores uploads on local disk, which \(stage) rules out; use Uploads(.bucket(…))", uploads.location)
            }
            if policy.inlineJobs == .error, let jobs = service.inlineJobs {
                error("\(service.name) runs \(jobs.value.joined(separator: ", ")) inside requests, which \(stage) rules out; move the work to a Worker", jobs.location)
            }
        }
        for database in spec.databases {
            if let rpo = database.rpo, let value = rpo.value[stage], value > policy.rpo {
                error("RPO of \(value) for \(database.name) contradicts \(stage), which needs \(policy.rpo) or less; use Backups(\(stage): \(literal(policy.rpo)))", rpo.location)
            }
            if stage == .scale, let pooling = database.pooling, pooling.value[stage] == false {
                error("\(database.name) turns connection pooling off at scale, which needs it", pooling.location)
            }
            if stage == .scale, let replicas = database.readReplicas, let n = replicas.value[stage], n >= 0, n < policy.readReplicas {
                error("\(database.name) has \(n) read replica\(n == 1 ? "" : "s") at scale, which needs at least \(policy.readReplicas) across zones", replicas.location)
            }
        }
        // The compose platform renders no trace collector: asking for tracing there would be a promise nothing keeps.
        if let tracing = spec.monitoring?.tracing, tracing.value, (spec.platform?.value[stage] ?? policy.platform) == .compose {
            error("Tracing(true) on compose at \(stage): the compose platform has no trace collector; trace on Kubernetes or AWS, or remove Tracing(true)", tracing.location)
        }
        if stage == .scale, let platform = spec.platform, platform.value[stage] == .compose {
            error("Platform compose at scale: scale runs across zones on Kubernetes or AWS; use Platform(scale: .kubernetes) or .aws", platform.location)
        }
    }

    private func literal(_ span: TimeSpan) -> String {
        if span.seconds % 86_400 == 0 { return ".days(\(span.seconds / 86_400))" }
        if span.seconds % 3600 == 0 { return ".hours(\(span.seconds / 3600))" }
        return ".minutes(\(span.seconds / 60))"
    }

    // MARK: - Too much, too early

    private mutating func checkOverEngineering() {
        if spec.stage == .mvp, let platform = spec.platform, let chosen = platform.value[.mvp], chosen != .compose {
            warning("\(chosen) at mvp is more platform than a first version needs; one host with Compose is cheaper to run and to change (Platform(mvp: .compose))", platform.location)
        }
        if spec.stage == .mvp && spec.services.count > 3 {
            warning("\(spec.services.count) services at mvp: microservices this early multiply deploys and failure modes; consider one service until growth demands more", spec.services[3].location)
        }
        if spec.stage < .scale && spec.regions.count > 1 {
            warning("\(spec.regions.count) regions at \(spec.stage): multi-region is a scale-stage concern; one region with backups copied elsewhere is enough for now", spec.regions[1].location)
        }
    }
}
