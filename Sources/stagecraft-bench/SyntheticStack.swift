/// A stack file with `services` services, each with its own database and cache, three
/// environments, and every platform in use: development on Compose at mvp, staging on
/// Kubernetes at growth, production on AWS at scale. Declarations come from a loop, as a
/// team with many similar services would write them.
func syntheticStack(services: Int) -> String {
    """
    import Stagecraft

    let stack = Stack("synthetic", stage: .scale) {
        for index in 0..<\(services) {
            Service("svc-\\(index)") {
                Image("ghcr.io/acme/svc-\\(index)")
                Port(8080)
                HealthCheck("/healthz")
                Route("/svc-\\(index)/")
                Config("LOG_LEVEL", "info", development: "debug")
                Secret("API_TOKEN")
                Sessions(.shared(cache: "cache-\\(index)"))
                Uses("db-\\(index)", "cache-\\(index)")
                Static("/svc-\\(index)/assets/")
            }
            Postgres("db-\\(index)", version: 16) {
                RecoveryTime(.hours(1))
            }
            Redis("cache-\\(index)")
        }
        LoadBalancer(domain: "synthetic.example.com") { RateLimit(100, per: .second) }
        CDN()
        Environments {
            Development(stage: .mvp)
            Staging(branch: "main", stage: .growth)
            Production(approval: .required)
        }
        Platform(mvp: .compose, growth: .kubernetes, scale: .aws)
        Region("us-east-1", backupCopy: "us-west-2")
        Pipeline(.githubActions) { Build(.go("1.23")) }
    }

    """
}
