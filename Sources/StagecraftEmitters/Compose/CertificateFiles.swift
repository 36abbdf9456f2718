import StagecraftOutput
import StagecraftPlanner

/// The origin's TLS certificate on a compose environment: the script the ACME client service
/// runs to obtain and renew it, and the crontab job that renews it twice a day.
struct CertificateFiles {
    let layout: ComposeLayout

    /// The ACME account's contact: the role mailbox RFC 2142 reserves for this purpose.
    var email: String? { layout.certificateDomain.map { _ in "hostmaster@\(layout.environment.loadBalancer!.domain)" } }

    func files(_ templates: TemplateLibrary) throws -> [GeneratedFile] {
        guard let domain = layout.certificateDomain, let email else { return [] }
        return [
            try GeneratedFile(path: "\(layout.folder)/\(ComposeLayout.acmeScript)", text: templates.render("compose/certificates.sh", [
                "domain": domain, "email": email, "nginxGID": ComposeLayout.nginxGID,
            ]), executable: true, commentStyle: .hash),
        ]
    }

    /// Twice a day, as Let's Encrypt asks of clients, at a minute taken from the domain so that
    /// hosts do not all ask at the same moment. nginx needs no reload: it reads the certificate
    /// at each new TLS handshake (its path is a variable), and a reload would close the
    /// connections that have not sent their request yet.
    var jobs: [ScheduledJob] {
        guard let domain = layout.certificateDomain else { return [] }
        let minute = domain.utf8.reduce(0) { ($0 * 31 + Int($1)) % 60 }
        return [ScheduledJob(
            name: "certificate-renewal",
            description: "TLS certificate of \(domain): renewed when 30 days or fewer remain",
            schedule: "\(minute) 3,15 * * *",
            command: "docker compose run --rm --no-deps \(ComposeLayout.acmeService)")]
    }
}
