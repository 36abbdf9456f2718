import StagecraftPlanner

/// What an AWS account needs before an environment's first apply, as the generated README
/// lists it: what Terraform and the logs are kept in, the certificates, the DNS records, and
/// the parameters the module reads. Each line names the exact bucket secret, domain, record
/// or parameter.
struct AWSPrerequisites {
    let environment: EnvironmentPlan
    let stack: String

    var lines: [String] {
        let values = AWSEnvironmentValues(environment: environment, stack: stack)
        let inState = (environment.cdn?.originVerification == nil ? [] : ["the CDN's origin secret"])
            + (environment.caches.isEmpty ? [] : ["the caches' passwords"])
        var lines = [
            "the deploy role, its ARN in the `\(AWSDeploySteps.roleSecret)` secret, which the deploy job assumes with the CI provider's OIDC token",
            "a state bucket, versioned, encrypted and private, named in the `TF_STATE_BUCKET` secret"
                + (inState.isEmpty ? "" : ": the state holds " + inState.joined(separator: " and ")),
            "a log bucket named in the `AWS_LOG_BUCKET` secret, with ACLs enabled (CloudFront's standard logs) and a policy that lets Elastic Load Balancing write under `alb/\(values.name)/`",
        ]
        let domain = environment.domain
        if let cdn = environment.cdn {
            lines += [
                "a certificate in \(environment.region) for `\(cdn.originDomain)`, its ARN in the `AWS_CERTIFICATE_ARN` secret (the load balancer's)",
                "a certificate in us-east-1 for `\(domain)`, its ARN in the `AWS_CDN_CERTIFICATE_ARN` secret (CloudFront reads certificates there only)",
                "after the first apply, DNS records: `\(domain)` as an alias (or CNAME) of the `cdn_domain` output, and `\(cdn.originDomain)` as a CNAME of the `load_balancer_dns_name` output",
            ]
        } else {
            lines += [
                "a certificate in \(environment.region) for `\(domain)`, its ARN in the `AWS_CERTIFICATE_ARN` secret",
                "after the first apply, a DNS record: `\(domain)` as an alias (or CNAME) of the `load_balancer_dns_name` output",
            ]
        }
        let parameters = Set(environment.workloads.flatMap(\.secrets).filter { $0.purpose != .databasePassword }.map(\.name))
            .union(environment.cdn?.originVerification.map { [$0.secret] } ?? [])
            .union(environment.monitoring.receivers.filter { $0.kind != .email }.compactMap(\.secret))
        if !parameters.isEmpty {
            let names = parameters.sorted().map { "`\(values.secretParameterPrefix)\($0)`" }.joined(separator: ", ")
            lines.append("SecureString parameters in Parameter Store, each holding the secret it is named after: \(names)")
        }
        return lines
    }
}
