import StagecraftOutput
import StagecraftPlanner

/// A database's files on the compose platform: the primary's and each standby's
/// configuration, host-based authentication, the replication setup script and the image.
struct PostgresFiles {
    let layout: ComposeLayout
    let database: ComposeDatabase

    var folder: String { "\(layout.folder)/\(database.configFolder)" }

    func files(_ templates: TemplateLibrary) throws -> [GeneratedFile] {
        var files = [
            try GeneratedFile(path: "\(folder)/primary.conf", text: templates.render("compose/postgresql.conf", configuration(replica: nil)), commentStyle: .hash),
            try GeneratedFile(path: "\(folder)/pg_hba.conf", text: templates.render("compose/pg_hba.conf", base), commentStyle: .hash),
            try GeneratedFile(path: "\(folder)/roles.sh", text: templates.render("compose/roles.sh", roles), executable: true, commentStyle: .hash),
        ]
        for index in database.replicaServices.indices.map({ $0 + 1 }) {
            files.append(try GeneratedFile(path: "\(folder)/replica-\(index).conf", text: templates.render("compose/postgresql.conf", configuration(replica: index)), commentStyle: .hash))
        }
        if let maintenance = try PartitionMaintenance.sql(database.plan, templates: templates) {
            files.append(try GeneratedFile(path: "\(folder)/\(PartitionMaintenance.fileName)", text: maintenance, commentStyle: .dashes))
        }
        if database.plan.readReplicas > 0 {
            files.append(try GeneratedFile(path: "\(folder)/replica-entrypoint.sh", text: templates.render("compose/replica-entrypoint.sh", entrypointContext), executable: true, commentStyle: .hash))
        }
        return files
    }

    /// The daily partition maintenance, run by the superuser over the primary's socket (the
    /// script switches to the tables' owner), reading the script from the release folder.
    var jobs: [ScheduledJob] {
        guard !PartitionMaintenance.tables(database.plan).isEmpty else { return [] }
        return [ScheduledJob(
            name: "\(database.plan.name)-partitions",
            description: "\(database.plan.name): partitions created ahead and dropped past their retention (\(database.configFolder)/\(PartitionMaintenance.fileName))",
            schedule: PartitionMaintenance.schedule(database.plan),
            command: "docker compose exec -T --user postgres \(database.service) psql --no-psqlrc --quiet --username \(database.superuser) --dbname \(database.plan.name) < \(database.configFolder)/\(PartitionMaintenance.fileName)"
        )]
    }

    private var base: [String: Any] {
        [
            "database": database.plan.name,
            "user": database.superuser,
            "appUser": database.appUser,
            "version": database.plan.version,
            "replicationUser": ComposeLayout.replicationUser,
        ]
    }

    /// The roles script: the app role always; the replication role and slots with standbys.
    private var roles: [String: Any] {
        var context = base
        context["walArchiving"] = database.plan.backups?.walArchiving == true
        context["metricsUser"] = layout.environment.monitoring.metrics ? ComposeMonitoring.metricsUser : false
        if database.plan.readReplicas > 0 {
            context["slots"] = database.slots
        } else {
            context["replicationUser"] = false
        }
        return context
    }

    func configuration(replica index: Int?) -> [String: Any] {
        let plan = database.plan
        // Standbys, a pg_basebackup and a backup can each hold a sender and a slot at once.
        let senders = plan.readReplicas + 4
        var context = base
        context["port"] = ComposeLayout.postgresPort
        context["maxConnections"] = ComposeLayout.postgresMaxConnections
        context["maxWalSenders"] = senders
        context["maxReplicationSlots"] = senders
        context["archiving"] = plan.backups?.walArchiving == true
        if let ms = plan.slowQueryMilliseconds { context["slowQueryMilliseconds"] = ms }
        if let index {
            context["replicaIndex"] = index
            context["primaryConninfo"] = [
                "host=\(database.service)",
                "port=\(ComposeLayout.postgresPort)",
                "user=\(ComposeLayout.replicationUser)",
                "passfile=\(ComposeLayout.replicationPassfile)",
                "application_name=\(database.slot(index))",
            ].joined(separator: " ")
            context["slotName"] = database.slot(index)
            if plan.backups?.walArchiving == true {
                context["restoreCommand"] = "pgbackrest --stanza=\(database.stanza) archive-get %f \"%p\""
            }
        } else {
            context["primary"] = true
            if let backups = plan.backups {
                context["backups"] = true
                context["archiveCommand"] = "pgbackrest --stanza=\(database.stanza) archive-push %p"
                if backups.walArchiving, let timeout = backups.archiveTimeoutSeconds { context["archiveTimeout"] = timeout }
            }
        }
        return context
    }

    private var entrypointContext: [String: Any] {
        var context = base
        context["dataDirectory"] = ComposeLayout.postgresData
        context["passfile"] = ComposeLayout.replicationPassfile
        context["primaryHost"] = database.service
        context["primaryPort"] = ComposeLayout.postgresPort
        return context
    }
}
