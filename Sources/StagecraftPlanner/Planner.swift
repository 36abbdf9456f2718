import StagecraftSpec

/// Resolves a stack into a plan per environment: the stage policy fills what the stack
/// leaves out, each environment applies its overrides and its shape (production takes the
/// stage's, staging the same topology at minimum size, development one of everything).
public struct Planner: Sendable {
    public var toolVersion: String

    public init(toolVersion: String) {
        self.toolVersion = toolVersion
    }

    public func plan(_ spec: StackSpec) throws(PlanningFailed) -> StackPlan {
        var validator = StackValidator(spec: spec)
        var diagnostics = validator.run()
        if diagnostics.contains(where: { $0.severity == .error }) {
            throw PlanningFailed(diagnostics: diagnostics)
        }
        let index = StackIndex(spec)
        let environmentSpecs = environmentSpecs(spec)
        let environments = environmentSpecs.map { resolve(spec, in: $0, index: index) }
        let unowned = zip(environmentSpecs, environments).filter { $1.platform == .kubernetes && $1.account == nil }
        if !unowned.isEmpty {
            // Kubernetes pods read their secrets and reach their buckets and backups through
            // IAM roles (IRSA); a role is named by ARN, which holds the account.
            throw PlanningFailed(diagnostics: diagnostics + unowned.map { environment, _ in
                Diagnostic(.error, "\(environment.name) runs on Kubernetes, whose pods take IAM roles in an AWS account: declare Account(\"…\") for the stack or in \(environment.name)'s block",
                           at: spec.platform?.location ?? environment.location)
            })
        }
        // A stack promoted to a stage on another platform still plans; what it changed on the
        // old platform no longer applies, and is said so.
        diagnostics += environments.flatMap { environment in
            environment.escapeHatches.compactMap { hatch -> Diagnostic? in
                guard let platforms = hatch.platforms, !platforms.contains(environment.platform) else { return nil }
                let runs = platforms.map(\.rawValue).sorted().joined(separator: " or ")
                return Diagnostic(.warning, "\(hatch.declaration) changes \(runs) output, but \(environment.name) runs on \(environment.platform.rawValue) at the \(environment.stage.rawValue) stage: it changes nothing there",
                                  at: hatch.declaredAt)
            }
        }
        diagnostics += omissionWarnings(spec, environments)
        return StackPlan(
            stack: spec.name,
            stackFile: spec.location.file,
            stage: spec.stage,
            environments: environments,
            pipeline: pipeline(spec, environments),
            warnings: diagnostics
        )
    }

    /// The declared environments in development → staging → production order, or the stage's defaults.
    func environmentSpecs(_ spec: StackSpec) -> [EnvironmentSpec] {
        let declared = spec.environments.isEmpty
            ? StagePolicy.defaults(for: spec.stage).environments.map { EnvironmentSpec(kind: $0, location: spec.location) }
            : spec.environments
        return EnvironmentSpec.Kind.allCases.compactMap { kind in declared.first { $0.kind == kind } }
    }

    // MARK: - One environment

    func resolve(_ spec: StackSpec, in environment: EnvironmentSpec, index: StackIndex) -> EnvironmentPlan {
        let stage = environment.stage?.value ?? spec.stage
        let policy = StagePolicy.defaults(for: stage)
        let kind = environment.kind
        let platform = spec.platform?.value[stage] ?? policy.platform
        // One host is one zone: a compose environment claims no zones it cannot have.
        let zones = kind == .development || platform == .compose ? 1 : policy.zones
        let domain = environment.domain?.value ?? defaultDomain(spec, kind, platform: platform)

        let overrides = Dictionary(environment.overrides.map { ($0.target, $0.changes) }, uniquingKeysWith: { _, last in last })
        let workloads = (spec.services + spec.workers).map { workload in
            overrides[workload.name].map { applying($0, to: workload) } ?? workload
        }
        let services = workloads.filter { $0.kind == .service }.enumerated().map { position, service in
            workload(service, position: position, spec: spec, index: index, environment: kind, stage: stage)
        }
        let workers = workloads.filter { $0.kind == .worker }.map { worker in
            workload(worker, position: 0, spec: spec, index: index, environment: kind, stage: stage)
        }

        return EnvironmentPlan(
            name: environment.name,
            kind: kind,
            stage: stage,
            platform: platform,
            zones: zones,
            region: spec.regions.first?.value.name ?? "us-east-1",
            domain: domain,
            dnsZone: platform == .aws ? spec.loadBalancer?.dnsZone?.value : nil,
            account: platform == .kubernetes ? (environment.account ?? spec.account)?.value : nil,
            secretStore: platform == .kubernetes ? (environment.secretStore ?? spec.secretStore)?.value : nil,
            services: services,
            workers: workers,
            databases: spec.databases.map { database($0, spec: spec, environment: kind, stage: stage, zones: zones) },
            caches: spec.caches.map { cache in
                CachePlan(
                    name: cache.name,
                    envPrefix: Self.envPrefix(cache.name),
                    version: cache.version,
                    replica: kind == .development ? false : cache.replica?.value[stage] ?? policy.cacheReplica,
                    persistence: cache.persistence?.value ?? index.queues.contains(cache.name),
                    memoryMiB: Self.sizing(kind, policy).cacheMemoryMiB,
                    multiZone: zones > 1,
                    passwordSecret: "\(Self.envPrefix(cache.name))_PASSWORD"
                )
            },
            buckets: spec.buckets.map { BucketPlan(name: $0.name, versioned: kind != .development) },
            loadBalancer: spec.loadBalancer.map { loadBalancer($0, domain: domain, environment: kind, platform: platform, policy: policy, zones: zones) },
            cdn: cdn(spec, domain: domain, environment: kind, stage: stage, platform: platform, services: services),
            monitoring: monitoring(spec, domain: domain, environment: kind, policy: policy, services: services),
            // The validator has read each one already.
            escapeHatches: environment.escapeHatches.compactMap { hatch in
                (try? EscapeHatchReader.read(hatch).get()).map { EscapeHatch(change: $0, declaredAt: hatch.location) }
            }
        )
    }

    /// Metrics and alerting from growth on (outside development), or when the stack asks; SLOs
    /// (burn-rate alerts) in production at scale, or for an availability the stack states.
    private func monitoring(_ spec: StackSpec, domain: String, environment kind: EnvironmentSpec.Kind, policy: StageDefaults, services: [WorkloadPlan]) -> MonitoringPlan {
        let declared = spec.monitoring
        // A developer's machine runs the app, not its monitoring, unless the stack says so.
        let metrics = declared?.metrics?.value ?? (kind != .development && policy.metrics)
        // The rules are part of the metrics: where there are metrics, alerts fire.
        let alerting = metrics && kind != .development
        let availability = kind == .production ? declared?.availabilityTarget?.value ?? (policy.slos ? 99.9 : nil) : nil
        let objectives: [ServiceObjectivePlan] = metrics ? services.filter { $0.port != nil }.map { service in
            let objective = spec.services.first { $0.name == service.name }?.objective?.value
            return ServiceObjectivePlan(
                service: service.name,
                availability: kind == .production ? objective?.availability ?? availability : nil,
                latencyMilliseconds: objective?.latencyMilliseconds ?? Self.defaultLatencyMilliseconds
            )
        } : []
        return MonitoringPlan(
            errorTrackingSecret: declared?.errorTrackingSecret?.value,
            uptimeURL: kind == .development ? nil : declared?.uptimePath.map { "https://\(domain)\($0.value)" },
            metrics: metrics,
            metricsRetentionDays: kind == .production ? policy.metricsRetentionDays : 7,
            alerting: alerting,
            receivers: alerting ? (declared?.alerts?.receivers ?? []).map { Self.receiver($0.value) } : [],
            tracing: declared?.tracing?.value ?? policy.tracing,
            availabilityTarget: availability,
            slowQueryMilliseconds: declared?.slowQueryMilliseconds?.value ?? (policy.metrics ? 500 : nil),
            objectives: objectives
        )
    }

    /// The 99th-percentile latency a service is held to when it states none.
    static let defaultLatencyMilliseconds = 1000

    private static func receiver(_ spec: AlertReceiverSpec) -> AlertReceiverPlan {
        switch spec {
        case .email(let address, let smarthost, let from, let password):
            AlertReceiverPlan(kind: .email, address: address, smarthost: smarthost, from: from, secret: password)
        case .slack(let secret):
            AlertReceiverPlan(kind: .slack, secret: secret)
        case .pagerDuty(let secret):
            AlertReceiverPlan(kind: .pagerDuty, secret: secret)
        }
    }

    /// Development runs on the developer's machine (localhost), except on AWS, where it is an
    /// account's load balancer like any other environment, with a name of its own.
    private func defaultDomain(_ spec: StackSpec, _ kind: EnvironmentSpec.Kind, platform: PlatformKind) -> String {
        guard let domain = spec.loadBalancer?.domain else { return "\(spec.name).localhost" }
        switch kind {
        case .production: return domain
        case .staging: return "staging.\(domain)"
        case .development: return platform == .aws ? "dev.\(domain)" : "localhost"
        }
    }

    /// An environment's override laid over the stack's declaration: what it sets wins.
    private func applying(_ changes: WorkloadSpec, to base: WorkloadSpec) -> WorkloadSpec {
        var result = base
        result.image = changes.image ?? base.image
        result.build = changes.build ?? base.build
        result.port = changes.port ?? base.port
        result.healthCheck = changes.healthCheck ?? base.healthCheck
        result.healthCommand = changes.healthCommand ?? base.healthCommand
        result.metrics = changes.metrics ?? base.metrics
        result.replicas = changes.replicas ?? base.replicas
        result.resources = changes.resources ?? base.resources
        result.command = changes.command ?? base.command
        result.sessions = changes.sessions ?? base.sessions
        result.uploads = changes.uploads ?? base.uploads
        result.route = changes.route ?? base.route
        if !changes.staticPaths.isEmpty { result.staticPaths = changes.staticPaths }
        if !changes.uses.isEmpty { result.uses = changes.uses }
        let overridden = Set(changes.config.map(\.key))
        result.config = base.config.filter { !overridden.contains($0.key) } + changes.config
        result.secrets = base.secrets + changes.secrets.filter { secret in !base.secrets.contains { $0.value == secret.value } }
        return result
    }

    private func workload(_ workload: WorkloadSpec, position: Int, spec: StackSpec, index: StackIndex, environment: EnvironmentSpec.Kind, stage: Stage) -> WorkloadPlan {
        let policy = StagePolicy.defaults(for: stage)
        let declared = workload.replicas?.value[stage] ?? (workload.kind == .service ? policy.appInstances : policy.workerInstances)
        let scaling: Scaling = switch environment {
        case .production: Scaling(declared)
        case .staging: Self.stagingShape(declared)
        case .development: Scaling(.fixed(1))
        }

        var uses = Set(workload.uses.map(\.value))
        if workload.uses.isEmpty { uses = Set(index.databases.keys).union(index.caches.keys) }
        if case .shared(let cache)? = workload.sessions?.value { uses.insert(cache) }
        if case .bucket(let bucket)? = workload.uploads?.value { uses.insert(bucket) }
        if let queue = workload.queue?.value { uses.insert(queue) }
        let databases = index.ordered(uses, in: index.databases)
        let caches = index.ordered(uses, in: index.caches)

        var secrets = workload.secrets.map { SecretRef(name: $0.value, purpose: .declared) }
        secrets += databases.map { SecretRef(name: "\(Self.envPrefix($0))_PASSWORD", purpose: .databasePassword) }
        secrets += caches.map { SecretRef(name: "\(Self.envPrefix($0))_PASSWORD", purpose: .cachePassword) }
        if let tracking = spec.monitoring?.errorTrackingSecret?.value, !secrets.contains(where: { $0.name == tracking }) {
            secrets.append(SecretRef(name: tracking, purpose: .errorTracking))
        }

        let build = Self.build(of: workload)
        let repository = workload.image?.value ?? workload.name
        // Workloads that share an image share its build, named after the first of them.
        let buildName = build == nil ? nil : (spec.services + spec.workers).first { $0.image?.value == repository && Self.build(of: $0) != nil }?.name ?? workload.name
        let resources = workload.resources?.value
            ?? (environment == .development ? StagePolicy.defaults(for: .mvp).resources : policy.resources)

        return WorkloadPlan(
            name: workload.name,
            kind: workload.kind,
            image: ImagePlan(repository: repository, build: build, buildName: buildName),
            port: workload.port?.value,
            healthCheck: workload.healthCheck?.value,
            healthCommand: workload.healthCommand?.value,
            metrics: workload.metrics.flatMap { metrics in
                (metrics.value.port ?? workload.port?.value).map { MetricsEndpoint(path: metrics.value.path, port: $0) }
            },
            scaling: scaling,
            resources: resources,
            command: workload.command?.value,
            config: workload.config
                .map { ConfigEntry(key: $0.key, value: $0.perEnvironment[environment.rawValue] ?? $0.value) }
                .sorted { $0.key < $1.key },
            secrets: secrets.sorted { $0.name < $1.name },
            sessions: workload.sessions?.value ?? .inProcess,
            uploads: workload.uploads?.value,
            staticPaths: workload.staticPaths.map(\.value),
            route: workload.kind == .service ? workload.route?.value ?? (position == 0 ? "/" : "/\(workload.name)/") : nil,
            databases: databases,
            caches: caches,
            buckets: index.ordered(uses, in: index.buckets),
            queue: workload.queue?.value
        )
    }

    /// Staging keeps production's shape (autoscaled stays autoscaled, several stays several)
    /// at the smallest size that still rehearses it.
    static func stagingShape(_ production: Instances) -> Scaling {
        switch production {
        case .fixed(let n): Scaling(.fixed(min(n, 2)))
        case .autoscale(let lo, let hi, let cpu):
            Scaling(.autoscale(min: min(lo, 2), max: max(min(lo, 2), min(hi, 4)), cpu: cpu))
        }
    }

    private func database(_ database: PostgresSpec, spec: StackSpec, environment: EnvironmentSpec.Kind, stage: Stage, zones: Int) -> DatabasePlan {
        let policy = StagePolicy.defaults(for: stage)
        let declaredReplicas = database.readReplicas?.value[stage] ?? policy.readReplicas
        let readReplicas = switch environment {
        case .production: declaredReplicas
        case .staging: min(declaredReplicas, 1)
        case .development: 0
        }
        var backups: BackupPlan?
        if environment != .development {
            let rpo = database.rpo?.value[stage] ?? policy.rpo
            var retentionDays = (database.retention?.value[stage] ?? policy.retention).seconds / 86_400
            if environment == .staging { retentionDays = min(retentionDays, 7) }
            let restoreEvery = database.restoreTest?.value[stage] ?? policy.restoreTestEvery
            backups = Self.backupSchedule(
                rpo: rpo,
                retentionDays: retentionDays,
                walArchiving: policy.walArchiving,
                restoreEvery: restoreEvery,
                // A declared copy region is honoured at every stage; at scale the readiness
                // check asks for one (policy.crossRegionBackupCopy).
                crossRegionCopy: environment == .production ? spec.regions.first?.value.backupCopy : nil,
                rto: database.rto?.value
            )
        }
        return DatabasePlan(
            name: database.name,
            envPrefix: Self.envPrefix(database.name),
            version: database.version,
            readReplicas: readReplicas,
            pooling: environment == .development ? false : database.pooling?.value[stage] ?? policy.pooling,
            storageGiB: environment == .development ? 10 : database.storageGiB?.value ?? policy.databaseStorageGiB,
            resources: Self.sizing(environment, policy).databaseResources,
            multiZone: zones > 1,
            backups: backups,
            slowQueryMilliseconds: spec.monitoring?.slowQueryMilliseconds?.value ?? (policy.metrics ? 500 : nil),
            largeTables: database.largeTables.map(Self.largeTable),
            migrations: database.migrations.map { Self.migrations($0.value, stack: spec.name, database: database.name) },
            passwordSecret: "\(Self.envPrefix(database.name))_PASSWORD"
        )
    }

    /// The migrations as deployed: the lock key is the stack's and database's own, so deploys of
    /// one environment wait for each other and nothing else does.
    static func migrations(_ migrations: MigrationsSpec, stack: String, database: String) -> MigrationPlan {
        MigrationPlan(command: migrations.command, workload: migrations.workload, folder: migrations.folder,
                      lockKey: MigrationPlan.lockKey(stack: stack, database: database))
    }

    /// A large table as maintained: partitions made far enough ahead that a few missed runs of
    /// the daily maintenance never leave a row without one.
    static func largeTable(_ table: LargeTableSpec) -> LargeTablePlan {
        guard let key = table.partitionKey, let interval = table.interval else { return LargeTablePlan(name: table.name.value) }
        let ahead = switch interval {
        case .day: 7
        case .week: 4
        case .month: 3
        }
        return LargeTablePlan(name: table.name.value,
                              partitioning: .init(key: key, interval: interval, ahead: ahead, retentionDays: table.retention.map { $0.seconds / 86_400 }))
    }

    /// The backup schedule that meets an RPO. A daily full backup meets a day; anything
    /// tighter needs continuous WAL archiving, with segments forced out at least every half-RPO.
    static func backupSchedule(rpo: TimeSpan, retentionDays: Int, walArchiving policyArchiving: Bool, restoreEvery: TimeSpan?, crossRegionCopy: String?, rto: TimeSpan?) -> BackupPlan {
        let walArchiving = policyArchiving || rpo < .hours(24)
        let restoreSchedule = restoreEvery.map { every -> String in
            if every < .days(7) { return "0 5 * * *" }
            if every < .days(30) { return "0 5 * * 1" }
            return "0 5 1 * *"
        }
        return BackupPlan(
            rpo: rpo,
            retentionDays: retentionDays,
            walArchiving: walArchiving,
            fullSchedule: walArchiving ? "0 2 * * 0" : "0 2 * * *",
            differentialSchedule: walArchiving ? "0 2 * * 1-6" : nil,
            incrementalSchedule: walArchiving && rpo <= .hours(1) ? "30 * * * *" : nil,
            archiveTimeoutSeconds: walArchiving ? max(60, min(rpo.seconds / 2, 1800)) : nil,
            restoreTestSchedule: restoreSchedule,
            crossRegionCopy: crossRegionCopy,
            rto: rto
        )
    }

    private func loadBalancer(_ lb: LoadBalancerSpec, domain: String, environment: EnvironmentSpec.Kind, platform: PlatformKind, policy: StageDefaults, zones: Int) -> LoadBalancerPlan {
        var limits = lb.rateLimits.map { limit in
            RateLimitPlan(requests: limit.requests, periodSeconds: limit.periodSeconds, burst: limit.burst ?? max(1, limit.requests / 5), path: limit.path)
        }
        if !limits.contains(where: { $0.path == nil }) {
            limits.insert(RateLimitPlan(requests: policy.rateLimitPerMinute, periodSeconds: 60, burst: policy.rateLimitPerMinute / 5, path: nil), at: 0)
        }
        return LoadBalancerPlan(
            domain: domain,
            // An AWS load balancer serves HTTPS only, development's too.
            tls: environment == .development && platform != .aws ? false : lb.tls?.value ?? true,
            rateLimits: limits,
            maxBodyMiB: lb.maxBodyMiB?.value ?? 10,
            timeoutSeconds: lb.timeoutSeconds?.value ?? 60,
            drainSeconds: policy.drainSeconds,
            edgeFirewall: environment != .development && policy.edgeFirewall,
            multiZone: zones > 1,
            // A managed load balancer's setting (AWS); nginx on one host has nothing to protect.
            deletionProtection: environment == .production && platform == .aws
        )
    }

    private func cdn(_ spec: StackSpec, domain: String, environment: EnvironmentSpec.Kind, stage: Stage, platform: PlatformKind, services: [WorkloadPlan]) -> CDNPlan? {
        let policy = StagePolicy.defaults(for: stage)
        guard environment != .development, spec.loadBalancer != nil,
              spec.cdn?.enabled[stage] ?? policy.cdn else { return nil }
        return CDNPlan(
            originDomain: "origin.\(domain)",
            staticPaths: services.flatMap(\.staticPaths),
            cacheablePaths: policy.cdnCachesAPI ? spec.cdn?.cacheablePaths.map(\.value) ?? [] : [],
            // The compose platform's nginx and the AWS load balancer's listener rules check it.
            // The Kubernetes ingress has no such check, so it gets no header it would ignore.
            originVerification: platform == .compose || platform == .aws
                ? OriginVerificationPlan(header: "X-Origin-Verify", secret: "CDN_ORIGIN_SECRET") : nil
        )
    }

    // MARK: - Pipeline

    private func pipeline(_ spec: StackSpec, _ environments: [EnvironmentPlan]) -> PipelinePlan {
        let declared = spec.pipeline
        let production = environments.first { $0.kind == .production }
        let stage = production?.stage ?? spec.stage
        let policy = StagePolicy.defaults(for: stage)
        let toolchain = declared?.toolchain?.value ?? .docker
        let scan = declared?.securityScan?.value
        let specs = environmentSpecs(spec)
        let stagingBranch = specs.first { $0.kind == .staging }?.branch?.value
        let defaultBranch = stagingBranch ?? specs.first { $0.kind == .production }?.branch?.value ?? "main"

        var deploys: [DeployTarget] = []
        for environment in environments where environment.kind != .development {
            let environmentSpec = specs.first { $0.kind == environment.kind }
            let approval = environmentSpec?.approval?.value ?? StagePolicy.defaults(for: environment.stage).productionApproval
            deploys.append(DeployTarget(
                environment: environment.name,
                platform: environment.platform,
                branch: environmentSpec?.branch?.value ?? defaultBranch,
                requiresApproval: environment.kind == .production && approval == .required,
                after: environment.kind == .production ? deploys.last?.environment : nil,
                url: "https://\(environment.domain)",
                rollout: environment.kind == .production ? StagePolicy.defaults(for: environment.stage).rollout : .rolling
            ))
        }

        var images: [ImageBuild] = []
        for workload in environments.first?.workloads ?? [] {
            // Workloads that share an image share its build (the validator refuses two builds of one image).
            guard let build = workload.image.build, workload.image.buildName == workload.name else { continue }
            images.append(ImageBuild(workload: workload.name, repository: workload.image.repository, context: build.context, dockerfile: build.dockerfile))
        }

        return PipelinePlan(
            providers: declared?.providers ?? [.githubActions],
            toolchain: toolchain,
            buildCommand: declared?.buildCommand?.value ?? Self.defaultBuildCommand(toolchain),
            testCommand: declared?.testCommand?.value ?? Self.defaultTestCommand(toolchain),
            lintCommand: policy.lint ? declared?.lintCommand?.value ?? Self.defaultLintCommand(toolchain) : declared?.lintCommand?.value,
            dependencyReview: policy.dependencyReview || scan == true,
            driftCheck: policy.driftCheck,
            codeScanning: policy.codeScanning || scan == true,
            secretScanning: policy.secretScanning || scan == true,
            stackFile: spec.location.file,
            outputDirectory: declared?.outputDirectory?.value ?? ".",
            defaultBranch: defaultBranch,
            images: images,
            migrationLints: spec.databases.compactMap { database in
                database.migrations?.value.folder.map { MigrationLint(folder: $0, postgresVersion: database.version) }
            },
            deploys: deploys,
            toolVersion: toolVersion
        )
    }

    static func defaultBuildCommand(_ toolchain: Toolchain) -> String? {
        switch toolchain {
        case .swift: "swift build"
        case .node: "npm ci && npm run build --if-present"
        case .python: "python -m pip install -r requirements.txt"
        case .go: "go build ./..."
        case .ruby: "bundle install"
        case .java(_, .gradle): "./gradlew assemble"
        case .java(_, .maven): "mvn --batch-mode -DskipTests package"
        case .rust: "cargo build --locked"
        case .php: "composer install --no-interaction --prefer-dist"
        case .dotnet: "dotnet build"
        case .elixir: "mix local.hex --force && mix local.rebar --force && mix deps.get && mix compile"
        case .docker: nil
        }
    }

    static func defaultTestCommand(_ toolchain: Toolchain) -> String? {
        switch toolchain {
        case .swift: "swift test"
        case .node: "npm test"
        case .python: "python -m pytest"
        case .go: "go test ./..."
        case .ruby: "bundle exec rake test"
        case .java(_, .gradle): "./gradlew test"
        case .java(_, .maven): "mvn --batch-mode test"
        case .rust: "cargo test --locked"
        case .php: "vendor/bin/phpunit"
        case .dotnet: "dotnet test"
        case .elixir: "mix test"
        case .docker: nil
        }
    }

    static func defaultLintCommand(_ toolchain: Toolchain) -> String? {
        switch toolchain {
        case .swift: "swift format lint --strict --recursive ."
        case .node: "npm run lint"
        case .python: "python -m ruff check ."
        case .go: "go vet ./..."
        case .ruby: "bundle exec rubocop"
        case .java(_, .gradle): "./gradlew check -x test"
        case .java(_, .maven): "mvn --batch-mode -DskipTests verify"
        case .rust: "rustup component add clippy && cargo clippy --locked -- --deny warnings"
        case .php: "composer validate --strict"
        case .dotnet: "dotnet format --verify-no-changes"
        case .elixir: "mix format --check-formatted"
        case .docker: nil
        }
    }

    // MARK: - Findings the policy cannot fill

    private func omissionWarnings(_ spec: StackSpec, _ environments: [EnvironmentPlan]) -> [Diagnostic] {
        var warnings: [Diagnostic] = []
        guard let production = environments.first(where: { $0.kind == .production }) else { return warnings }
        let policy = StagePolicy.defaults(for: production.stage)
        let planned = Dictionary(production.services.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for service in spec.services {
            if let planned = planned[service.name], planned.scaling.max > 1, service.sessions == nil {
                warnings.append(Diagnostic(.warning, "\(service.name) runs several instances but does not say where sessions live; declare Sessions(.shared(cache: …)) or Sessions(.stateless)", at: service.location))
            }
            if policy.inProcessSessions == .warning, service.sessions?.value == .inProcess {
                warnings.append(Diagnostic(.warning, "\(service.name) keeps sessions in process: fine for one instance, but growth will need Sessions(.shared(cache: …))", at: service.sessions!.location))
            }
            if policy.localUploads == .warning, let uploads = service.uploads, case .localDisk = uploads.value {
                warnings.append(Diagnostic(.warning, "\(service.name) stores uploads on local disk: they are lost with the host; growth will need Uploads(.bucket(…))", at: uploads.location))
            }
            if policy.inlineJobs == .warning, let jobs = service.inlineJobs {
                warnings.append(Diagnostic(.warning, "\(service.name) runs \(jobs.value.joined(separator: ", ")) inside requests; growth will need a Worker", at: jobs.location))
            }
        }
        // Redis on Kubernetes is a primary and a replica with no automatic failover (Sentinel is
        // not run): at scale a managed cache is what fails over by itself.
        if production.platform == .kubernetes, production.stage == .scale {
            for cache in spec.caches {
                warnings.append(Diagnostic(.warning, "\(cache.name) runs on Kubernetes as one Redis primary with no automatic failover; at scale a managed cache fails over by itself: Platform(scale: .aws) runs it on ElastiCache", at: cache.location))
            }
        }
        if policy.crossRegionBackupCopy, !spec.databases.isEmpty, spec.regions.first?.value.backupCopy == nil {
            warnings.append(Diagnostic(.warning, "backups are not copied to another region; declare Region(\"…\", backupCopy: \"…\")", at: spec.regions.first?.location ?? spec.location))
        }
        return warnings
    }

    /// Production gets the stage's sizes; staging and development, which rehearse the shape
    /// rather than the load, get the smallest.
    static func sizing(_ environment: EnvironmentSpec.Kind, _ policy: StageDefaults) -> StageDefaults {
        environment == .production ? policy : StagePolicy.defaults(for: .mvp)
    }

    static func envPrefix(_ name: String) -> String { String(name.uppercased().map { $0 == "-" ? "_" : $0 }) }

    /// What CI builds for a workload: nothing for an image the stack pins (`repo:tag`,
    /// `repo@sha256:…`), else its Dockerfile (`Dockerfile` at the repository's root by default).
    static func build(of workload: WorkloadSpec) -> BuildSpec? {
        if workload.image.map({ hasTagOrDigest($0.value) }) ?? false { return nil }
        return workload.build?.value ?? BuildSpec(dockerfile: "Dockerfile", context: ".")
    }

    static func hasTagOrDigest(_ image: String) -> Bool {
        if image.contains("@") { return true }
        guard let colon = image.lastIndex(of: ":") else { return false }
        return !image[colon...].contains("/")
    }
}
