import Foundation
import XCTest

/// Each invalid stack fails with a message that names the stack file and the offending line
/// (marked `// ←` below), exits 1, and leaves an existing output folder exactly as it was.
final class InvalidStackTests: XCTestCase {
    struct Case {
        var name: String
        var body: String
        var expected: String
        var stage = "mvp"
        /// A value that must never be echoed back.
        var secret: String?
    }

    static let service = """
            Service("web") { Image("ghcr.io/acme/web"); Port(8080); HealthCheck("/healthz") }
        """

    static let cases: [Case] = [
        Case(name: "duplicate service", body: service + "\n    Service(\"web\") { Image(\"ghcr.io/acme/web2\"); Port(8081) } // ←", expected: "already used"),
        Case(name: "service and database share a name", body: service + "\n    Postgres(\"web\") // ←", expected: "already used"),
        Case(name: "an account that is no AWS account ID", body: service + "\n    Account(\"1234\") // ←", expected: "is not an AWS account ID"),
        Case(name: "a secret store that is no Kubernetes name", body: service + "\n    SecretStore(cluster: \"Vault_Backend\") // ←", expected: "is not a Kubernetes object name"),
        Case(name: "Kubernetes without an account", body: service + "\n    Platform(.kubernetes) // ←", expected: "declare Account"),
        Case(name: "one image built from two Dockerfiles", body: """
                Service("web") { Image("ghcr.io/acme/app"); Dockerfile("web/Dockerfile", context: "web"); Port(8080) }
                Worker("jobs") {
                    Image("ghcr.io/acme/app")
                    Dockerfile("jobs/Dockerfile", context: "jobs") // ←
                }
            """, expected: "builds image \"ghcr.io/acme/app\" from another Dockerfile or context than web does"),
        Case(name: "an environment that would need an image of its own built", body: service + """

                Environments {
                    Production {
                        Override("web") { Image("ghcr.io/acme/web-production") } // ←
                    }
                }
            """, expected: "production gives web the image \"ghcr.io/acme/web-production\", which CI does not build"),
        Case(name: "undeclared session cache", body: """
                Service("web") {
                    Image("ghcr.io/acme/web"); Port(8080)
                    Sessions(.shared(cache: "sessions")) // ←
                }
            """, expected: "not a declared Redis cache"),
        Case(name: "partition key that is no column name", body: """
                Postgres("db") {
                    LargeTable("orders", partitionBy: "created at", every: .month) // ←
                }
            """, expected: "is not a valid column name"),
        Case(name: "retention shorter than a partition", body: """
                Postgres("db") {
                    LargeTable("orders", partitionBy: "created_at", every: .month, keep: .days(7)) // ←
                }
            """, expected: "keep at least .days(31)"),
        Case(name: "migrations in an undeclared workload", body: """
                Service("web") { Image("ghcr.io/acme/web"); Port(8080) }
                Postgres("db") {
                    Migrations("bin/migrate", in: "api") // ←
                }
            """, expected: "which the stack does not declare (its services and workers: web)"),
        Case(name: "migrations in a workload that does not use the database", body: """
                Service("web") { Image("ghcr.io/acme/web"); Port(8080); Uses("cache") }
                Redis("cache")
                Postgres("db") {
                    Migrations("bin/migrate", in: "web") // ←
                }
            """, expected: "add \"db\" to its Uses(…)"),
        Case(name: "migrations folder outside the repository", body: """
                Service("web") { Image("ghcr.io/acme/web"); Port(8080) }
                Postgres("db") {
                    Migrations(.dbmate(folder: "../elsewhere/migrations"), in: "web") // ←
                }
            """, expected: "is not a relative path inside the repository"),
        Case(name: "tracing on compose", body: """
                Monitoring {
                    Tracing(true) // ←
                }
            """, expected: "the compose platform has no trace collector"),
        Case(name: "undeclared database", body: """
                Service("web") {
                    Image("ghcr.io/acme/web"); Port(8080)
                    Uses("analytics") // ←
                }
            """, expected: "not a declared database"),
        Case(name: "undeclared bucket", body: """
                Service("web") {
                    Image("ghcr.io/acme/web"); Port(8080)
                    Uploads(.bucket("files")) // ←
                }
            """, expected: "not a declared Bucket"),
        Case(name: "undeclared queue", body: service + """

                Worker("jobs") {
                    Image("ghcr.io/acme/jobs")
                    Queue(on: "queue") // ←
                }
            """, expected: "not a declared Redis cache"),
        Case(name: "override of an undeclared service", body: service + """

                Environments {
                    Production {
                        Override("api") { Replicas(2) } // ←
                    }
                }
            """, expected: "not a declared service"),
        Case(name: "name escaping the output folder", body: "    Service(\"../../etc\") { Image(\"ghcr.io/acme/web\"); Port(8080) } // ←", expected: "is not valid"),
        Case(name: "name with a slash", body: service + "\n    Worker(\"jobs/x\") { Image(\"ghcr.io/acme/jobs\") } // ←", expected: "is not valid"),
        Case(name: "name breaking YAML", body: "    Service(\"web: {x}\") { Image(\"ghcr.io/acme/web\"); Port(8080) } // ←", expected: "is not valid"),
        Case(name: "name breaking shell quoting", body: "    Service(\"web'; rm -rf /\") { Image(\"ghcr.io/acme/web\"); Port(8080) } // ←", expected: "is not valid"),
        Case(name: "name with a newline", body: "    Redis(\"cache\\nx\") // ←\n" + service, expected: "is not valid"),
        Case(name: "zero instances", body: """
                Service("web") {
                    Image("ghcr.io/acme/web"); Port(8080)
                    Replicas(0) // ←
                }
            """, expected: "at least 1"),
        Case(name: "negative instances", body: """
                Service("web") {
                    Image("ghcr.io/acme/web"); Port(8080)
                    Replicas(-2) // ←
                }
            """, expected: "at least 1"),
        Case(name: "negative read replicas", body: service + """

                Postgres("db") {
                    ReadReplicas(growth: -1) // ←
                }
            """, expected: "read replicas"),
        Case(name: "autoscaling range upside down", body: """
                Service("web") {
                    Image("ghcr.io/acme/web"); Port(8080)
                    Replicas(.autoscale(min: 5, max: 2)) // ←
                }
            """, expected: "below its minimum"),
        Case(name: "port out of range", body: "    Service(\"web\") { Image(\"ghcr.io/acme/web\"); Port(70000) } // ←", expected: "outside 1–65535"),
        Case(name: "zero rate limit", body: service + """

                LoadBalancer(domain: "shop.example.com") {
                    RateLimit(0, per: .minute) // ←
                }
            """, expected: "at least 1 request"),
        Case(name: "secret as a config value", body: """
                Service("web") {
                    Image("ghcr.io/acme/web"); Port(8080)
                    Config("STRIPE_API_KEY", "sk_live_4eC39HqLyjWDarjtT1zdp7dc") // ←
                }
            """, expected: "secret", secret: "sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
        Case(name: "credentials inside a URL", body: """
                Service("web") {
                    Image("ghcr.io/acme/web"); Port(8080)
                    Config("DATABASE_URL", "postgres://app:hunter2pass@db:5432/app") // ←
                }
            """, expected: "secret", secret: "hunter2pass"),
        Case(name: "RPO no schedule can meet", body: service + """

                Postgres("db") {
                    Backups(rpo: .seconds(30)) // ←
                }
            """, expected: "cannot be met"),
        Case(name: "retention shorter than a day", body: service + """

                Postgres("db") {
                    Retention(.hours(12)) // ←
                }
            """, expected: "at least one day"),
        Case(name: "RPO longer than retention", body: service + """

                Postgres("db") {
                    Backups(rpo: .hours(20))
                    Retention(.days(1), mvp: .hours(12)) // ←
                }
            """, expected: "at least one day"),
        Case(name: "one instance behind a load balancer at scale", body: """
                Service("web") {
                    Image("ghcr.io/acme/web"); Port(8080)
                    Replicas(1) // ←
                }
            """, expected: "needs at least 3", stage: "scale"),
        Case(name: "in-process sessions at growth", body: """
                Service("web") {
                    Image("ghcr.io/acme/web"); Port(8080)
                    Sessions(.inProcess) // ←
                }
            """, expected: "sessions in process", stage: "growth"),
        Case(name: "RPO too long for the stage", body: service + """

                Postgres("db") {
                    Backups(rpo: .hours(24)) // ←
                }
            """, expected: "contradicts growth", stage: "growth"),
        Case(name: "compose at scale", body: service + "\n    Platform(.compose) // ←", expected: "Platform compose at scale", stage: "scale"),
        Case(name: "invalid domain", body: service + "\n    LoadBalancer(domain: \"shop example.com\") // ←", expected: "not a valid host name"),
        Case(name: "invalid config key", body: """
                Service("web") {
                    Image("ghcr.io/acme/web"); Port(8080)
                    Config("log-level", "debug") // ←
                }
            """, expected: "not a valid variable name"),
        Case(name: "CDN without an origin", body: service + "\n    CDN() // ←", expected: "needs an origin"),
        Case(name: "static path without a slash", body: """
                Service("web") {
                    Image("ghcr.io/acme/web"); Port(8080)
                    Static("assets") // ←
                }
            """, expected: "must start with '/'"),
        Case(name: "does not compile", body: """
                Service("web") {
                    Image("ghcr.io/acme/web")
                    Port("8080") // ←
                }
            """, expected: "error:"),
    ]

    func testEveryInvalidStackFailsAtItsLineAndWritesNothing() throws {
        XCTAssertGreaterThanOrEqual(Self.cases.count, 20)
        let failures = ThreadSafeList()
        DispatchQueue.concurrentPerform(iterations: Self.cases.count) { index in
            do {
                if let problem = try Self.check(Self.cases[index]) { failures.append("\(Self.cases[index].name): \(problem)") }
            } catch {
                failures.append("\(Self.cases[index].name): \(error)")
            }
        }
        XCTAssertEqual(failures.items, [], failures.items.joined(separator: "\n\n"))
    }

    private static func check(_ invalid: Case) throws -> String? {
        let directory = try Fixtures.temporaryDirectory("invalid")
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = "import Stagecraft\n\nlet stack = Stack(\"shop\", stage: .\(invalid.stage)) {\n\(invalid.body)\n}\n"
        try source.write(to: directory.appendingPathComponent("bad.swift"), atomically: true, encoding: .utf8)
        let line = source.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("// ←") }! + 1

        let out = directory.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out.appendingPathComponent(".stagecraft"), withIntermediateDirectories: true)
        try "keep me\n".write(to: out.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        try "{}".write(to: out.appendingPathComponent(".stagecraft/manifest.json"), atomically: true, encoding: .utf8)
        let before = try Fixtures.tree(out)

        let result = try Fixtures.stagecraft(["generate", "bad.swift", "--out", "out"], in: directory)
        var problems: [String] = []
        if result.status != 1 { problems.append("exit status \(result.status), expected 1") }
        if !result.output.contains("bad.swift:\(line):") { problems.append("no message names bad.swift:\(line)") }
        if !result.output.contains(invalid.expected) { problems.append("no message says '\(invalid.expected)'") }
        if let secret = invalid.secret, result.output.contains(secret) { problems.append("the secret value was echoed") }
        if try Fixtures.tree(out) != before { problems.append("the output folder changed") }
        return problems.isEmpty ? nil : problems.joined(separator: "; ") + "\n" + result.output
    }
}

final class ThreadSafeList: @unchecked Sendable {
    private var storage: [String] = []
    private let lock = NSLock()
    func append(_ item: String) { lock.withLock { storage.append(item) } }
    var items: [String] { lock.withLock { storage } }
}
