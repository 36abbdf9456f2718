/// A CloudWatch log group of the module: kept for the environment's retention, encrypted with
/// the stack's key. `instances` is its `for_each` or `count` attribute. A group in another
/// region (`region`: its provider and a key of that region, whose policy is its own) waits
/// for nothing.
enum AWSLogGroup {
    static func block(_ label: String, _ instances: HCLAttribute, name: String, region: (provider: String, key: String)? = nil) -> HCLBlock {
        HCLBlock("resource", "aws_cloudwatch_log_group", label) {
            instances
            if let region { attr("provider", .ref(region.provider)) }
            attr("name", .ref(name))
            attr("retention_in_days", .ref("var.log_retention_days"))
            attr("kms_key_id", .ref(region?.key ?? "aws_kms_key.this.arn"))
            if region == nil {
                HCLItem.blank
                comment("CloudWatch Logs may use the key only once its policy says so.")
                attr("depends_on", [.ref("aws_kms_key_policy.this")])
            }
        }
    }
}
