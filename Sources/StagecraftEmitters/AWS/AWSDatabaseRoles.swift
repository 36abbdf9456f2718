import StagecraftOutput
import StagecraftPlanner

/// database-roles.tf: the application's own role in each database, apart from the master user.
/// Its login is a Secrets Manager secret (`{"username", "password"}`, the shape RDS Proxy
/// reads) whose value Terraform writes once and never keeps: a write-only argument, so the
/// password is in neither the plan nor the state. A Fargate task the deploy runs before the
/// migrations (psql from the official image, as the master user) creates the role and sets its
/// password from that secret, so rotating the secret and deploying rotates the role.
enum AWSDatabaseRoles {
    static let folder = "database-roles"
    static let scriptFile = "roles.sh"
    /// The role the workloads log in as, in every database, as on the other platforms.
    static let applicationRole = "app"
    /// The master user, which only the deploy's one-off tasks use.
    static let masterUser = "postgres"

    /// The script, the same for every database and environment.
    static func scripts(_ plan: StackPlan, moduleFolder: String, templates: TemplateLibrary) throws -> [GeneratedFile] {
        guard plan.environments.contains(where: { $0.platform == .aws && !$0.databases.isEmpty }) else { return [] }
        return [try GeneratedFile(path: "\(moduleFolder)/\(folder)/\(scriptFile)", text: try templates.render("aws/database-roles.sh", [:]),
                                  executable: true, commentStyle: .hash)]
    }

    static var file: HCLFile {
        HCLFile {
            comment("""
                How the workloads log in: a random password Terraform writes once and keeps no copy of. To
                rotate it, put a new value of the same shape in the secret and deploy a release: the roles
                task sets it on the role, and the release's tasks read it when they start.
                """)
            AWSGeneratedSecret.blocks("app_login", forEach: "var.databases", namePrefix: "\"${var.name}-${each.key}-app-login-\"",
                                      description: "\"How the workloads log in to the ${each.key} database (RDS Proxy reads it too)\"",
                                      value: "jsonencode({ username = \"\(applicationRole)\", password = \(AWSGeneratedSecret.random) })")
            AWSLogGroup.block("database_roles", attr("for_each", .ref("var.databases")), name: "\"/${var.name}/database-roles/${each.key}\"")
            task
        }
    }

    /// The roles task, which the deploy's targeted apply registers with what it needs.
    private static var task: HCLBlock {
        var task = AWSPsqlTask.definition(
            "database_roles", instances: "var.databases", family: "\"${var.name}-${each.key}-roles\"", reads: "the two logins",
            command: .ref("file(\"${path.module}/\(folder)/\(scriptFile)\")"),
            environment: AWSPsqlTask.primary(user: .ref("aws_db_instance.primary[each.key].username")) + [("APP_ROLE", .string(applicationRole))],
            secrets: [
                ("PGPASSWORD", .ref("\"${aws_db_instance.primary[each.key].master_user_secret[0].secret_arn}:password::\"")),
                ("APP_PASSWORD", .ref("\"${aws_secretsmanager_secret.app_login[each.key].arn}:password::\"")),
            ]
        )
        task.body += [.blank] + comment("""
            The login's value and the task's paths: the deploy's targeted apply of this task makes
            them too, on a first deploy before anything else exists.
            """) + [.attribute(attr("depends_on", [
                .ref("aws_secretsmanager_secret_version.app_login"),
                .ref("aws_vpc_security_group_egress_rule.database_roles_https"),
                .ref("aws_vpc_security_group_egress_rule.database_roles_to_databases"),
                .ref("aws_vpc_security_group_ingress_rule.databases_from_database_roles"),
            ]))]
        return task
    }
}
