import StagecraftPlanner
import StagecraftSpec

/// Services and workers: health checks, state that must leave the instance, redundancy.
enum WorkloadRules {
    static let all = [healthCheck, workerHealth, sharedSessions, objectStorage, backgroundWorker, literalSecrets, redundantInstances, loadBalancer]

    static let healthCheck = ReadinessRule(
        id: "SC101-health-check",
        summary: "Every service declares a health check, so the load balancer and deploys can tell a broken instance",
        severity: Staged(mvp: .warning, growth: .error, scale: .error)
    ) { context in
        context.spec.services.filter { $0.healthCheck == nil }.map { service in
            Violation(
                "\(service.name) has no health check: a load balancer keeps sending traffic to a broken instance, and a deploy cannot tell it failed",
                at: service.location,
                fix: Fix("HealthCheck(\"/healthz\")", DSL.inside(DSL.service(service), service.location))
            )
        }
    }

    static let workerHealth = ReadinessRule(
        id: "SC108-worker-health",
        summary: "Every worker declares a health command, so a hung one is replaced and a broken release rolled back",
        severity: Staged(growth: .warning)
    ) { context in
        context.spec.workers.filter { $0.healthCommand == nil }.map { worker in
            Violation(
                "\(worker.name) has no health command: a worker stuck on a job keeps running, and a release whose workers cannot start looks deployed",
                at: worker.location,
                fix: Fix("HealthCommand(\"bin/\(worker.name)-healthy\")", DSL.inside(DSL.service(worker), worker.location) + " (with a command that exits 0 while it works)")
            )
        }
    }

    static let sharedSessions = ReadinessRule(
        id: "SC102-shared-sessions",
        summary: "Sessions live in a shared store (or nowhere), not in one instance's memory",
        severity: .policy(\.inProcessSessions)
    ) { context in
        context.spec.services.compactMap { service in
            let planned = context.production?.services.first { $0.name == service.name }?.sessions
            guard (planned ?? service.sessions?.value ?? .inProcess) == .inProcess else { return nil }
            let cache = context.spec.caches.first?.name ?? "cache"
            let declareCache = context.spec.caches.isEmpty ? " and declare Redis(\"cache\") in the stack" : ""
            let fix = "Sessions(.shared(cache: \(DSL.string(cache))))"
            if let sessions = service.sessions {
                return Violation(
                    "\(service.name) keeps sessions in process: each instance has its own, so users are logged out whenever the load balancer picks another instance or a deploy restarts one",
                    at: sessions.location, fix: Fix(fix, DSL.replacing(at: sessions.location) + declareCache))
            }
            return Violation(
                "\(service.name) does not say where sessions live, so they stay in process: lost on every deploy and not shared between instances",
                at: service.location, fix: Fix(fix, DSL.inside(DSL.service(service), service.location) + declareCache))
        }
    }

    static let objectStorage = ReadinessRule(
        id: "SC103-object-storage",
        summary: "Uploads go to object storage, not the app host's disk",
        severity: .policy(\.localUploads)
    ) { context in
        context.spec.services.compactMap { service in
            guard let uploads = service.uploads, case .localDisk(let path) = uploads.value else { return nil }
            let bucket = context.spec.buckets.first?.name ?? "uploads"
            let declareBucket = context.spec.buckets.isEmpty ? " and declare Bucket(\"uploads\") in the stack" : ""
            return Violation(
                "\(service.name) stores uploads in \(path) on the host's disk: they are lost with the host and invisible to every other instance",
                at: uploads.location,
                fix: Fix("Uploads(.bucket(\(DSL.string(bucket))))", DSL.replacing(at: uploads.location) + declareBucket))
        }
    }

    static let backgroundWorker = ReadinessRule(
        id: "SC104-background-worker",
        summary: "Heavy work runs in a worker fed by a queue, not inside requests",
        severity: .policy(\.inlineJobs)
    ) { context in
        context.spec.services.compactMap { service in
            guard let jobs = service.inlineJobs else { return nil }
            let cache = context.spec.caches.first?.name ?? "cache"
            return Violation(
                "\(service.name) runs \(jobs.value.joined(separator: ", ")) inside requests: a slow job holds a request open and a traffic spike multiplies them",
                at: jobs.location,
                fix: Fix("Worker(\"jobs\") { Queue(on: \(DSL.string(cache))) }", "in the stack, removing InlineJobs(…) at \(jobs.location)"))
        }
    }

    static let literalSecrets = ReadinessRule(
        id: "SC105-literal-secrets",
        summary: "Secrets are references to a secret store, never values in the stack file",
        severity: Staged(base: .error)
    ) { context in
        let overrides = context.spec.environments.flatMap(\.overrides).map(\.changes)
        return (context.spec.services + context.spec.workers + overrides).flatMap(\.config).compactMap { config in
            let values = [config.value] + config.perEnvironment.values.sorted()
            guard ValueRules.looksLikeSecretKey(config.key) || values.contains(where: ValueRules.looksLikeSecretValue) else { return nil }
            // The value is never repeated: it may be a live credential.
            return Violation(
                "Config(\(DSL.string(config.key)), …) writes a secret into the stack file, where every clone of the repository can read it",
                at: config.location,
                fix: Fix("Secret(\(DSL.string(config.key)))", DSL.replacing(at: config.location) + ", with the value kept in the environment's secret store"))
        }
    }

    static let redundantInstances = ReadinessRule(
        id: "SC106-redundant-instances",
        summary: "Every service and worker runs at least two instances, so one can fail or be replaced",
        severity: Staged(growth: .warning, scale: .error)
    ) { context in
        var seen: Set<String> = []
        var violations: [Violation] = []
        for environment in context.deployed {
            for planned in environment.workloads where planned.scaling.min < 2 && seen.insert(planned.name).inserted {
                guard let workload = (context.spec.services + context.spec.workers).first(where: { $0.name == planned.name }) else { continue }
                let minimum = max(2, workload.kind == .service ? context.policy.minimumAppInstances : 2)
                violations.append(Violation(
                    "\(workload.name) runs \(planned.scaling.min) instance in \(environment.name): one crash or deploy takes it down",
                    at: workload.replicas?.location ?? workload.location,
                    fix: Fix(
                        DSL.replicas(workload.replicas?.value, setting: context.stage, to: .fixed(minimum)),
                        workload.replicas.map { DSL.replacing(at: $0.location) } ?? DSL.inside(DSL.service(workload), workload.location))))
            }
        }
        return violations
    }

    static let loadBalancer = ReadinessRule(
        id: "SC107-load-balancer",
        summary: "Services sit behind a load balancer that health-checks them",
        severity: Staged(growth: .warning, scale: .warning)
    ) { context in
        guard context.spec.loadBalancer == nil, !context.spec.services.isEmpty else { return [] }
        return [Violation(
            "the stack has no load balancer: several instances need one in front to share traffic and skip broken ones",
            at: context.spec.location,
            fix: Fix("LoadBalancer(domain: \(DSL.string("\(context.spec.name).example.com")))", DSL.inStack(context.spec)))]
    }
}
