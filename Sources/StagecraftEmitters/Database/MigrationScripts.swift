import StagecraftPlanner

/// The scripts every platform runs to migrate a database before a rollout, built once from the
/// plan: the migration itself (in the workload's image) and the holder of its advisory lock
/// (psql, beside it), which meet in a folder both see.
enum MigrationScripts {
    /// Where the lock holder and the migration meet (a volume both mount), unless MIGRATION_LOCK_DIR says otherwise.
    static let lockDirectory = "/run/migration-lock"
    static let runFile = "run.sh"
    static let lockHolderFile = "lock-holder.sh"

    /// The migration, run with `sh -c` in the workload's image.
    static func run(_ database: DatabasePlan, _ migrations: MigrationPlan, templates: TemplateLibrary) throws -> String {
        try templates.render("migrations/run.sh", [
            "database": database.name, "workload": migrations.workload, "prefix": database.envPrefix,
            "command": migrations.command,
        ])
    }

    /// Holds the lock with psql while the migration beside it runs.
    static func lockHolder(_ database: DatabasePlan, _ migrations: MigrationPlan, templates: TemplateLibrary) throws -> String {
        try templates.render("migrations/lock-holder.sh", [
            "database": database.name, "prefix": database.envPrefix, "lockKey": String(migrations.lockKey),
            "lockDirectory": lockDirectory,
        ])
    }
}
