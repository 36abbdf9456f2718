import Foundation
@testable import StagecraftEmitters
import StagecraftOutput
import XCTest

/// Who may reach whom on AWS: one security group per workload, database, cache and partition
/// task; a workload goes out to the stores it uses and to HTTPS alone; a store admits those
/// that use it. (The mocked apply of every root, in AWSPlatformTests, creates all of it.)
final class AWSNetworkPathTests: XCTestCase {
    private func module() throws -> (FileSet, String) {
        let files = try Fixtures.renderer.render(try Fixtures.variant("marketplace-aws")).files
        return (files, "terraform/modules/marketplace")
    }

    private func has(_ text: String, _ pattern: String) -> Bool { text.range(of: pattern, options: .regularExpression) != nil }

    func testEachWorkloadHasItsOwnGroupAndReachesOnlyWhatItUses() throws {
        let (files, folder) = try module()
        let groups = try XCTUnwrap(files["\(folder)/security-groups.tf"]).text
        for (label, instances) in [("workloads", "var.workloads"), ("databases", "var.databases"), ("caches", "var.caches"), ("partitions", "local.partitioned"),
                                  ("database_roles", "var.databases"), ("database_proxies", "local.pooled")] {
            XCTAssertTrue(has(groups, #"resource "aws_security_group" "\#(label)" \{\n\s+for_each\s+= \#(NSRegularExpression.escapedPattern(for: instances))\n"#), label)
        }
        // The paths follow each workload's own databases and caches.
        XCTAssertTrue(groups.contains(#"for db in workload.databases : "${name}/${db}" => { workload = name, database = db }"#), groups)
        XCTAssertTrue(groups.contains(#"for cache in workload.caches : "${name}/${cache}" => { workload = name, cache = cache }"#), groups)
        for (rule, from, to, port) in [
            ("workloads_to_databases", "workloads[each.value.workload]", "databases[each.value.database]", 5432),
            ("workloads_to_caches", "workloads[each.value.workload]", "caches[each.value.cache]", 6379),
            ("partitions_to_databases", "partitions[each.key]", "databases[each.key]", 5432),
            ("database_roles_to_databases", "database_roles[each.key]", "databases[each.key]", 5432),
            ("workloads_to_database_proxies", "workloads[each.value.workload]", "database_proxies[each.value.database]", 5432),
            ("database_proxies_to_databases", "database_proxies[each.key]", "databases[each.key]", 5432),
        ] {
            let egress = #"resource "aws_vpc_security_group_egress_rule" "\#(rule)" \{\n(?:.*\n){2}\s+security_group_id\s+= aws_security_group\.\#(NSRegularExpression.escapedPattern(for: from))\.id\n\s+referenced_security_group_id = aws_security_group\.\#(NSRegularExpression.escapedPattern(for: to))\.id\n\s+ip_protocol\s+= "tcp"\n\s+from_port\s+= \#(port)\n"#
            XCTAssertTrue(has(groups, egress), rule)
        }
        for (rule, store, client) in [("databases_from_workloads", "databases[each.value.database]", "workloads[each.value.workload]"),
                                      ("caches_from_workloads", "caches[each.value.cache]", "workloads[each.value.workload]"),
                                      ("databases_from_partitions", "databases[each.key]", "partitions[each.key]"),
                                      ("databases_from_database_roles", "databases[each.key]", "database_roles[each.key]"),
                                      ("database_proxies_from_workloads", "database_proxies[each.value.database]", "workloads[each.value.workload]"),
                                      ("databases_from_database_proxies", "databases[each.key]", "database_proxies[each.key]")] {
            let ingress = #"resource "aws_vpc_security_group_ingress_rule" "\#(rule)" \{\n(?:.*\n){2}\s+security_group_id\s+= aws_security_group\.\#(NSRegularExpression.escapedPattern(for: store))\.id\n\s+referenced_security_group_id = aws_security_group\.\#(NSRegularExpression.escapedPattern(for: client))\.id\n"#
            XCTAssertTrue(has(groups, ingress), rule)
        }
        // The only way out to anywhere is HTTPS.
        XCTAssertEqual(groups.matches(of: /cidr_ipv4\s+= "0\.0\.0\.0\/0"/).count, 3, "the workloads, the roles tasks and the partition tasks: \(groups)")
        for match in groups.matches(of: /cidr_ipv4\s+= "0\.0\.0\.0\/0"\n\s+ip_protocol\s+= "tcp"\n\s+from_port\s+= (\d+)\n\s+to_port\s+= (\d+)/) {
            XCTAssertEqual([match.output.1, match.output.2], ["443", "443"])
        }
        // No group anywhere in the module keeps an inline rule open to every protocol.
        for path in files.paths.map(\.value) where path.hasPrefix(folder) && path.hasSuffix(".tf") {
            let text = try XCTUnwrap(files[path]).text
            XCTAssertFalse(has(text, #"protocol\s+= "-1""#), path)
            XCTAssertFalse(text.contains("aws_security_group.workloads.id"), "\(path) still names one group for every workload")
        }
    }

    func testEachResourceRunsInItsOwnGroup() throws {
        let (files, folder) = try module()
        func text(_ name: String) throws -> String { try XCTUnwrap(files["\(folder)/\(name)"]).text }
        XCTAssertTrue(has(try text("rds.tf"), #"vpc_security_group_ids\s+= \[aws_security_group\.databases\[each\.key\]\.id\]"#))
        XCTAssertTrue(has(try text("rds.tf"), #"vpc_security_group_ids\s+= \[aws_security_group\.databases\[each\.value\.database\]\.id\]"#), "replicas in their primary's group")
        XCTAssertTrue(has(try text("cache.tf"), #"security_group_ids\s+= \[aws_security_group\.caches\[each\.key\]\.id\]"#))
        XCTAssertTrue(has(try text("ecs.tf"), #"security_groups\s+= \[aws_security_group\.workloads\[each\.key\]\.id\]"#))
        XCTAssertTrue(has(try text("partitions.tf"), #"security_groups\s+= \[aws_security_group\.partitions\[each\.key\]\.id\]"#))
        XCTAssertTrue(has(try text("proxy.tf"), #"vpc_security_group_ids\s+= \[aws_security_group\.database_proxies\[each\.key\]\.id\]"#))
        XCTAssertTrue(has(try text("alb.tf"), #"referenced_security_group_id = aws_security_group\.workloads\[each\.key\]\.id"#))
        // A migration runs as the workload it migrates for, and its targeted apply makes that path.
        XCTAssertTrue(try text("outputs.tf").contains("securityGroups = [aws_security_group.workloads[settings.migrate_in].id]"))
        XCTAssertTrue(try text("migrations.tf").contains("depends_on = [aws_vpc_security_group_egress_rule.workloads_https, aws_vpc_security_group_egress_rule.workloads_to_databases, aws_vpc_security_group_ingress_rule.databases_from_workloads]"))
        let workflow = try XCTUnwrap(files[".github/workflows/marketplace-deploy.yml"]).text
        XCTAssertTrue(workflow.contains(#"output -json migration_networks | jq -c --arg db 'db' '.[$db]'"#), workflow)
    }
}
