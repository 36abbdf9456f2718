// An online shop at the growth stage: several app instances behind a load balancer,
// shared sessions, a job queue, a read replica, point-in-time recovery and a CDN.
//
// Generate it with:   stagecraft generate stacks/shop.swift --out out/shop
import Stagecraft

let stack = Stack("shop", stage: .growth) {
    Service("web") {
        Image("ghcr.io/acme/shop-web")
        Dockerfile("services/web/Dockerfile", context: "services/web")
        Port(8080)
        HealthCheck("/healthz")
        ServesMetrics("/metrics")
        // One declaration for every stage: promotion changes one word, not this line.
        Replicas(mvp: 1, growth: 3, scale: .autoscale(min: 4, max: 40, cpu: 60))
        Config("LOG_LEVEL", "info", production: "warn")
        Config("CURRENCY", "EUR")
        // A reference: the value lives in the environment's secret store, never here.
        Secret("STRIPE_API_KEY")
        Sessions(.shared(cache: "cache"))
        Uploads(.bucket("uploads"))
        Static("/assets/")
    }

    Worker("jobs") {
        Image("ghcr.io/acme/shop-jobs")
        Dockerfile("services/jobs/Dockerfile", context: "services/jobs")
        Queue(on: "cache")
        Uses("db", "cache", "uploads")
        Secret("SMTP_PASSWORD")
        // Exits 0 while the worker takes jobs; a hung worker is replaced.
        HealthCommand("bin/jobs-healthy")
    }

    Postgres("db", version: 16) {
        ReadReplicas(growth: 1, scale: 3)
        Backups(rpo: .hours(24), growth: .hours(1), scale: .minutes(5))
        Retention(.days(7), growth: .days(14), scale: .days(35))
        RestoreTest(every: .days(30), scale: .days(7))
        RecoveryTime(.hours(2))
        // Each deploy applies the new migrations (plain SQL, in the web image) before the new
        // release serves; CI lints the ones a pull request adds.
        Migrations(.dbmate(folder: "db/migrations"), in: "web")
    }

    Redis("cache") {
        Persistence(true)
    }

    Bucket("uploads")

    LoadBalancer(domain: "shop.example.com") {
        RateLimit(100, per: .minute)
        RateLimit(10, per: .minute, path: "/login")
        MaxBodySize(mib: 25)
    }

    CDN()

    Environments {
        Development()
        Staging(branch: "main")
        Production(approval: .required) {
            Override("web") { Config("FEATURE_RECOMMENDATIONS", "on") }
            // An escape hatch, for a Compose option the DSL has no declaration for: merged into
            // production's compose.yaml at every generate.
            ComposeOverride("""
                services:
                  web:
                    labels:
                      com.example.team: storefront
                """)
        }
    }

    Pipeline(.githubActions) {
        Build(.swift("6.1"))
        Test("swift test --parallel")
        Lint("swift format lint --strict --recursive Sources")
    }

    Monitoring {
        ErrorTracking(secret: "SENTRY_DSN")
        Uptime("/healthz")
        SlowQueryLog(milliseconds: 250)
        // From growth on, Prometheus and Alertmanager run beside the app: pages and tickets go
        // to Slack and to the ops mailbox.
        Alerts {
            Slack(secret: "SLACK_WEBHOOK_URL")
            Email("ops@shop.example.com", smarthost: "smtp.example.com:587", from: "alerts@shop.example.com", passwordSecret: "SMTP_PASSWORD")
        }
    }

    Region("eu-west-1", backupCopy: "eu-central-1")
    Account("111122223333")
}
