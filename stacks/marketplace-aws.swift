// The marketplace on AWS: the same product as marketplace.swift, at the scale stage on ECS
// Fargate, RDS, ElastiCache and CloudFront, rendered as Terraform (a module and a root per
// environment), with a deploy that applies reviewed Terraform plans.
//
// Generate it with:   stagecraft generate stacks/marketplace-aws.swift --out out/marketplace-aws
import Stagecraft

let stack = Stack("marketplace", stage: .scale) {
    Service("web") {
        Image("ghcr.io/acme/market-web")
        Dockerfile("web/Dockerfile", context: "web")
        Port(8080)
        HealthCheck("/healthz")
        Replicas(scale: .autoscale(min: 6, max: 60, cpu: 60))
        Resources(cpu: 1, memoryMiB: 1024)
        Config("LOG_LEVEL", "warn", development: "debug")
        Secret("SESSION_SIGNING_KEY")
        Sessions(.stateless)
        Uploads(.bucket("media"))
        Static("/static/")
    }

    Service("api") {
        Image("ghcr.io/acme/market-api")
        Dockerfile("api/Dockerfile", context: "api")
        Port(9000)
        HealthCheck("/v1/health")
        ServesMetrics("/metrics")
        Route("/api/")
        Replicas(scale: .autoscale(min: 4, max: 40, cpu: 65))
        Config("LOG_LEVEL", "warn", development: "debug")
        Config("SEARCH_PAGE_SIZE", "50")
        Secret("PAYMENTS_API_KEY")
        Secret("JWT_SIGNING_KEY")
        Sessions(.stateless)
        Uses("db", "cache")
    }

    Worker("payouts") {
        Image("ghcr.io/acme/market-payouts")
        Dockerfile("workers/payouts/Dockerfile", context: "workers")
        Queue(on: "cache")
        Uses("db", "cache")
        Secret("PAYMENTS_API_KEY")
        HealthCommand("bin/payouts --check")
    }

    Worker("thumbnails") {
        Image("ghcr.io/acme/market-thumbnails")
        Dockerfile("workers/thumbnails/Dockerfile", context: "workers")
        Command("bin/thumbnails", "--concurrency", "4")
        Queue(on: "cache")
        Uses("cache", "media")
        Resources(cpu: 2, memoryMiB: 2048)
        HealthCommand("bin/thumbnails --check")
        ServesMetrics("/metrics", port: 9102)
    }

    Postgres("db", version: 16) {
        ReadReplicas(scale: 3)
        Pooling(true)
        Backups(rpo: .minutes(5))
        Retention(.days(35))
        RestoreTest(every: .days(7))
        RecoveryTime(.hours(1))
        Storage(gib: 500)
        // Orders are kept two years, events three months; each goes by dropping whole partitions.
        // The API's image carries the migrations and the command that applies them.
        Migrations("bin/migrate", in: "api")
        LargeTable("orders", partitionBy: "created_at", every: .month, keep: .days(730))
        LargeTable("events", partitionBy: "occurred_at", every: .day, keep: .days(90))
    }

    Redis("cache") {
        CacheReplica(true)
        Persistence(true)
    }

    Bucket("media")

    LoadBalancer(domain: "market.example.com") {
        RateLimit(1200, per: .minute)
        RateLimit(20, per: .second, burst: 40, path: "/api/")
        RateLimit(5, per: .minute, path: "/api/login")
        MaxBodySize(mib: 50)
        Timeout(.seconds(30))
    }

    CDN {
        Cacheable("/api/catalog/")
    }

    Environments {
        Development()
        Staging(branch: "main") {
            Override("api") { Config("SEARCH_PAGE_SIZE", "20") }
        }
        Production(approval: .required) {
            Domain("www.market.example.com")
            // An escape hatch: a Terraform file of the team's own in production's root module.
            TerraformFile("budget.tf", """
                resource "aws_budgets_budget" "monthly" {
                  name         = "marketplace-production-monthly"
                  budget_type  = "COST"
                  limit_amount = "2000"
                  limit_unit   = "USD"
                  time_unit    = "MONTHLY"

                  notification {
                    comparison_operator        = "GREATER_THAN"
                    threshold                  = 80
                    threshold_type             = "PERCENTAGE"
                    notification_type          = "FORECASTED"
                    subscriber_email_addresses = ["ops@market.example.com"]
                  }
                }
                """)
        }
    }

    Pipeline(.githubActions) {
        Build(.go("1.23"))
        Test("go test -race ./...")
        Lint("go vet ./...")
        SecurityScan()
    }

    Monitoring {
        ErrorTracking(secret: "SENTRY_DSN")
        Uptime("/healthz")
        SlowQueryLog(milliseconds: 200)
        Availability(99.95)
        Alerts {
            PagerDuty(secret: "PAGERDUTY_ROUTING_KEY")
            Slack(secret: "SLACK_WEBHOOK_URL")
        }
    }

    // Compose while one host is enough; AWS from the scale stage on.
    Platform(mvp: .compose, growth: .compose, scale: .aws)
    Region("us-east-1", backupCopy: "us-west-2")
}
