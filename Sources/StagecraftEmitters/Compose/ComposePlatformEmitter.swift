import StagecraftOutput
import StagecraftPlanner
import StagecraftSpec

/// The single-host platform: per compose environment, a Compose project with nginx in front
/// of the app replicas and an ACME client for its certificate, Postgres with streaming
/// standbys and PgBouncer, Redis with its replica, pgBackRest backups on a schedule with a
/// restore test, and the CI steps that deploy it over SSH.
public struct ComposePlatformEmitter: PlatformEmitter {
    public init() {}

    public var platform: PlatformKind { .compose }

    public func emit(_ plan: StackPlan, context: EmitContext) throws -> [GeneratedFile] {
        var files: [GeneratedFile] = []
        for environment in plan.environments where environment.platform == .compose {
            let layout = ComposeLayout(stack: plan.stack, environment: environment)
            let compose = try ComposeFile(layout: layout).document().serialized()
            files.append(try GeneratedFile(path: "\(layout.folder)/compose.yaml", text: compose, commentStyle: .hash))
            if let loadBalancer = environment.loadBalancer, !environment.services.isEmpty {
                let nginx = try NginxConfig(layout: layout, loadBalancer: loadBalancer).render(context.templates)
                files.append(try GeneratedFile(path: "\(layout.folder)/nginx/nginx.conf", text: nginx, commentStyle: .hash))
                files.append(try GeneratedFile(path: "\(layout.folder)/\(ComposeLayout.nginxResolverScript)", text: context.templates.render("compose/nginx-resolver.sh", [
                    "ttlSeconds": ComposeLayout.upstreamTTLSeconds, "resolverConfig": ComposeLayout.nginxResolverConfig,
                ]), executable: true, commentStyle: .hash))
                if let verification = environment.cdn?.originVerification {
                    files.append(try GeneratedFile(path: "\(layout.folder)/\(ComposeLayout.nginxOriginVerifyScript)", text: context.templates.render("compose/nginx-origin-verify.sh", [
                        "secret": verification.secret, "headerVariable": NginxConfig.headerVariable(verification.header),
                        "config": ComposeLayout.nginxOriginVerifyConfig,
                    ]), executable: true, commentStyle: .hash))
                }
            }
            let databases = environment.databases.map { PostgresFiles(layout: layout, database: ComposeDatabase(plan: $0)) }
            for database in databases {
                files += try database.files(context.templates)
            }
            files += try MigrationFiles(layout: layout).files(context.templates)
            files += try PoolerFiles(layout: layout).files(context.templates)
            let backups = BackupFiles(layout: layout), certificates = CertificateFiles(layout: layout)
            files += try backups.files(context.templates)
            files += try certificates.files(context.templates)
            files += try ScheduleFiles(layout: layout, jobs: databases.flatMap(\.jobs) + backups.jobs + certificates.jobs).files(context.templates)
            files += try ComposeStorageRoot.files(layout, stack: plan.stack)
            files += try MonitoringFiles(layout: layout).files(context.templates)
        }
        return files
    }

    public func deploySteps(for target: DeployTarget, environment: EnvironmentPlan, plan: StackPlan) -> [CIStep] {
        ComposeDeploySteps(layout: ComposeLayout(stack: plan.stack, environment: environment), outputDirectory: plan.pipeline.outputDirectory,
                           digests: ImageDigests(plan.pipeline, environment: environment)).steps
    }
}
