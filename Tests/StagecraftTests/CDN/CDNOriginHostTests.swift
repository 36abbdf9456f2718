import Foundation
import StagecraftOutput
import XCTest
import Yams

/// CloudFront checks the origin's certificate against the name it asks the origin for: the
/// viewer's Host when it forwards it, else the origin's own name. Compose and Kubernetes
/// origins hold a certificate for the origin's name alone (the site's name points at
/// CloudFront, where HTTP-01 cannot be answered first), so CloudFront asks for that name and
/// the origin asks the apps for the site's; AWS's load balancer certificate covers the site's
/// name too, so CloudFront forwards the viewer's Host there.
final class CDNOriginHostTests: XCTestCase {
    private func text(_ files: FileSet, _ path: String) throws -> String { try XCTUnwrap(files[try OutputPath(path)], path).text }

    func testComposeAndKubernetesOriginsAreAskedForTheirOwnName() throws {
        let shop = try Fixtures.renderer.render(try Fixtures.example("shop")).files
        let module = try text(shop, "terraform/modules/cdn/main.tf")
        XCTAssertTrue(module.contains(#"name = var.forward_host_header ? "Managed-AllViewer" : "Managed-AllViewerExceptHostHeader""#), module)
        XCTAssertFalse(try text(shop, "environments/production/cdn/main.tf").contains("forward_host_header"), "the module's default: the origin's name")
        let nginx = try text(shop, "environments/production/nginx/nginx.conf")
        XCTAssertTrue(nginx.contains("map $host $site_host {\n        \"origin.shop.example.com\" \"shop.example.com\";\n        default $host;\n    }"), nginx)
        XCTAssertTrue(nginx.contains("proxy_set_header Host $site_host;"), nginx)
        XCTAssertTrue(try text(shop, "environments/development/nginx/nginx.conf").contains("proxy_set_header Host $host;"), "no CDN, no rewrite")

        let marketplace = try Fixtures.renderer.render(try Fixtures.example("marketplace")).files
        let ingress = try XCTUnwrap(try Yams.load(yaml: try text(marketplace, "kubernetes/overlays/production/marketplace-ingress.yaml")) as? [String: Any])
        let annotations = try XCTUnwrap((ingress["metadata"] as? [String: Any])?["annotations"] as? [String: Any])
        XCTAssertEqual(annotations["nginx.ingress.kubernetes.io/upstream-vhost"] as? String, "www.market.example.com")
    }

    func testAWSForwardsTheViewersHostToALoadBalancerCertifiedForIt() throws {
        let files = try Fixtures.renderer.render(try Fixtures.example("marketplace-aws")).files
        let cdn = try text(files, "terraform/modules/marketplace/cdn.tf")
        XCTAssertNotNil(cdn.range(of: #"forward_host_header +=  *true"#, options: .regularExpression), cdn)
        let dns = try text(files, "terraform/modules/marketplace/dns.tf")
        XCTAssertTrue(dns.contains("subject_alternative_names = var.cdn == null ? [] : var.cdn.aliases"), dns)
        XCTAssertTrue(dns.contains("validation_record_fqdns = [for domain in local.certificate_domains : aws_route53_record.certificate_validation[domain].fqdn]"), dns)
    }
}
