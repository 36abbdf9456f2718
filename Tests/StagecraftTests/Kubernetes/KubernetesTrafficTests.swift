import Foundation
import XCTest

/// Who can reach what: the Ingress (TLS from cert-manager, rate limits, body size, timeouts, one
/// path per route, the site and the CDN's origin as hosts) and the network policies (ingress controller to services, dependants to data stores).
final class KubernetesTrafficTests: XCTestCase {
    func testIngressCarriesTLSRateLimitsAndAPathPerRoute() throws {
        let rendered = try KubernetesRendering.marketplace()
        defer { try? FileManager.default.removeItem(at: rendered.root) }
        let ingresses = try rendered.objects("production").filter { $0.kind == "Ingress" }
        func annotations(_ name: String) throws -> [String: String] {
            try XCTUnwrap(ingresses.first { $0.name == name }?.value(at: "metadata.annotations") as? [String: String], name)
        }
        func paths(_ name: String) -> [String] {
            let rules = ingresses.first { $0.name == name }?.value(at: "spec.rules") as? [[String: Any]] ?? []
            // Every host routes the same paths: the site's own name, and the origin's, where the CDN connects.
            XCTAssertEqual(rules.map { $0["host"] as? String ?? "" }, ["www.market.example.com", "origin.www.market.example.com"], name)
            return rules.prefix(1).flatMap { ($0.value(at: "http.paths") as? [[String: Any]] ?? []).map { "\($0["path"] ?? "") → \($0.value(at: "backend.service.name") ?? "")" } }
        }

        let main = try annotations("marketplace")
        XCTAssertEqual(main["nginx.ingress.kubernetes.io/limit-rpm"], "1200")
        XCTAssertEqual(main["nginx.ingress.kubernetes.io/proxy-body-size"], "50m")
        XCTAssertEqual(main["nginx.ingress.kubernetes.io/proxy-read-timeout"], "30")
        XCTAssertEqual(main["nginx.ingress.kubernetes.io/proxy-send-timeout"], "30")
        XCTAssertEqual(paths("marketplace"), ["/ → web"])
        let tls = ingresses.first { $0.name == "marketplace" }?.value(at: "spec.tls") as? [[String: Any]]
        // The certificate is the origin's: its name resolves to the load balancer, where the HTTP-01 challenge is answered.
        XCTAssertEqual(tls?.first?["hosts"] as? [String], ["origin.www.market.example.com"])
        let certificate = try XCTUnwrap(try rendered.objects("production").first { $0.kind == "Certificate" })
        XCTAssertEqual(certificate.value(at: "spec.dnsNames") as? [String], ["origin.www.market.example.com"])
        XCTAssertEqual(certificate.value(at: "spec.secretName") as? String, tls?.first?["secretName"] as? String)
        XCTAssertEqual(certificate.value(at: "spec.issuerRef.name") as? String, "marketplace-letsencrypt")

        // Each path with its own limit is its own Ingress for the same host, sharing the certificate.
        let api = try annotations("marketplace-limit-1")
        XCTAssertEqual(api["nginx.ingress.kubernetes.io/limit-rps"], "20")
        XCTAssertEqual(api["nginx.ingress.kubernetes.io/limit-burst-multiplier"], "2")
        XCTAssertEqual(paths("marketplace-limit-1"), ["/api/ → api"])
        XCTAssertEqual(try annotations("marketplace-limit-2")["nginx.ingress.kubernetes.io/limit-rpm"], "5")
        XCTAssertEqual(paths("marketplace-limit-2"), ["/api/login → api"])

        let development = try rendered.objects("development").filter { $0.kind == "Ingress" }
        XCTAssertTrue(development.allSatisfy { $0.value(at: "spec.tls") == nil }, "no TLS in development")
    }

    func testOnlyTheIngressControllerReachesServicesAndOnlyDependantsReachDataStores() throws {
        let rendered = try KubernetesRendering.marketplace()
        defer { try? FileManager.default.removeItem(at: rendered.root) }
        let policies = try rendered.objects("production").filter { $0.kind == "NetworkPolicy" }
        func sources(_ name: String) throws -> [[String: Any]] {
            let policy = try XCTUnwrap(policies.first { $0.name == name }, name)
            return (policy.value(at: "spec.ingress") as? [[String: Any]] ?? []).flatMap { $0["from"] as? [[String: Any]] ?? [] }
        }
        let deny = try XCTUnwrap(policies.first { $0.name == "default-deny-ingress" })
        XCTAssertEqual((deny.value(at: "spec.podSelector") as? [String: Any])?.count, 0)
        XCTAssertNil(deny.value(at: "spec.ingress"))

        XCTAssertEqual(try sources("web-from-ingress").compactMap { $0.value(at: "namespaceSelector.matchLabels") as? [String: String] },
                       [["kubernetes.io/metadata.name": "ingress-nginx"]])
        func dependants(_ name: String) throws -> [String] {
            try sources(name).compactMap { ($0.value(at: "podSelector.matchExpressions") as? [[String: Any]])?.first?["values"] as? [String] }.flatMap { $0 }
        }
        // thumbnails uses only the cache and the bucket; the partition maintenance, the
        // migrations and the restore test reach the primary itself, never the pooler.
        XCTAssertEqual(try dependants("db-from-dependants"), ["web", "api", "payouts", "db-partitions", "db-migrate", "db-restore-test-runner"])
        // The replica follows the primary, so it connects to it too.
        XCTAssertEqual(try dependants("cache-from-dependants"), ["web", "api", "payouts", "thumbnails", "cache-replica"])
        XCTAssertEqual(try dependants("cache-replica-from-dependants"), ["web", "api", "payouts", "thumbnails"])
        XCTAssertEqual(try dependants("db-pooler-rw-from-dependants"), ["web", "api", "payouts"])
        // cert-manager's HTTP-01 solver answers ingress-nginx, on its port, despite the default deny.
        let solver = try XCTUnwrap(policies.first { $0.name == "certificate-solver-from-ingress" })
        XCTAssertEqual(solver.value(at: "spec.podSelector.matchLabels") as? [String: String], ["acme.cert-manager.io/http01-solver": "true"])
        XCTAssertEqual(try sources("certificate-solver-from-ingress").compactMap { $0.value(at: "namespaceSelector.matchLabels") as? [String: String] },
                       [["kubernetes.io/metadata.name": "ingress-nginx"]])
        XCTAssertEqual((solver.value(at: "spec.ingress") as? [[String: Any]])?.first?.value(at: "ports") as? [[String: AnyHashable]], [["protocol": "TCP", "port": 8089]])
        XCTAssertTrue(policies.allSatisfy { ($0.value(at: "spec.ingress") as? [[String: Any]] ?? []).allSatisfy { ($0["from"] as? [Any])?.isEmpty == false } },
                      "a rule without sources would let every pod in")
    }
}
