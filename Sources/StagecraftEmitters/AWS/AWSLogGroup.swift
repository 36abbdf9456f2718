/// A CloudWatch log group of the module: kept for the environment's retention, encrypted with
/// the stack's key. `instances` is its `for_each` or `count` attribute.
enum AWSLogGroup {
    static func block(_ label: String, _ instances: HCLAttribute, name: String) -> HCLBlock {
        HCLBlock("resource", "aws_cloudwatch_log_group", label) {
            instances
            attr("name", .ref(name))
            attr("retention_in_days", .ref("var.log_retention_days"))
            attr("kms_key_id", .ref("aws_kms_key.this.arn"))
            HCLItem.blank
            comment("CloudWatch Logs may use the key only once its policy says so.")
            attr("depends_on", [.ref("aws_kms_key_policy.this")])
        }
    }
}
