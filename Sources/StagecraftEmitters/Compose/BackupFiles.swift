import StagecraftOutput
import StagecraftPlanner

/// pgBackRest for a compose environment: one configuration with a stanza per backed-up
/// database, the host crontab that runs the schedule, and the restore-test script.
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
            try GeneratedFile(path: "\(layout.folder)/backup/crontab", text: templates.render("compose/crontab", schedule), commentStyle: .hash),
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
            "stanzas": databases.map { database in
                [
                    "name": database.stanza,
                    "dataDirectory": ComposeLayout.postgresData,
                    "port": ComposeLayout.postgresPort,
                    "socketPath": ComposeLayout.postgresSocket,
                    "user": database.user,
                ] as [String: Any]
            },
        ]
    }

    var schedule: [String: Any] {
        var jobs: [[String: Any]] = []
        for database in databases {
            guard let backups = database.plan.backups else { continue }
            func job(_ description: String, _ cron: String?, _ command: String) {
                guard let cron else { return }
                jobs.append([
                    "description": description, "schedule": cron, "directory": layout.hostDirectory,
                    "service": database.service, "command": command,
                ])
            }
            func backup(_ type: String) -> String { "pgbackrest --stanza=\(database.stanza) --type=\(type) backup" }
            job("\(database.stanza): full backup", backups.fullSchedule, backup("full"))
            job("\(database.stanza): differential backup (changes since the last full)", backups.differentialSchedule, backup("diff"))
            job("\(database.stanza): incremental backup (changes since the last backup)", backups.incrementalSchedule, backup("incr"))
            job("\(database.stanza): restore test", backups.restoreTestSchedule, "\(ComposeLayout.restoreTestScript) \(database.stanza)")
        }
        return ["project": layout.project, "jobs": jobs]
    }

    func restoreTest(_ database: ComposeDatabase) -> [String: Any] {
        [
            "defaultStanza": database.stanza,
            "version": database.plan.version,
            "scratchPort": Self.scratchPort,
            "config": ComposeLayout.postgresConfig,
            "hba": ComposeLayout.postgresHBA,
            "checkQuery": "SELECT count(*) FROM pg_catalog.pg_class",
        ]
    }
}
