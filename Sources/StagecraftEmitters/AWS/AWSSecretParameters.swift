/// parameters.tf: the SecureString parameters the environment reads by name (the workloads'
/// secrets, the alert receivers' webhook URL and routing key), created as placeholders so a
/// fresh account plans and applies. Terraform writes the placeholder once and never looks at the
/// parameter again: the value a person puts there stays out of the plan and the state, and no
/// later apply overwrites it. The deploy stops while any still holds the placeholder.
enum AWSSecretParameters {
    /// What a parameter holds until someone sets it; the deploy's check looks for exactly this.
    static let placeholder = "unset: put the real value with aws ssm put-parameter --overwrite"

    static var file: HCLFile {
        HCLFile {
            HCLBlock("locals") {
                attr("secret_parameters", .ref("toset(concat(flatten([for workload in values(var.workloads) : workload.secrets]), local.alert_secrets))"))
            }
            comment("""
                Written once (a write-only value, so not even the placeholder is in the state), then left
                alone: ignore_changes = all, because any update would put the placeholder back over the
                value. A parameter that exists already (made by hand before this module) is imported:
                terraform import 'module.<stack>.aws_ssm_parameter.secrets["NAME"]' <prefix>NAME
                """)
            HCLBlock("resource", "aws_ssm_parameter", "secrets") {
                attr("for_each", .ref("local.secret_parameters"))
                attr("name", .ref("\"${var.secret_parameter_prefix}${each.key}\""))
                attr("description", .ref("\"${each.key} of ${var.name}: set it with aws ssm put-parameter --overwrite; the deploy waits for it\""))
                attr("type", "SecureString")
                attr("key_id", .ref("aws_kms_key.this.arn"))
                attr("value_wo", .string(placeholder))
                attr("value_wo_version", 1)
                HCLItem.blank
                HCLBlock("lifecycle") {
                    attr("ignore_changes", .ref("all"))
                }
            }
        }
    }
}
