// A blog at the mvp stage: one app, one database, one host.
//
// Generate it with:   stagecraft generate stacks/blog.swift --out out/blog
// See what growth would ask of it:   stagecraft check stacks/blog.swift --stage growth
import Stagecraft

let stack = Stack("blog", stage: .mvp) {
    Service("web") {
        Image("ghcr.io/acme/blog-web")
        Port(3000)
        HealthCheck("/healthz")
        Config("NODE_ENV", "production", development: "development")
        Config("LOG_LEVEL", "info", development: "debug")
        Secret("SESSION_SECRET")
        // Fine for one instance. Growth runs several, and sessions must move to a shared store.
        Sessions(.inProcess)
        // Also fine for now; growth moves uploads to a bucket.
        Uploads(.localDisk(path: "/var/lib/blog/uploads"))
        Static("/assets/")
    }

    Postgres("db", version: 16) {
        // The mvp defaults (a daily full backup kept 7 days, RPO 24 h) are written out here
        // so the stack reads as documentation.
        Backups(rpo: .hours(24))
        Retention(.days(7))
    }

    LoadBalancer(domain: "blog.example.com") {
        RateLimit(10, per: .second)
    }

    Environments {
        Development()
        Production()
    }

    Pipeline(.githubActions) {
        Build(.node("22"))
        Test("npm test")
    }

    Monitoring {
        ErrorTracking(secret: "SENTRY_DSN")
        Uptime("/healthz")
    }
}
