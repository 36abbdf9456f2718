import Foundation
import XCTest

/// The compose examples deployed the way a team deploys them, by `scripts/rehearse`: a real
/// sshd as the host, podman with Compose, pebble issuing the certificate, the generated deploy
/// job's own steps, the origin serving the CDN alone, the apps' database role, the crontab run
/// as cron runs it (every backup, its copy in an S3-compatible store, the restore test, the
/// certificate renewal), Prometheus scraping every target, a second release with requests flowing
/// and its migration applied before it serves, a failing migration that stops the deploy, two
/// migrations serialized on the advisory lock, a failing release rolled back, and a service removed.
///
/// One test, the blog and the shop side by side (rehearsals of different stacks share a
/// machine), while `scripts/test` runs the suite's other tests beside them.
final class ComposeRehearsalTests: XCTestCase {
    func testTheBlogDeploysAtItsStageAndTheShopServesBacksUpRollsBackAndLosesAServiceCleanly() throws {
        guard getuid() == 0 else { throw XCTSkip("the rehearsal needs root (namespaces, podman, sshd)") }
        let work = try Fixtures.temporaryDirectory("rehearsal")
        defer { try? FileManager.default.removeItem(at: work) }
        // The same stack without its worker: what the last deploy must remove.
        let shop = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent(Fixtures.stackFile("shop")), encoding: .utf8)
        let worker = try XCTUnwrap(shop.range(of: "    Worker(\"jobs\") {"))
        let end = try XCTUnwrap(shop.range(of: "    }\n", range: worker.upperBound..<shop.endIndex))
        let withoutWorker = work.appendingPathComponent("shop.swift")
        try (String(shop[..<worker.lowerBound]) + String(shop[end.upperBound...])).write(to: withoutWorker, atomically: true, encoding: .utf8)

        let rehearsals = [[Fixtures.stackFile("blog"), "production"], [Fixtures.stackFile("shop"), "production", "--then", withoutWorker.path]]
        let results = Results(count: rehearsals.count)
        DispatchQueue.concurrentPerform(iterations: rehearsals.count) { index in
            results.set(index, Result { try Self.rehearse(rehearsals[index]) })
        }
        let blog = try results.get(0), result = try results.get(1)

        XCTAssertEqual(blog.status, 0, blog.output)
        for evidence in [
            "answered with a certificate pebble issued",
            "requests during the deploy, 0 failed",
            "rehearsal of stacks/blog.swift (production) passed",
        ] {
            XCTAssertTrue(blog.output.contains(evidence), "\(evidence)\n\(blog.output)")
        }

        XCTAssertEqual(result.status, 0, result.output)
        for evidence in [
            "answered with a certificate pebble issued",
            // The script asserts at least two of the three; which ones answer is nginx's choice.
            "15 requests reached ",
            "a row written on db was read on db-replica-1",
            "through the CDN the app sees the viewer's address (198.51.100.7), not a claim in X-Forwarded-For",
            "or with a wrong one, is refused (403)",
            "asked for origin.shop.example.com, the app is asked for shop.example.com",
            "the app queried db through db-pgbouncer: app via psql superuser=off",
            // Ten exporters and probes, and the three replicas of web serving their own metrics.
            "Prometheus scrapes all 13 targets",
            "nginx's request log reached mtail",
            "the certificate probe sees nginx's certificate",
            "(an S3-compatible store standing in for eu-central-1) holds",
            "the marker written before is there, the row written after is not",
            "and nginx serves it at the next handshake, without a reload",
            "requests during the deploy, 0 failed",
            "db: v1's migration ran at",
            "v2's web containers started after it",
            "the deploy of v4 failed at: Migrate the db database",
            "none of v4's migration stayed, no app container was replaced, v2 still serves",
            "db: one run of \"Migrate the db database\" held the lock", "; the other, waiting since",
            "v2 serves again and is recorded as deployed",
            "run v2's images by the digests the deploy was given",
            "removed ['jobs']",
            "rehearsal of stacks/shop.swift (production) passed",
        ] {
            XCTAssertTrue(result.output.contains(evidence), "\(evidence)\n\(result.output)")
        }
    }

    private static func rehearse(_ arguments: [String]) throws -> Tools.Result {
        try Tools.run(Fixtures.repositoryRoot.appendingPathComponent("scripts/rehearse").path, arguments,
                             in: Fixtures.repositoryRoot, environment: ["STAGECRAFT": Fixtures.stagecraftBinary])
    }
}

/// The rehearsals' outcomes, each written once from its own thread.
private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<Tools.Result, Error>?]

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<Tools.Result, Error>) { lock.withLock { results[index] = result } }

    func get(_ index: Int) throws -> Tools.Result { try lock.withLock { results[index] }!.get() }
}
