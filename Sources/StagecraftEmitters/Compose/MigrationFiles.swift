import StagecraftOutput
import StagecraftPlanner

/// Each migrated database's scripts in the release folder: the migration (run in the
/// workload's image), the holder of its advisory lock (run in the primary's container, with
/// its psql), and the host's side, which starts the one and then runs the other in a one-off
/// container of the new release.
struct MigrationFiles {
    let layout: ComposeLayout

    static func folder(_ database: DatabasePlan) -> String { "migrations/\(database.name)" }
    /// What the deploy runs, from the release folder.
    static func script(_ database: DatabasePlan) -> String { "\(folder(database))/migrate.sh" }

    var databases: [(database: ComposeDatabase, migrations: MigrationPlan)] {
        layout.environment.databases.compactMap { plan in plan.migrations.map { (ComposeDatabase(plan: plan), $0) } }
    }

    func files(_ templates: TemplateLibrary) throws -> [GeneratedFile] {
        try databases.flatMap { database, migrations -> [GeneratedFile] in
            let plan = database.plan
            let folder = "\(layout.folder)/\(Self.folder(plan))"
            return [
                try GeneratedFile(path: "\(folder)/\(MigrationScripts.runFile)",
                                  text: MigrationScripts.run(plan, migrations, templates: templates), executable: true, commentStyle: .hash),
                try GeneratedFile(path: "\(folder)/\(MigrationScripts.lockHolderFile)",
                                  text: MigrationScripts.lockHolder(plan, migrations, templates: templates), executable: true, commentStyle: .hash),
                try GeneratedFile(path: "\(layout.folder)/\(Self.script(plan))", text: templates.render("compose/migrate.sh", [
                    "database": plan.name, "workload": migrations.workload, "service": database.service,
                    "superuser": database.superuser, "prefix": plan.envPrefix, "port": ComposeLayout.postgresPort,
                    "runner": MigrationScripts.runFile, "lockHolder": MigrationScripts.lockHolderFile,
                ]), executable: true, commentStyle: .hash),
            ]
        }
    }
}
