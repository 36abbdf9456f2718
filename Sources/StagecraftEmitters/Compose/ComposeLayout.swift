import StagecraftPlanner

/// Where things live for one compose environment: paths in the output folder, on the host,
/// inside containers, and the names Docker Compose gives containers. One place, so the
/// compose file, the configs that refer to each other and the deploy steps agree.
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

    /// The container Compose starts for replica `index` (1-based) of a service.
    func container(_ service: String, replica index: Int) -> String { "\(project)-\(service)-\(index)" }

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
    /// The postgres user of the official PostgreSQL image, which PgBouncer runs as.
    static let postgresUID = 999
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
