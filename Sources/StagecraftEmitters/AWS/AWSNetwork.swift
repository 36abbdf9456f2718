/// network.tf: a VPC with public and private subnets, or the one the caller already has.
/// Subnets span at least two zones even when workloads run in one: an ALB and an RDS subnet
/// group both refuse fewer. NAT gateways (and so the cost) follow `var.zones`.
enum AWSNetwork {
    static var file: HCLFile {
        HCLFile {
            HCLBlock("data", "aws_availability_zones", "available") { attr("state", "available") }
            HCLBlock("locals") {
                attr("create_vpc", .ref("var.existing_vpc == null"))
                attr("subnet_zones", .ref("max(2, var.zones)"))
                attr("vpc_id", .ref("local.create_vpc ? aws_vpc.this[0].id : var.existing_vpc.vpc_id"))
                attr("public_subnet_ids", .ref("local.create_vpc ? aws_subnet.public[*].id : var.existing_vpc.public_subnet_ids"))
                attr("private_subnet_ids", .ref("local.create_vpc ? aws_subnet.private[*].id : var.existing_vpc.private_subnet_ids"))
                comment("Workloads run in the first var.zones private subnets.")
                attr("workload_subnet_ids", .ref("slice(local.private_subnet_ids, 0, min(var.zones, length(local.private_subnet_ids)))"))
            }
            HCLBlock("resource", "aws_vpc", "this") {
                attr("count", .ref("local.create_vpc ? 1 : 0"))
                attr("cidr_block", .ref("var.vpc_cidr"))
                attr("enable_dns_support", true)
                attr("enable_dns_hostnames", true)
                attr("tags", ["Name": .ref("var.name")])
            }
            comment("No rules: nothing may use the default security group by accident.")
            HCLBlock("resource", "aws_default_security_group", "this") {
                attr("count", .ref("local.create_vpc ? 1 : 0"))
                attr("vpc_id", .ref("aws_vpc.this[0].id"))
            }
            subnets("public", offset: 0, publicIP: true)
            subnets("private", offset: 8, publicIP: false)
            HCLBlock("resource", "aws_internet_gateway", "this") {
                attr("count", .ref("local.create_vpc ? 1 : 0"))
                attr("vpc_id", .ref("aws_vpc.this[0].id"))
                attr("tags", ["Name": .ref("var.name")])
            }
            HCLBlock("resource", "aws_eip", "nat") {
                attr("count", .ref("local.create_vpc ? var.zones : 0"))
                attr("domain", "vpc")
                attr("tags", ["Name": .ref("\"${var.name}-nat-${count.index}\"")])
            }
            HCLBlock("resource", "aws_nat_gateway", "this") {
                attr("count", .ref("local.create_vpc ? var.zones : 0"))
                attr("allocation_id", .ref("aws_eip.nat[count.index].id"))
                attr("subnet_id", .ref("aws_subnet.public[count.index].id"))
                attr("tags", ["Name": .ref("\"${var.name}-${count.index}\"")])
                HCLItem.blank
                attr("depends_on", [.ref("aws_internet_gateway.this")])
            }
            HCLBlock("resource", "aws_route_table", "public") {
                attr("count", .ref("local.create_vpc ? 1 : 0"))
                attr("vpc_id", .ref("aws_vpc.this[0].id"))
                HCLItem.blank
                HCLBlock("route") {
                    attr("cidr_block", "0.0.0.0/0")
                    attr("gateway_id", .ref("aws_internet_gateway.this[0].id"))
                }
            }
            HCLBlock("resource", "aws_route_table_association", "public") {
                attr("count", .ref("local.create_vpc ? local.subnet_zones : 0"))
                attr("subnet_id", .ref("aws_subnet.public[count.index].id"))
                attr("route_table_id", .ref("aws_route_table.public[0].id"))
            }
            comment("Each private subnet leaves through the NAT gateway of its zone, or the first one.")
            HCLBlock("resource", "aws_route_table", "private") {
                attr("count", .ref("local.create_vpc ? local.subnet_zones : 0"))
                attr("vpc_id", .ref("aws_vpc.this[0].id"))
                HCLItem.blank
                HCLBlock("route") {
                    attr("cidr_block", "0.0.0.0/0")
                    attr("nat_gateway_id", .ref("aws_nat_gateway.this[min(count.index, var.zones - 1)].id"))
                }
            }
            HCLBlock("resource", "aws_route_table_association", "private") {
                attr("count", .ref("local.create_vpc ? local.subnet_zones : 0"))
                attr("subnet_id", .ref("aws_subnet.private[count.index].id"))
                attr("route_table_id", .ref("aws_route_table.private[count.index].id"))
            }
            HCLBlock("resource", "aws_flow_log", "this") {
                attr("count", .ref("local.create_vpc ? 1 : 0"))
                attr("vpc_id", .ref("aws_vpc.this[0].id"))
                attr("traffic_type", "REJECT")
                attr("log_destination", .ref("aws_cloudwatch_log_group.flow_logs[0].arn"))
                attr("iam_role_arn", .ref("aws_iam_role.flow_logs[0].arn"))
            }
            AWSLogGroup.block("flow_logs", attr("count", .ref("local.create_vpc ? 1 : 0")), name: "\"/${var.name}/vpc-flow-logs\"")
            HCLBlock("resource", "aws_iam_role", "flow_logs") {
                attr("count", .ref("local.create_vpc ? 1 : 0"))
                attr("name_prefix", "flow-logs-")
                attr("assume_role_policy", AWSPolicy.assumeRole("vpc-flow-logs.amazonaws.com"))
            }
            HCLBlock("resource", "aws_iam_role_policy", "flow_logs") {
                attr("count", .ref("local.create_vpc ? 1 : 0"))
                attr("role", .ref("aws_iam_role.flow_logs[0].id"))
                attr("policy", AWSPolicy.document([
                    AWSPolicy.allow(["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                                    resources: [.ref("\"${aws_cloudwatch_log_group.flow_logs[0].arn}:*\"")]),
                ]))
            }
        }
    }

    private static func subnets(_ tier: String, offset: Int, publicIP: Bool) -> HCLBlock {
        HCLBlock("resource", "aws_subnet", tier) {
            attr("count", .ref("local.create_vpc ? local.subnet_zones : 0"))
            attr("vpc_id", .ref("aws_vpc.this[0].id"))
            attr("cidr_block", .ref("cidrsubnet(var.vpc_cidr, 4, count.index + \(offset))"))
            attr("availability_zone", .ref("data.aws_availability_zones.available.names[count.index]"))
            attr("map_public_ip_on_launch", false)
            attr("tags", ["Name": .ref("\"${var.name}-\(tier)-${count.index}\""), "tier": .string(tier)])
        }
    }
}
