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
    /// The region of the backups' copy in object storage, when the plan has one.
    var backupCopyRegion: String? { environment.databases.lazy.compactMap { $0.backups?.crossRegionCopy }.first }
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
    /// nginx: the script that writes the CDN's shared secret into a tmpfs at container start.
    static let nginxOriginVerifyScript = "nginx/origin-verify.sh"
    static let nginxOriginVerifyScriptMount = "/docker-entrypoint.d/16-stagecraft-origin-verify.sh"
    static let nginxPrivate = "/etc/nginx/private"
    static let nginxOriginVerifyConfig = "\(nginxPrivate)/origin-verify.conf"
    static let nginxService = "nginx"
    /// The group the official nginx image's worker processes run as (its nginx user).
    static let nginxGID = 101
    /// How long nginx keeps an app service's addresses before asking Docker's DNS again.
    static let upstreamTTLSeconds = 1

    // The backups' copy (pgBackRest's repo2): the bucket and its key are secrets of the
    // environment; where the store is, settings with AWS's S3 in the copy region as default.
    static let backupCopyBucketSecret = "BACKUP_COPY_BUCKET"
    static let backupCopyKeySecret = "BACKUP_COPY_ACCESS_KEY_ID"
    static let backupCopyKeySecretSecret = "BACKUP_COPY_SECRET_ACCESS_KEY"
    static let backupCopyEndpoint = "BACKUP_COPY_ENDPOINT"
    static let backupCopyPort = "BACKUP_COPY_PORT"
    static let backupCopyURIStyle = "BACKUP_COPY_URI_STYLE"

    /// The role standbys stream WAL as.
    static let replicationUser = "replicator"
    /// The role the apps log in as: owner of their database, not a superuser.
    static let appUser = "app"
    /// Creates the roles and keeps their passwords in step (postgres/NAME/roles.sh), run by
    /// the image on first start from its init folder and by the deploy on every rollout.
    static let rolesScriptMount = "/docker-entrypoint-initdb.d/10-roles.sh"
}

/// A database's services, roles and secrets on the compose platform.
struct ComposeDatabase {
    let plan: DatabasePlan

    var service: String { plan.name }
    /// The superuser the image creates on first start (POSTGRES_USER); it logs in over the
    /// container's socket only: backups, reloads, the roles script.
    var superuser: String { plan.name }
    /// What the apps log in as (roles.sh): the owner of their database, and nothing more.
    var appUser: String { ComposeLayout.appUser }
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
    /// Where pgBackRest's second repository (in object storage) is, when the plan copies backups.
    var backupCopyRegion: String? { plan.backups?.crossRegionCopy }
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
    var adminPasswordSecret: String { "\(plan.envPrefix)_ADMIN_PASSWORD" }
    var replicationPasswordSecret: String { "\(plan.envPrefix)_REPLICATION_PASSWORD" }
    var backupCipherSecret: String { "\(plan.envPrefix)_BACKUP_CIPHER_PASS" }

    /// The database container's own env file: the variables the image and pgBackRest read,
    /// each filled from a secret of the CI provider.
    var containerSecrets: [(variable: String, secret: String)] {
        var entries = [("POSTGRES_PASSWORD", adminPasswordSecret), ("APP_PASSWORD", plan.passwordSecret)]
        if plan.readReplicas > 0 { entries.append(("REPLICATION_PASSWORD", replicationPasswordSecret)) }
        if plan.backups != nil { entries.append(("PGBACKREST_REPO1_CIPHER_PASS", backupCipherSecret)) }
        if backupCopyRegion != nil {
            entries += [
                ("PGBACKREST_REPO2_CIPHER_PASS", backupCipherSecret),
                ("PGBACKREST_REPO2_S3_BUCKET", ComposeLayout.backupCopyBucketSecret),
                ("PGBACKREST_REPO2_S3_KEY", ComposeLayout.backupCopyKeySecret),
                ("PGBACKREST_REPO2_S3_KEY_SECRET", ComposeLayout.backupCopyKeySecretSecret),
            ]
        }
        return entries
    }
}

/// What Compose itself would read in a value: `$` starts an interpolation, so literal text
/// from a stack file has each `$` doubled.
enum ComposeText {
    static func literal(_ value: String) -> String { value.replacing("$", with: "$$") }
}
