/// A Secrets Manager secret per key of `for_each` that Terraform fills once with a random value
/// and keeps no copy of: the version's value is a write-only argument, so it is in neither the
/// plan nor the state. Rotating it is putting a new value in the secret.
enum AWSGeneratedSecret {
    /// 64 hex digits from two random UUIDs (crypto/rand): Terraform's own functions, because the
    /// mocked provider the suite applies with cannot answer an ephemeral random password.
    static let random = #"replace("${uuid()}${uuid()}", "-", "")"#

    /// The secret `label` and its version holding `value` (an expression over `random`).
    static func blocks(_ label: String, forEach: String, namePrefix: String, description: String, value: String) -> [HCLItem] {
        [
            .block(HCLBlock("resource", "aws_secretsmanager_secret", label) {
                attr("for_each", .ref(forEach))
                attr("name_prefix", .ref(namePrefix))
                attr("description", .ref(description))
                attr("kms_key_id", .ref("aws_kms_key.this.arn"))
            }),
            .block(HCLBlock("resource", "aws_secretsmanager_secret_version", label) {
                attr("for_each", .ref(forEach))
                attr("secret_id", .ref("aws_secretsmanager_secret.\(label)[each.key].id"))
                attr("secret_string_wo", .ref(value))
                attr("secret_string_wo_version", 1)
            }),
        ]
    }
}
