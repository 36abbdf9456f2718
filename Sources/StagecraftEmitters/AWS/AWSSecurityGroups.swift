/// security-groups.tf: who may reach whom inside the VPC. One group per workload, database,
/// database proxy, cache, roles task and partition-maintenance task; each workload goes out to
/// the databases (or their proxies) and caches it uses and to HTTPS, and each store admits
/// those that use it.
/// (The load balancer's group, and its paths to the services, are in alb.tf.)
enum AWSSecurityGroups {
    static var file: HCLFile {
        HCLFile {
            HCLBlock("locals") {
                comment("Each path from a workload to a store it uses, by a key known before apply.")
                attr("workload_databases", .ref(#"""
                    merge([
                        for name, workload in var.workloads : { for db in workload.databases : "${name}/${db}" => { workload = name, database = db } }
                      ]...)
                    """#))
                attr("workload_proxies", .ref("{ for key, path in local.workload_databases : key => path if var.databases[path.database].pooling }"))
                attr("workload_caches", .ref(#"""
                    merge([
                        for name, workload in var.workloads : { for cache in workload.caches : "${name}/${cache}" => { workload = name, cache = cache } }
                      ]...)
                    """#))
            }
            group("workloads", instances: "var.workloads", name: "\"${var.name}-${each.key}-\"",
                  description: "\"The ${each.key} workload: out to its own stores and HTTPS\"")
            https("workloads", instances: "var.workloads", group: "aws_security_group.workloads[each.key].id")
            comment("A service admits the load balancer alone, on its port.")
            HCLBlock("resource", "aws_vpc_security_group_ingress_rule", "workloads_from_alb") {
                attr("for_each", .ref("local.services"))
                attr("description", .ref("\"${each.key} from the load balancer\""))
                attr("security_group_id", .ref("aws_security_group.workloads[each.key].id"))
                attr("referenced_security_group_id", .ref("aws_security_group.alb.id"))
                attr("ip_protocol", "tcp")
                attr("from_port", .ref("each.value.port"))
                attr("to_port", .ref("each.value.port"))
            }

            group("databases", instances: "var.databases", name: "\"${var.name}-${each.key}-db-\"",
                  description: "\"The ${each.key} database: PostgreSQL from what uses it\"")
            path(from: "workloads", to: "databases", instances: "local.workload_databases", port: 5432,
                 client: "each.value.workload", store: "each.value.database", what: "database")

            comment("""
                A pooled database's workloads reach its proxy, which reaches the database. (They keep their
                path to the database's group: reads go to the replicas, and a migration to the primary.)
                """)
            group("database_proxies", instances: "local.pooled", name: "\"${var.name}-${each.key}-proxy-\"",
                  description: "\"Proxy of the ${each.key} database: from its workloads, out to the database\"")
            path(from: "workloads", to: "database_proxies", instances: "local.workload_proxies", port: 5432,
                 client: "each.value.workload", store: "each.value.database", what: "database proxy")
            path(from: "database_proxies", to: "databases", instances: "local.pooled", port: 5432,
                 client: "each.key", store: "each.key", what: "database")

            group("caches", instances: "var.caches", name: "\"${var.name}-${each.key}-cache-\"",
                  description: "\"The ${each.key} cache: Redis from what uses it\"")
            path(from: "workloads", to: "caches", instances: "local.workload_caches", port: 6379,
                 client: "each.value.workload", store: "each.value.cache", what: "cache")

            comment("The task that keeps a database's application role in step reaches that database alone.")
            group("database_roles", instances: "var.databases", name: "\"${var.name}-${each.key}-roles-\"",
                  description: "\"Application role of ${each.key}: out to that database and HTTPS\"")
            https("database_roles", instances: "var.databases", group: "aws_security_group.database_roles[each.key].id")
            path(from: "database_roles", to: "databases", instances: "var.databases", port: 5432,
                 client: "each.key", store: "each.key", what: "database")

            comment("The partition maintenance of a database reaches that database alone.")
            group("partitions", instances: "local.partitioned", name: "\"${var.name}-${each.key}-partitions-\"",
                  description: "\"Partition maintenance of ${each.key}: out to that database and HTTPS\"")
            https("partitions", instances: "local.partitioned", group: "aws_security_group.partitions[each.key].id")
            path(from: "partitions", to: "databases", instances: "local.partitioned", port: 5432,
                 client: "each.key", store: "each.key", what: "database")
        }
    }

    /// A group with no rules of its own: Terraform removes AWS's default allow-all egress, and
    /// every rule is a resource below.
    private static func group(_ label: String, instances: String, name: String, description: String) -> HCLBlock {
        HCLBlock("resource", "aws_security_group", label) {
            attr("for_each", .ref(instances))
            attr("name_prefix", .ref(name))
            attr("description", .ref(description))
            attr("vpc_id", .ref("local.vpc_id"))
            HCLItem.blank
            HCLBlock("lifecycle") { attr("create_before_destroy", true) }
        }
    }

    private static func https(_ label: String, instances: String, group: String) -> HCLBlock {
        HCLBlock("resource", "aws_vpc_security_group_egress_rule", "\(label)_https") {
            attr("for_each", .ref(instances))
            attr("description", "HTTPS through the NAT gateway: image pulls, AWS APIs, services outside AWS")
            attr("security_group_id", .ref(group))
            attr("cidr_ipv4", "0.0.0.0/0")
            attr("ip_protocol", "tcp")
            attr("from_port", 443)
            attr("to_port", 443)
        }
    }

    /// The two halves of one path: the client's egress to the store's group, the store's
    /// ingress from the client's.
    private static func path(from clients: String, to stores: String, instances: String, port: Int, client: String, store: String, what: String) -> [HCLItem] {
        let description = HCLValue.ref("\"${\(client)} to the ${\(store)} \(what)\"")
        let halves = [
            ("aws_vpc_security_group_egress_rule", "\(clients)_to_\(stores)", "\(clients)[\(client)]", "\(stores)[\(store)]"),
            ("aws_vpc_security_group_ingress_rule", "\(stores)_from_\(clients)", "\(stores)[\(store)]", "\(clients)[\(client)]"),
        ]
        return halves.map { type, label, own, other in
            .block(HCLBlock("resource", type, label) {
                attr("for_each", .ref(instances))
                attr("description", description)
                attr("security_group_id", .ref("aws_security_group.\(own).id"))
                attr("referenced_security_group_id", .ref("aws_security_group.\(other).id"))
                attr("ip_protocol", "tcp")
                attr("from_port", .int(port))
                attr("to_port", .int(port))
            })
        }
    }
}
