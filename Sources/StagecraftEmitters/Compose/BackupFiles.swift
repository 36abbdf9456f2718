import StagecraftOutput
import StagecraftPlanner

/// pgBackRest for a compose environment: one configuration with a stanza per backed-up
/// database, the image that runs it, the restore-test script, and the jobs of the schedule.
struct BackupFiles {
    let layout: ComposeLayout
    let databases: [ComposeDatabase]

    /// A port no service of the environment uses, for the restored scratch copy.
    static let scratchPort = 54329

    init(layout: ComposeLayout) {
        self.layout = layout
        self.databases = layout.environment.databases.filter { $0.backups != nil }.map(ComposeDatabase.init)
    }

    func files(_ templates: TemplateLibrary) throws -> [GeneratedFile] {
        guard let first = databases.first else { return [] }
        return [
            try GeneratedFile(path: "\(layout.folder)/pgbackrest/pgbackrest.conf", text: templates.render("compose/pgbackrest.conf", configuration), commentStyle: .hash),
            try GeneratedFile(path: "\(layout.folder)/backup/restore-test.sh", text: templates.render("compose/restore-test.sh", restoreTest(first)), executable: true, commentStyle: .hash),
            try GeneratedFile(path: "\(layout.folder)/postgres/Dockerfile", text: templates.render("compose/postgres.Dockerfile", ["version": first.plan.version]), commentStyle: .hash),
        ]
    }

    var configuration: [String: Any] {
        [
            "repositoryPath": ComposeLayout.pgbackrestRepository,
            // One retention for the shared repository: the longest any database asks for.
            "retentionDays": databases.compactMap { $0.plan.backups?.retentionDays }.max() ?? 7,
            "spoolPath": "/var/spool/pgbackrest",
            "lockPath": "/tmp/pgbackrest",
            "logPath": "/var/log/pgbackrest",
            "copyRegion": layout.backupCopyRegion ?? false,
            "stanzas": databases.map { database in
                [
                    "name": database.stanza,
                    "dataDirectory": ComposeLayout.postgresData,
                    "port": ComposeLayout.postgresPort,
                    "socketPath": ComposeLayout.postgresSocket,
                    "user": database.superuser,
                ] as [String: Any]
            },
        ]
    }

    /// The crontab's backup jobs: full, differential and incremental backups and the restore test.
    var jobs: [ScheduledJob] {
        var jobs: [ScheduledJob] = []
        for database in databases {
            guard let backups = database.plan.backups else { continue }
            // One backup of a stanza at a time: a copy's job waits for the host's to finish.
            let lock = "flock ops/.\(database.stanza)-backup.lock"
            func job(_ kind: String, _ description: String, _ cron: String?, _ type: String) {
                guard let cron else { return }
                let backup = "docker compose exec -T --user postgres \(database.service) pgbackrest --stanza=\(database.stanza)"
                jobs.append(ScheduledJob(name: "\(database.stanza)-\(kind)", description: "\(database.stanza): \(description)", schedule: cron,
                                         command: "\(lock) \(backup) --repo=1 --type=\(type) backup"))
                if let region = database.backupCopyRegion {
                    jobs.append(ScheduledJob(name: "\(database.stanza)-\(kind)-copy", description: "\(database.stanza): \(description), to the copy in \(region)", schedule: cron,
                                             command: "\(lock) \(backup) --repo=2 --type=\(type) backup"))
                }
            }
            job("full-backup", "full backup", backups.fullSchedule, "full")
            job("diff-backup", "differential backup (changes since the last full)", backups.differentialSchedule, "diff")
            job("incr-backup", "incremental backup (changes since the last backup)", backups.incrementalSchedule, "incr")
            if let schedule = backups.restoreTestSchedule {
                jobs.append(ScheduledJob(
                    name: "\(database.stanza)-restore-test", description: "\(database.stanza): restore test (a one-off container; see backup/restore-test.sh)",
                    schedule: schedule, command: "docker compose run --rm --no-deps \(database.restoreTestService)"))
            }
        }
        return jobs
    }

    func restoreTest(_ database: ComposeDatabase) -> [String: Any] {
        let backups = database.plan.backups
        return [
            "defaultStanza": database.stanza,
            "service": database.restoreTestService,
            "scratchPort": Self.scratchPort,
            "config": ComposeLayout.postgresConfig,
            "hba": ComposeLayout.postgresHBA,
            "primaryHost": database.service,
            "primaryPort": ComposeLayout.postgresPort,
            // Over the network, where the superuser is refused: the owner of the database.
            "user": database.appUser,
            "database": database.plan.name,
            "walArchiving": backups?.walArchiving == true ? "yes" : "no",
            "rpoSeconds": backups?.rpo.seconds ?? Self.undeclaredRecoveryTime,
            "recoveryTimeSeconds": backups?.rto?.seconds ?? Self.undeclaredRecoveryTime,
        ]
    }

    /// The bound a restore test holds an undeclared RPO or recovery time to: one day.
    static let undeclaredRecoveryTime = 86_400
}
