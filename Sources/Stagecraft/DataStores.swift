/// A PostgreSQL database: a primary, read replicas, pooling and backups as the stage asks.
///
/// ```swift
/// Postgres("db", version: 16) {
///     ReadReplicas(growth: 1, scale: 3)
///     Backups(rpo: .hours(24), growth: .hours(1), scale: .minutes(5))
///     Retention(.days(7), growth: .days(14), scale: .days(35))
/// }
/// ```
public struct Postgres: StackContent {
    let spec: PostgresSpec

    public init(_ name: String, version: Int = 16, file: String = #filePath, line: Int = #line, @PostgresBuilder _ content: () -> [any PostgresContent] = { [] }) {
        var spec = PostgresSpec(name: name, version: version, location: location(file, line))
        for part in content() { part.apply(to: &spec) }
        self.spec = spec
    }

    public func apply(to stack: inout StackSpec) { stack.databases.append(spec) }
}

/// Streaming read replicas per stage, next to the primary.
///
/// ```swift
/// ReadReplicas(growth: 1, scale: 3)
/// ```
public struct ReadReplicas: PostgresContent {
    let value: Located<Staged<Int>>

    public init(_ all: Int? = nil, mvp: Int? = nil, growth: Int? = nil, scale: Int? = nil, file: String = #filePath, line: Int = #line) {
        value = Located(Staged(base: all, mvp: mvp, growth: growth, scale: scale), at: location(file, line))
    }

    public func apply(to database: inout PostgresSpec) { database.readReplicas = value }
}

/// The recovery point objective: at most how much data a restore may lose, per stage.
/// Stagecraft derives the backup schedule and WAL archiving from it.
///
/// ```swift
/// Backups(rpo: .hours(24), growth: .hours(1), scale: .minutes(5))
/// ```
public struct Backups: PostgresContent {
    let value: Located<Staged<TimeSpan>>

    public init(rpo: TimeSpan? = nil, mvp: TimeSpan? = nil, growth: TimeSpan? = nil, scale: TimeSpan? = nil, file: String = #filePath, line: Int = #line) {
        value = Located(Staged(base: rpo, mvp: mvp, growth: growth, scale: scale), at: location(file, line))
    }

    public func apply(to database: inout PostgresSpec) { database.rpo = value }
}

/// How long backups are kept, per stage.
///
/// ```swift
/// Retention(.days(7), growth: .days(14), scale: .days(35))
/// ```
public struct Retention: PostgresContent {
    let value: Located<Staged<TimeSpan>>

    public init(_ all: TimeSpan? = nil, mvp: TimeSpan? = nil, growth: TimeSpan? = nil, scale: TimeSpan? = nil, file: String = #filePath, line: Int = #line) {
        value = Located(Staged(base: all, mvp: mvp, growth: growth, scale: scale), at: location(file, line))
    }

    public func apply(to database: inout PostgresSpec) { database.retention = value }
}

/// How often the latest backup is restored into a scratch database and checked, per stage.
/// A backup that was never restored is a hope, not a backup.
///
/// ```swift
/// RestoreTest(every: .days(30), scale: .days(7))
/// ```
public struct RestoreTest: PostgresContent {
    let value: Located<Staged<TimeSpan>>

    public init(every all: TimeSpan? = nil, mvp: TimeSpan? = nil, growth: TimeSpan? = nil, scale: TimeSpan? = nil, file: String = #filePath, line: Int = #line) {
        value = Located(Staged(base: all, mvp: mvp, growth: growth, scale: scale), at: location(file, line))
    }

    public func apply(to database: inout PostgresSpec) { database.restoreTest = value }
}

/// The recovery time objective: how long a full restore may take. Required from the scale stage on.
///
/// ```swift
/// RecoveryTime(.hours(1))
/// ```
public struct RecoveryTime: PostgresContent {
    let value: Located<TimeSpan>

    public init(_ rto: TimeSpan, file: String = #filePath, line: Int = #line) {
        value = Located(rto, at: location(file, line))
    }

    public func apply(to database: inout PostgresSpec) { database.rto = value }
}

/// Connection pooling in front of the database, per stage: PgBouncer on compose and
/// Kubernetes (CloudNativePG's `Pooler`), an RDS Proxy on AWS.
///
/// ```swift
/// Pooling(growth: true)
/// ```
public struct Pooling: PostgresContent {
    let value: Located<Staged<Bool>>

    public init(_ all: Bool? = nil, mvp: Bool? = nil, growth: Bool? = nil, scale: Bool? = nil, file: String = #filePath, line: Int = #line) {
        value = Located(Staged(base: all, mvp: mvp, growth: growth, scale: scale), at: location(file, line))
    }

    public func apply(to database: inout PostgresSpec) { database.pooling = value }
}

/// Disk size of each database instance.
///
/// ```swift
/// Storage(gib: 100)
/// ```
public struct Storage: PostgresContent {
    let value: Located<Int>

    public init(gib: Int, file: String = #filePath, line: Int = #line) {
        value = Located(gib, at: location(file, line))
    }

    public func apply(to database: inout PostgresSpec) { database.storageGiB = value }
}

/// A table expected to grow large. With a partition key it is partitioned by range of that
/// column (PostgreSQL's declarative partitioning): a scheduled job creates the partitions
/// ahead of time and, with `keep`, detaches and drops those entirely older than that. The
/// generated partitioning plan has the DDL that converts an existing table.
///
/// ```swift
/// LargeTable("orders", partitionBy: "created_at", every: .month, keep: .days(365))
/// LargeTable("events")   // flagged by `stagecraft check` at scale: no partition key
/// ```
public struct LargeTable: PostgresContent {
    let spec: LargeTableSpec

    public init(_ name: String, file: String = #filePath, line: Int = #line) {
        spec = LargeTableSpec(name: Located(name, at: location(file, line)))
    }

    public init(_ name: String, partitionBy column: String, every interval: PartitionInterval, keep retention: TimeSpan? = nil,
                file: String = #filePath, line: Int = #line) {
        spec = LargeTableSpec(name: Located(name, at: location(file, line)), partitionKey: column, interval: interval, retention: retention)
    }

    public func apply(to database: inout PostgresSpec) { database.largeTables.append(spec) }
}

/// How the database's schema is migrated: a command run in the image of one of the stack's
/// workloads, against the primary, before any container of a new release starts. Deploys run
/// it under a PostgreSQL advisory lock, so two never migrate at once, and a failed migration
/// stops the deploy with the previous release still serving. Rolling back never runs down
/// migrations: change the schema in expand and contract steps instead (README).
///
/// The command runs with `sh -c` in the image's working directory, not through its entrypoint,
/// with the workload's settings and secrets, `<DB>_HOST` pointing at the primary, and
/// `DATABASE_URL` set. `folder` names the SQL migration files, which CI then lints on pull requests.
///
/// ```swift
/// Migrations("bin/rails db:migrate", in: "web")
/// Migrations(.dbmate(folder: "db/migrations"), in: "web")
/// ```
public struct Migrations: PostgresContent {
    let value: Located<MigrationsSpec>

    public init(_ command: String, in workload: String, folder: String? = nil, file: String = #filePath, line: Int = #line) {
        value = Located(MigrationsSpec(command: command, workload: workload, folder: folder), at: location(file, line))
    }

    public init(_ tool: MigrationTool, in workload: String, file: String = #filePath, line: Int = #line) {
        value = Located(MigrationsSpec(command: tool.command, workload: workload, folder: tool.folder), at: location(file, line))
    }

    public func apply(to database: inout PostgresSpec) { database.migrations = value }
}

/// A migration tool whose command Stagecraft knows.
public enum MigrationTool: Sendable {
    /// [dbmate](https://github.com/amacneil/dbmate): plain SQL files in `folder`, applied in
    /// order and recorded in `schema_migrations`. The image needs the `dbmate` binary.
    case dbmate(folder: String)

    var command: String {
        switch self {
        case .dbmate(let folder):
            // No schema dump: the image's file system is thrown away with the container.
            "dbmate --no-dump-schema --migrations-dir \(shellQuoted(folder)) migrate"
        }
    }

    var folder: String? {
        switch self {
        case .dbmate(let folder): folder
        }
    }

    private func shellQuoted(_ text: String) -> String {
        text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/._-".contains($0)) } ? text : "'" + text.replacing("'", with: "'\\''") + "'"
    }
}

/// A Redis cache: sessions, computed values, hot queries and job queues.
///
/// ```swift
/// Redis("cache")
/// Redis("cache", version: 7) { CacheReplica(scale: true); Persistence(true) }
/// ```
public struct Redis: StackContent {
    let spec: RedisSpec

    public init(_ name: String, version: Int = 7, file: String = #filePath, line: Int = #line, @RedisBuilder _ content: () -> [any RedisContent] = { [] }) {
        var spec = RedisSpec(name: name, version: version, location: location(file, line))
        for part in content() { part.apply(to: &spec) }
        self.spec = spec
    }

    public func apply(to stack: inout StackSpec) { stack.caches.append(spec) }
}

/// Whether the cache runs a replica, per stage.
///
/// ```swift
/// CacheReplica(scale: true)
/// ```
public struct CacheReplica: RedisContent {
    let value: Located<Staged<Bool>>

    public init(_ all: Bool? = nil, mvp: Bool? = nil, growth: Bool? = nil, scale: Bool? = nil, file: String = #filePath, line: Int = #line) {
        value = Located(Staged(base: all, mvp: mvp, growth: growth, scale: scale), at: location(file, line))
    }

    public func apply(to cache: inout RedisSpec) { cache.replica = value }
}

/// Whether the cache keeps its data on disk across restarts (needed when it holds queues).
///
/// ```swift
/// Persistence(true)
/// ```
public struct Persistence: RedisContent {
    let value: Located<Bool>

    public init(_ enabled: Bool, file: String = #filePath, line: Int = #line) {
        value = Located(enabled, at: location(file, line))
    }

    public func apply(to cache: inout RedisSpec) { cache.persistence = value }
}

/// An object storage bucket (S3 or compatible) for uploads and static files.
///
/// ```swift
/// Bucket("uploads")
/// ```
public struct Bucket: StackContent {
    let spec: BucketSpec

    public init(_ name: String, file: String = #filePath, line: Int = #line) {
        spec = BucketSpec(name: name, location: location(file, line))
    }

    public func apply(to stack: inout StackSpec) { stack.buckets.append(spec) }
}
