import StagecraftOutput

/// Pieces every generated Terraform configuration shares: the version pins, variables and
/// outputs, and the remote-state backend a root module leaves for its owner to fill.
public enum Terraform {
    /// The Terraform release CI installs; `requiredVersion` accepts it (S3 state locking needs 1.10).
    public static let version = "1.11.4"
    public static let requiredVersion = ">= 1.10"
    public static let awsProviderVersion = "~> 5.100"

    /// `terraform { required_version …; required_providers { aws … } }`, optionally with
    /// provider aliases a module expects its caller to pass.
    public static func versions(configurationAliases: [String] = [], backend: [HCLItem] = []) -> HCLBlock {
        var aws: [HCLAttribute] = [HCLAttribute("source", "hashicorp/aws"), HCLAttribute("version", .string(awsProviderVersion))]
        if !configurationAliases.isEmpty {
            aws.append(HCLAttribute("configuration_aliases", .list(configurationAliases.map { .ref("aws.\($0)") })))
        }
        return HCLBlock("terraform") {
            attr("required_version", .string(requiredVersion))
            HCLItem.blank
            HCLBlock("required_providers") { attr("aws", .object(aws)) }
            if !backend.isEmpty {
                HCLItem.blank
                backend
            }
        }
    }

    /// An S3 backend with locking, the bucket left for the owner: `terraform init
    /// -backend-config="bucket=…"` supplies it (CI passes it from a secret).
    public static func s3Backend(key: String, region: String) -> [HCLItem] {
        comment("""
            Remote state: an S3 bucket you own (versioned, encrypted, private) with S3 lock
            files, so two applies never run at once. The bucket is not in this file: pass it
            at init, e.g. terraform init -backend-config="bucket=acme-terraform-state"
            (the deploy workflow passes the TF_STATE_BUCKET secret).
            """) + [.block(HCLBlock("backend", "s3") {
                attr("key", .string(key))
                attr("region", .string(region))
                attr("encrypt", true)
                attr("use_lockfile", true)
            })]
    }

    /// A `variable` block; `type` is a Terraform type expression.
    public static func variable(_ name: String, type: String, description: String, default value: HCLValue? = nil, sensitive: Bool = false) -> HCLBlock {
        HCLBlock("variable", name) {
            attr("description", .string(description))
            attr("type", .ref(type))
            if let value { attr("default", value) }
            if sensitive { attr("sensitive", true) }
        }
    }

    public static func output(_ name: String, _ value: HCLValue, description: String) -> HCLBlock {
        HCLBlock("output", name) {
            attr("description", .string(description))
            attr("value", value)
        }
    }

    /// A `.tf` or `.tfvars` file of generated output.
    public static func file(_ path: String, _ contents: HCLFile) throws -> GeneratedFile {
        try GeneratedFile(path: path, text: contents.rendered, commentStyle: .hash)
    }

    /// An HCL identifier for a validated name (`my-db` → `my_db`).
    public static func identifier(_ name: String) -> String { name.replacing("-", with: "_") }
}
