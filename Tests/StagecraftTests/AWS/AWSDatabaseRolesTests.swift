import Foundation
@testable import StagecraftEmitters
import StagecraftOutput
import XCTest

/// The application's own role on AWS. The generated roles script runs against the machine's
/// PostgreSQL set up as RDS sets up an instance: a master user that may create roles and
/// databases but is no superuser, and the database it owns. The workloads, the migration, the
/// partition maintenance and the proxy then use that role; the master user only the one-off
/// tasks of the deploy.
final class AWSDatabaseRolesTests: XCTestCase {
    private let folder = "terraform/modules/marketplace"

    private func files() throws -> FileSet {
        try Fixtures.renderer.render(try Fixtures.variant("marketplace-aws")).files
    }

    func testTheRolesScriptMakesTheApplicationRoleOwnTheDatabaseAndFollowsItsSecret() throws {
        let script = try XCTUnwrap(try files()["\(folder)/\(AWSDatabaseRoles.folder)/\(AWSDatabaseRoles.scriptFile)"]).text
        let postgres = try PostgresHarness(self, label: "aws-roles")
        // RDS: its own superuser (rdsadmin), the master user with CREATEROLE and CREATEDB, and
        // the instance's database, owned by the master user.
        let data = try postgres.initdb("rds", owner: "rdsadmin")
        let port = Tools.freePort()
        try postgres.start(data, port: port, settings: ["password_encryption=scram-sha-256"])
        for statement in ["CREATE ROLE postgres WITH LOGIN CREATEROLE CREATEDB PASSWORD 'master-password'", "CREATE DATABASE db OWNER postgres"] {
            let result = try postgres.sql(statement, port: port, user: "rdsadmin", database: "postgres")
            XCTAssertEqual(result.status, 0, result.output)
        }
        let path = try postgres.write("roles.sh", script, mode: 0o755)
        func runRoles(appPassword: String) throws -> Tools.Result {
            try postgres.asPostgres("/bin/sh", [path], environment: [
                "PATH": "\(postgres.tool("")):/usr/bin:/bin", "PGHOST": "127.0.0.1", "PGPORT": String(port), "PGDATABASE": "db",
                "PGUSER": "postgres", "PGPASSWORD": "master-password", "PGSSLMODE": "disable",
                "APP_ROLE": "app", "APP_PASSWORD": appPassword,
            ])
        }
        func asApp(_ sql: String, password: String) throws -> Tools.Result {
            try postgres.asPostgres(postgres.tool("psql"), [
                "--no-psqlrc", "--host", "127.0.0.1", "--port", String(port), "--username", "app", "--dbname", "db",
                "--tuples-only", "--no-align", "--set", "ON_ERROR_STOP=1", "--command", sql,
            ], environment: ["PGPASSWORD": password])
        }

        let first = try runRoles(appPassword: "first-0123456789abcdef")
        XCTAssertEqual(first.status, 0, first.output)
        XCTAssertTrue(first.output.contains("password set: on"), first.output)
        let owner = try asApp("""
            SELECT current_setting('is_superuser'), pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database();
            CREATE TABLE orders (id int PRIMARY KEY, created_at timestamptz NOT NULL) ;
            """, password: "first-0123456789abcdef")
        XCTAssertEqual(owner.status, 0, owner.output)
        XCTAssertTrue(owner.output.hasPrefix("off|app"), "the application role is no superuser and owns db: \(owner.output)")
        for forbidden in ["CREATE ROLE intruder LOGIN", "CREATE DATABASE other", "ALTER ROLE app CREATEROLE"] {
            let result = try asApp(forbidden, password: "first-0123456789abcdef")
            XCTAssertNotEqual(result.status, 0, "the application role may: \(forbidden)")
        }
        // The master user acts on what the application owns only as its member.
        let member = try postgres.sql("SELECT pg_has_role('postgres', 'app', 'MEMBER')", port: port, user: "rdsadmin", database: "db")
        XCTAssertEqual(member.output.trimmingCharacters(in: .whitespacesAndNewlines), "t", member.output)

        // Every deploy runs it again: with the secret unchanged, no statement carries the password.
        let again = try runRoles(appPassword: "first-0123456789abcdef")
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertTrue(again.output.contains("password set: off"), again.output)

        // A rotated secret becomes the role's password at the next deploy; the old one stops working.
        let rotated = try runRoles(appPassword: "rotated-0123456789abcdef")
        XCTAssertEqual(rotated.status, 0, rotated.output)
        XCTAssertTrue(rotated.output.contains("password set: on"), rotated.output)
        XCTAssertEqual(try asApp("SELECT count(*) FROM orders", password: "rotated-0123456789abcdef").output.trimmingCharacters(in: .whitespacesAndNewlines), "0")
        XCTAssertNotEqual(try asApp("SELECT 1", password: "first-0123456789abcdef").status, 0)
    }

    /// Who logs in as whom: the workloads, their migration and the partition maintenance as the
    /// application role with its secret; the roles task and the migration lock as the master user.
    func testOnlyTheDeploysOneOffTasksUseTheMasterUser() throws {
        let files = try files()
        func text(_ name: String) throws -> String { try XCTUnwrap(files["\(folder)/\(name)"], name).text }
        let rds = try text("rds.tf")
        XCTAssertTrue(rds.contains(#"username = "postgres""#) || rds.range(of: #"username\s+= "postgres""#, options: .regularExpression) != nil, rds)
        let services = try text("ecs.tf")
        XCTAssertTrue(services.contains(#""${var.databases[db].env_prefix}_USER"       = "app""#), services)
        XCTAssertTrue(services.contains(#"valueFrom = "${aws_secretsmanager_secret.app_login[db].arn}:password::""#), services)
        XCTAssertFalse(services.contains(#"master_user_secret[0].secret_arn}:password"#), "a workload reads the master password")
        let partitions = try text("partitions.tf")
        XCTAssertTrue(partitions.contains(#"app_login[each.key].arn}:password::"#), partitions)
        XCTAssertFalse(partitions.contains("master_user_secret"), partitions)
        let roles = try text("database-roles.tf")
        XCTAssertTrue(roles.contains("master_user_secret[0].secret_arn}:password::"), roles)
        // The login's value is written once and kept nowhere by Terraform.
        XCTAssertTrue(roles.range(of: #"secret_string_wo\s+= jsonencode\(\{ username = "app", password = replace\("\$\{uuid\(\)\}\$\{uuid\(\)\}", "-", ""\) \}\)"#, options: .regularExpression) != nil, roles)
        XCTAssertFalse(roles.contains("secret_string "), roles)
        // The deploy keeps each database's role in step before any migration.
        let workflow = try XCTUnwrap(files[".github/workflows/marketplace-deploy.yml"]).text
        let roleStep = try XCTUnwrap(workflow.range(of: "Keep the application role of the db database in step"))
        let migration = try XCTUnwrap(workflow.range(of: "Migrate the db database"))
        XCTAssertLessThan(roleStep.lowerBound, migration.lowerBound)
    }

    /// Pooling on AWS is an RDS Proxy: a pooled database's workloads connect to it (and reach it
    /// alone), the proxy reads the application's login, and the migration goes to the primary.
    func testAPooledDatabaseIsReachedThroughItsProxy() throws {
        let files = try files()
        func text(_ name: String) throws -> String { try XCTUnwrap(files["\(folder)/\(name)"], name).text }
        let proxy = try text("proxy.tf")
        XCTAssertTrue(proxy.contains("settings.pooling ? aws_db_proxy.this[db].endpoint : aws_db_instance.primary[db].address"), proxy)
        XCTAssertTrue(proxy.range(of: #"secret_arn\s+= aws_secretsmanager_secret\.app_login\[each\.key\]\.arn"#, options: .regularExpression) != nil, proxy)
        XCTAssertTrue(proxy.range(of: #"require_tls\s+= true"#, options: .regularExpression) != nil, proxy)
        XCTAssertTrue(proxy.range(of: #"db_instance_identifier = aws_db_instance\.primary\[each\.key\]\.identifier"#, options: .regularExpression) != nil, proxy)
        XCTAssertTrue(try text("ecs.tf").contains(#""${var.databases[db].env_prefix}_HOST"       = local.database_endpoints[db]"#))
        XCTAssertTrue(try text("migrations.tf").contains(#""${settings.env_prefix}_HOST" = aws_db_instance.primary[db].address"#))
        let groups = try text("security-groups.tf")
        XCTAssertTrue(groups.contains("local.workload_proxies"), groups)
        XCTAssertTrue(groups.contains("workloads_to_database_proxies"), groups)
        XCTAssertTrue(groups.contains("database_proxies_to_databases"), groups)
        // The environments that pool say so: production and staging of the marketplace, not development.
        for (environment, pooled) in [("production", true), ("staging", true), ("development", false)] {
            let root = try XCTUnwrap(files["terraform/environments/\(environment)/main.tf"]).text
            XCTAssertTrue(root.range(of: #"pooling\s+= \#(pooled)"#, options: .regularExpression) != nil, "\(environment): \(root)")
        }
    }
}
