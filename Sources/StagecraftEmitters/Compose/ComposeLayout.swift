import StagecraftPlanner

/// Where things live for one compose environment: paths in the output folder, on the host and
/// inside containers. One place, so the compose file, the configs that refer to each other and
/// the deploy steps agree.
struct ComposeLayout {
    let stack: String
    let environment: EnvironmentPlan

    /// The environment's folder in the output.
    var folder: String { "environments/\(environment.name)" }
    /// The Compose project, which prefixes container, network and volume names.
    var project: String { "\(stack)-\(environment.name)" }
    /// Where the deploy unpacks the environment's folder on the host (what the crontab `cd`s into).
    var hostDirectory: String { "/srv/\(stack)/\(environment.name)" }
    /// The release before the current one, kept for rollback.
    var previousHostDirectory: String { "\(hostDirectory).previous" }

    /// The name the origin's certificate is for: the CDN's origin name when a CDN fronts the
    /// environment (HTTP-01 for the public name cannot pass through the CDN), else the domain.
    var certificateDomain: String? {
        guard let loadBalancer = environment.loadBalancer, loadBalancer.tls, !environment.services.isEmpty else { return nil }
        return environment.cdn?.originDomain ?? loadBalancer.domain
    }

    /// The env file with a service's secrets, written on the host by the deploy; never in the output.
    static func secretsFile(_ service: String) -> String { "secrets/\(service).env" }
    static func configFile(_ workload: String) -> String { "config/\(workload).env" }

    // Inside the database containers.
    static let postgresConfig = "/etc/postgresql/postgresql.conf"
    static let postgresHBA = "/etc/postgresql/pg_hba.conf"
    static let postgresData = "/var/lib/postgresql/data"
    static let postgresSocket = "/var/run/postgresql"
    static let replicationPassfile = "/var/lib/postgresql/replication.pgpass"
    static let pgbackrestConfig = "/etc/pgbackrest/pgbackrest.conf"
    static let pgbackrestRepository = "/var/lib/pgbackrest"
    static let restoreTestScript = "/usr/local/bin/restore-test.sh"
    static let restoreScratch = "/var/lib/postgresql"
    static let postgresPort = 5432
    static let postgresMaxConnections = 200
    static let redisPort = 6379
    static let poolerPort = 6432
    /// Output folder (relative to the environment's) of the PgBouncer image and configurations.
    static let poolerFolder = "pgbouncer"
    static let poolerConfig = "/etc/pgbouncer/pgbouncer.ini"
    static let poolerEntrypoint = "/usr/local/bin/pgbouncer-entrypoint.sh"
    /// A tmpfs: the auth file holds a password, so it never touches a disk.
    static let poolerAuthDirectory = "/run/pgbouncer"
    static let poolerAuthFile = "\(poolerAuthDirectory)/userlist.txt"
    // TLS at the origin: the ACME client service and the volumes it shares with nginx.
    static let acmeService = "acme"
    /// The official lego image; its entrypoint is /lego, and its shell runs the generated script.
    static let acmeImage = "goacme/lego:v4.19.2"
    static let acmeScript = "acme/certificates.sh"
    static let acmeScriptMount = "/usr/local/bin/certificates.sh"
    static let certificatesVolume = "acme-certificates"
    static let challengesVolume = "acme-challenges"
    /// Where lego keeps its account and certificates (`--path`), inside the acme service.
    static let acmeData = "/certificates"
    /// The same volume, read-only, inside nginx.
    static let nginxCertificates = "/etc/nginx/acme"
    static let challengesRoot = "/var/www/acme"
    /// nginx: the script the image runs at start, and the resolver configuration it writes.
    static let nginxResolverScript = "nginx/resolver.sh"
    static let nginxResolverScriptMount = "/docker-entrypoint.d/15-stagecraft-resolver.sh"
    static let nginxResolverConfig = "/etc/nginx/resolver.conf"
    /// The group the official nginx image's worker processes run as (its nginx user).
    static let nginxGID = 101
    /// How long nginx keeps an app service's addresses before asking Docker's DNS again.
    static let upstreamTTLSeconds = 1

    /// The role standbys stream WAL as.
    static let replicationUser = "replicator"
}

/// A database's services, roles and secrets on the compose platform.
struct ComposeDatabase {
    let plan: DatabasePlan

    var service: String { plan.name }
    /// The owner role and database the app connects to, created by the image on first start.
    var user: String { plan.name }
    func replicaService(_ index: Int) -> String { "\(plan.name)-replica-\(index)" }
    var replicaServices: [String] { plan.readReplicas > 0 ? (1...plan.readReplicas).map(replicaService) : [] }
    /// A DNS name every replica answers to, so readers spread across them.
    var readAlias: String { "\(plan.name)-read" }
    var readHost: String { plan.readReplicas > 0 ? readAlias : service }
    /// Replication slot names allow only `[a-z0-9_]`.
    func slot(_ index: Int) -> String { "\(plan.name.replacing("-", with: "_"))_replica_\(index)" }
    var slots: [String] { plan.readReplicas > 0 ? (1...plan.readReplicas).map(slot) : [] }
    var dataVolume: String { "\(plan.name)-data" }
    func replicaVolume(_ index: Int) -> String { "\(replicaService(index))-data" }
    var backupVolume: String { "\(plan.name)-backups" }
    /// The one-off container the restore test runs in (`docker compose run`), beside the database.
    var restoreTestService: String { "\(plan.name)-restore-test" }
    /// The pgBackRest stanza: one per database.
    var stanza: String { plan.name }
    /// Built from the official image with pgBackRest added, when the database is backed up.
    var image: String { plan.backups == nil ? "postgres:\(plan.version)" : "\(plan.name)-postgres:\(plan.version)-pgbackrest" }
    var configFolder: String { "postgres/\(plan.name)" }

    // Connection pooling: PgBouncer in front of the primary when the plan asks for it.
    var pooler: String { "\(plan.name)-pgbouncer" }
    var poolerImage: String { "\(plan.name)-pgbouncer:pg\(plan.version)" }
    var poolerConfigPath: String { "\(ComposeLayout.poolerFolder)/\(plan.name)/pgbouncer.ini" }
    /// Where the apps send their connections (reads may go to the standbys instead).
    var clientHost: String { plan.pooling ? pooler : service }
    var clientPort: Int { plan.pooling ? ComposeLayout.poolerPort : ComposeLayout.postgresPort }

    // Secrets beyond the app's password, named like the planner names database secrets.
    var replicationPasswordSecret: String { "\(plan.envPrefix)_REPLICATION_PASSWORD" }
    var backupCipherSecret: String { "\(plan.envPrefix)_BACKUP_CIPHER_PASS" }

    /// The database container's own env file: the variables the image and pgBackRest read,
    /// each filled from a secret of the CI provider.
    var containerSecrets: [(variable: String, secret: String)] {
        var entries = [("POSTGRES_PASSWORD", plan.passwordSecret)]
        if plan.readReplicas > 0 { entries.append(("REPLICATION_PASSWORD", replicationPasswordSecret)) }
        if plan.backups != nil { entries.append(("PGBACKREST_REPO1_CIPHER_PASS", backupCipherSecret)) }
        return entries
    }
}

/// What Compose itself would read in a value: `$` starts an interpolation, so literal text
/// from a stack file has each `$` doubled.
enum ComposeText {
    static func literal(_ value: String) -> String { value.replacing("$", with: "$$") }
}
