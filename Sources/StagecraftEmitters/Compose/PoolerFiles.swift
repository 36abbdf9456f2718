import StagecraftOutput
import StagecraftPlanner

/// PgBouncer for the pooled databases of a compose environment: one configuration per
/// database, and the image and entrypoint they share.
struct PoolerFiles {
    let layout: ComposeLayout
    let databases: [ComposeDatabase]

    // Sized for a single host: a few app replicas with pools of ~20-50 each, against a
    // primary with ComposeLayout.postgresMaxConnections.
    static let maxClientConnections = 1000
    static let defaultPoolSize = 20
    static let reservePoolSize = 5
    static let maxDatabaseConnections = 60

    init(layout: ComposeLayout) {
        self.layout = layout
        self.databases = layout.environment.databases.filter(\.pooling).map(ComposeDatabase.init)
    }

    var folder: String { "\(layout.folder)/\(ComposeLayout.poolerFolder)" }

    func files(_ templates: TemplateLibrary) throws -> [GeneratedFile] {
        guard let first = databases.first else { return [] }
        var files = try databases.map { database in
            try GeneratedFile(path: "\(layout.folder)/\(database.poolerConfigPath)", text: templates.render("compose/pgbouncer.ini", configuration(database)), commentStyle: .hash)
        }
        files.append(try GeneratedFile(path: "\(folder)/entrypoint.sh", text: templates.render("compose/pgbouncer-entrypoint.sh", [
            "authFile": ComposeLayout.poolerAuthFile,
            "config": ComposeLayout.poolerConfig,
        ]), executable: true, commentStyle: .hash))
        files.append(try GeneratedFile(path: "\(folder)/Dockerfile", text: templates.render("compose/pgbouncer.Dockerfile", ["version": first.plan.version]), commentStyle: .hash))
        return files
    }

    func configuration(_ database: ComposeDatabase) -> [String: Any] {
        [
            "database": database.plan.name,
            "user": database.appUser,
            "metricsUser": layout.environment.monitoring.metrics ? ComposeMonitoring.metricsUser : false,
            "statsUser": layout.environment.monitoring.metrics ? ComposeMonitoring.metricsUser : database.appUser,
            "service": database.pooler,
            "port": ComposeLayout.poolerPort,
            "primaryHost": database.service,
            "primaryPort": ComposeLayout.postgresPort,
            "authFile": ComposeLayout.poolerAuthFile,
            "maxClientConnections": Self.maxClientConnections,
            "defaultPoolSize": Self.defaultPoolSize,
            "reservePoolSize": Self.reservePoolSize,
            "maxDatabaseConnections": Self.maxDatabaseConnections,
            "postgresMaxConnections": ComposeLayout.postgresMaxConnections,
        ]
    }
}
