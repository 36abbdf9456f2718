import StagecraftPlanner

/// What an AWS account needs before an environment's first apply, as the generated README
/// lists it: what Terraform and the logs are kept in, the certificates and DNS records (or the
/// zone Terraform makes them in), and the secret parameters and registry login to fill. Each line names the exact
/// bucket secret, domain, record or parameter.
struct AWSPrerequisites {
    let environment: EnvironmentPlan
    let stack: String

    var lines: [String] {
        let values = AWSEnvironmentValues(environment: environment, stack: stack)
        var lines = [
            "the deploy role, its ARN in the `\(AWSDeploySteps.roleSecret)` secret, which the deploy job assumes with the CI provider's OIDC token",
            "a state bucket, versioned, encrypted and private, named in the `TF_STATE_BUCKET` secret"
                + (environment.cdn?.originVerification == nil ? "" : ": the state holds the CDN's origin secret"),
            "a log bucket named in the `AWS_LOG_BUCKET` secret, with ACLs enabled (CloudFront's standard logs) and a policy that lets Elastic Load Balancing write under `alb/\(values.name)/`",
        ]
        let domain = environment.domain
        if let zone = environment.dnsZone {
            lines.append("the Route 53 public hosted zone `\(zone)`, delegated from the domain's registrar: Terraform issues the certificates"
                + " and points " + ([domain] + (environment.cdn.map { [$0.originDomain] } ?? [])).map { "`\($0)`" }.joined(separator: " and ") + " at the environment")
        } else if let cdn = environment.cdn {
            lines += [
                "a certificate in \(environment.region) for `\(cdn.originDomain)` and `\(domain)` (CloudFront asks the load balancer for the site's name), its ARN in the `AWS_CERTIFICATE_ARN` secret",
                "a certificate in us-east-1 for `\(domain)`, its ARN in the `AWS_CDN_CERTIFICATE_ARN` secret (CloudFront reads certificates there only)",
                "after the first apply, DNS records: `\(domain)` as an alias (or CNAME) of the `cdn_domain` output, and `\(cdn.originDomain)` as a CNAME of the `load_balancer_dns_name` output",
            ]
        } else {
            lines += [
                "a certificate in \(environment.region) for `\(domain)`, its ARN in the `AWS_CERTIFICATE_ARN` secret",
                "after the first apply, a DNS record: `\(domain)` as an alias (or CNAME) of the `load_balancer_dns_name` output",
            ]
        }
        let parameters = values.secretParameters
        if !parameters.isEmpty {
            let names = parameters.map { "`\(values.secretParameterPrefix)\($0)`" }.joined(separator: ", ")
            lines.append("the value of each secret parameter, \(names), which the first deploy creates as a placeholder and then waits for"
                + " (`aws ssm put-parameter --overwrite --type SecureString --name NAME --value …`); a parameter made by hand earlier is imported instead"
                + " (`terraform import 'module.\(Terraform.identifier(stack)).aws_ssm_parameter.secrets[\"NAME\"]' PARAMETER`)")
        }
        let registries = values.registriesNeedingCredentials
        if !registries.isEmpty {
            lines.append("a login that may read the images on " + registries.map { "`\($0)`" }.joined(separator: ", ")
                + (registries.contains("ghcr.io") ? " (for ghcr.io, a token with `read:packages`)" : "")
                + ", put as the value of the secret in the `registry_credentials_secret` output, which the first deploy creates and then waits for"
                + " (`aws secretsmanager put-secret-value --secret-id SECRET --secret-string '{\"username\": \"…\", \"password\": \"…\"}'`): ECS pulls the built images with it")
        }
        return lines
    }
}
