import StagecraftPlanner

/// Deploys an AWS environment: OIDC credentials, `terraform plan` saved and shown in the job
/// summary, `apply` of exactly that plan (in a job of its own, after a reviewer has read it,
/// where the environment needs approval), then a wait until every ECS service has rolled out.
///
/// The services run each image CI built by the digest its push reported (`TF_VAR_image_digests`).
///
/// Rollback: after a successful deploy the release (its commit and image digests) is recorded in
/// an SSM parameter; when a step fails, Terraform plans the recorded digests and applies that
/// plan (after review, likewise). Re-applying (rather than pointing ECS at the previous task
/// definition by hand) keeps the state and the running services in agreement, so the next
/// deploy plans against what really runs.
struct AWSDeploySteps {
    let target: DeployTarget
    let environment: EnvironmentPlan
    let plan: StackPlan

    static let roleSecret = "AWS_DEPLOY_ROLE_ARN"
    /// A role that can read the state and describe resources, and change nothing; trusted for pull requests.
    static let reviewRoleSecret = "AWS_PLAN_ROLE_ARN"

    private var root: String {
        let path = AWSRootModule.path(environment.name)
        let output = plan.pipeline.outputDirectory
        return output == "." || output.isEmpty ? path : "\(output.hasSuffix("/") ? String(output.dropLast()) : output)/\(path)"
    }

    private var cluster: String { values.name }
    /// `{"release": <commit>, "image_digests": {<repository>: <digest>}}` of the last successful deploy.
    private var releaseParameter: String { values.secretParameterPrefix + "deployed-release" }
    private var digests: ImageDigests { ImageDigests(plan.pipeline, environment: environment) }

    /// Checks the digests the deploy received and hands them to Terraform, by repository.
    private var imageDigestsInput: String {
        let map = digests.jqRepositoryMap
        return """
            \(digests.check)
            TF_VAR_image_digests="$(jq -cn \(map.arguments) \(FormatQuoting.shell(map.object)))"
            export TF_VAR_image_digests
            """
    }

    /// What every Terraform step sees: where the root module is and the inputs that are not in the repository.
    private var terraformEnvironment: [CIStep.Variable] { terraformEnvironment(secretSuffix: "") }

    /// A pull request reads repository secrets, so each environment's inputs carry its name.
    private var reviewSuffix: String { "_" + environment.name.uppercased().map { $0 == "-" ? "_" : $0 }.map(String.init).joined() }

    private func terraformEnvironment(secretSuffix: String) -> [CIStep.Variable] {
        var variables: [CIStep.Variable] = [
            CIStep.Variable("TF_ROOT", .text(root)),
            CIStep.Variable("TF_IN_AUTOMATION", .text("1")),
        ]
        // With a zone, Terraform issues the certificates itself.
        if environment.dnsZone == nil {
            variables.append(CIStep.Variable("TF_VAR_certificate_arn", .secret("AWS_CERTIFICATE_ARN" + secretSuffix)))
            if environment.cdn != nil { variables.append(CIStep.Variable("TF_VAR_cdn_certificate_arn", .secret("AWS_CDN_CERTIFICATE_ARN" + secretSuffix))) }
        }
        variables.append(CIStep.Variable("TF_VAR_log_bucket", .secret("AWS_LOG_BUCKET" + secretSuffix)))
        return variables
    }

    private func initialize(_ inputs: [CIStep.Variable], stateSecret: String) -> CIStep {
        CIStep("Terraform init", .run("""
            terraform -chdir="$TF_ROOT" init -input=false -backend-config="bucket=$TF_STATE_BUCKET"
            """), environment: inputs + [CIStep.Variable("TF_STATE_BUCKET", .secret(stateSecret))], preparesRunner: true)
    }

    private func summary(_ title: String, plan file: String = "tfplan", onFailureOnly: Bool = false) -> CIStep {
        CIStep("Show the plan in the job summary", .run("""
            {
              echo "### \(title)"
              echo '```'
              terraform -chdir="$TF_ROOT" show -no-color \(file)
              echo '```'
            } >> "${GITHUB_STEP_SUMMARY:-/dev/stdout}"
            """), environment: [CIStep.Variable("TF_ROOT", .text(root))], onFailureOnly: onFailureOnly)
    }

    /// On a pull request: the plan against what runs now (the images of the last deploy),
    /// without taking the state lock, shown in the job summary. Nothing is applied.
    var reviewSteps: [CIStep] {
        let inputs = terraformEnvironment(secretSuffix: reviewSuffix)
        return [
            CIStep("Configure read-only AWS credentials", .awsCredentials(roleSecret: Self.reviewRoleSecret, region: environment.region)),
            CIStep("Install Terraform", .installTerraform(version: Terraform.version)),
            initialize(inputs, stateSecret: "TF_STATE_BUCKET" + reviewSuffix),
            CIStep("Terraform plan", .run("""
                deployed="$(aws ssm get-parameter --name "$RELEASE_PARAMETER" --query Parameter.Value --output text 2>/dev/null || true)"
                if [ -z "$deployed" ] || [ "$deployed" = "None" ]; then
                  # Nothing deployed yet: the services are planned with a placeholder digest.
                  TF_VAR_image_digests=\(FormatQuoting.shell(placeholderDigests))
                else
                  TF_VAR_image_digests="$(jq -c .image_digests <<< "$deployed")"
                fi
                export TF_VAR_image_digests
                terraform -chdir="$TF_ROOT" plan -input=false -lock=false -out=tfplan
                """), environment: inputs + [releaseVariable]),
            summary("What deploying \(environment.name) would change"),
        ]
    }

    /// Done only when each service's PRIMARY deployment runs the task definition Terraform just
    /// applied and its rollout is COMPLETED. `aws ecs wait services-stable` also succeeds after the
    /// deployment circuit breaker has rolled back to the previous task definition, which would
    /// then be recorded as this release. 30 minutes at most per service.
    private var waitForServices: String {
        let services = environment.workloads.map { FormatQuoting.shell($0.name) }.joined(separator: " ")
        return """
            definitions="$(terraform -chdir="$TF_ROOT" output -json service_task_definitions)"
            for service in \(services); do
              expected="$(jq -r --arg service "$service" '.[$service]' <<< "$definitions")"
              echo "Waiting for $service to roll out $expected"
              state=""
              for _ in $(seq 120); do
                deployment="$(aws ecs describe-services --cluster "$CLUSTER" --services "$service" \\
                  --query "services[0].deployments[?status=='PRIMARY'] | [0].[rolloutState, taskDefinition]" --output text)"
                read -r state running <<< "$deployment"
                if [ "$running" != "$expected" ]; then
                  echo "ECS rolled $service back to $running (its circuit breaker): the release's tasks did not become healthy." >&2
                  exit 1
                fi
                case "$state" in
                  COMPLETED) break ;;
                  FAILED) echo "The rollout of $service failed." >&2; exit 1 ;;
                esac
                sleep 15
              done
              if [ "$state" != COMPLETED ]; then
                echo "The rollout of $service is still $state after 30 minutes." >&2
                exit 1
              fi
            done
            """
    }

    /// What the deploy applies before the services change: the secret parameters (placeholders
    /// on a first deploy), each cache's password and user, the one-off tasks of the release (each
    /// database's roles task, the migration tasks) and the cluster they run in.
    private var preparedTargets: [String] {
        let module = "module.\(Terraform.identifier(plan.stack))"
        var targets: [String] = []
        if !values.secretParameters.isEmpty { targets.append("\(module).aws_ssm_parameter.secrets") }
        if !values.registriesNeedingCredentials.isEmpty { targets.append("\(module).aws_secretsmanager_secret.registry") }
        if !environment.caches.isEmpty {
            targets += ["\(module).aws_elasticache_user.default", "\(module).aws_secretsmanager_secret_version.cache_password"]
        }
        if !environment.databases.isEmpty {
            targets += ["\(module).aws_ecs_task_definition.database_roles"] + (migrated.isEmpty ? [] : ["\(module).aws_ecs_task_definition.migrations"])
                + ["\(module).aws_ecs_cluster.this"]
        }
        return targets
    }

    private var values: AWSEnvironmentValues { AWSEnvironmentValues(environment: environment, stack: plan.stack) }

    private var migrated: [DatabasePlan] { environment.databases.filter { $0.migrations != nil } }

    /// Before the services change: what the release needs made first (a targeted apply, which
    /// on a first deploy also creates the network, the databases and the cluster); a check that
    /// every secret parameter has been given its value; each cache's password set on its user;
    /// then, for each database, the task that keeps its application role in step with its secret,
    /// and its migration, each run once and awaited. A step that fails stops the deploy with the
    /// previous release serving.
    private var preparationSteps: [CIStep] {
        let targets = preparedTargets
        guard !targets.isEmpty else { return [] }
        var steps = [CIStep("Prepare the release", .run("""
            # Only what the release needs first changes here (on a first deploy: the network, the
            # databases, the cluster too); the services change after the migrations.
            \(imageDigestsInput)
            terraform -chdir="$TF_ROOT" apply -input=false -auto-approve \(targets.map { "-target=" + FormatQuoting.shell($0) }.joined(separator: " "))
            """), environment: terraformEnvironment + digests.variables)]
        if !values.secretParameters.isEmpty { steps.append(secretParameterCheck) }
        if !values.registriesNeedingCredentials.isEmpty { steps.append(registryLoginCheck) }
        for cache in environment.caches { steps.append(cachePassword(cache)) }
        for database in environment.databases {
            steps.append(CIStep("Keep the application role of the \(database.name) database in step", .run(runOnce(
                database: database.name, definitions: "database_role_tasks", networks: "database_role_networks", container: "psql",
                doing: "Updating the application role of", failed: "The roles task of", logs: "stream database_roles/ of the /\(self.cluster)/database-roles/\(database.name) log group"
            )), environment: [CIStep.Variable("TF_ROOT", .text(root)), clusterVariable]))
            guard let migrations = database.migrations else { continue }
            steps.append(CIStep("Migrate the \(database.name) database", .run(runOnce(
                database: database.name, definitions: "migration_task_definitions", networks: "migration_networks", container: "migrate",
                doing: "Migrating", failed: "The migration of", logs: "streams migrate-migrate/ and migrate-lock/ of the \(migrations.workload) log group"
            )), environment: [CIStep.Variable("TF_ROOT", .text(root)), clusterVariable]))
        }
        return steps
    }

    /// Stops the deploy, naming each parameter that still holds Terraform's placeholder and how to
    /// set it; no value is printed (the comparison happens in the AWS CLI's query).
    private var secretParameterCheck: CIStep {
        let names = values.secretParameters.map { FormatQuoting.shell(values.secretParameterPrefix + $0) }.joined(separator: " ")
        return CIStep("Check that every secret parameter is set", .run("""
            unset_parameters=""
            for name in \(names); do
              if [ "$(aws ssm get-parameter --with-decryption --name "$name" --query "Parameter.Value == '$PLACEHOLDER'" --output text)" != False ]; then
                unset_parameters="$unset_parameters $name"
              fi
            done
            if [ -n "$unset_parameters" ]; then
              echo "These parameters are not set yet (they hold Terraform's placeholder, or cannot be read); nothing was rolled out:" >&2
              for name in $unset_parameters; do
                echo "  aws ssm put-parameter --overwrite --type SecureString --name $name --value '…'" >&2
              done
              echo "Set each, then run the deploy again." >&2
              exit 1
            fi
            """), environment: [CIStep.Variable("PLACEHOLDER", .text(AWSSecretParameters.placeholder))])
    }

    /// Stops the deploy while the registry login ECS pulls the images with has no value: its
    /// tasks could not start. Only whether a current version exists is read, never the value.
    private var registryLoginCheck: CIStep {
        let registries = values.registriesNeedingCredentials.joined(separator: ", ")
        return CIStep("Check that the registry login is set", .run("""
            secret="$(terraform -chdir="$TF_ROOT" output -raw registry_credentials_secret)"
            stages="$(aws secretsmanager describe-secret --secret-id "$secret" --query 'VersionIdsToStages' --output text)"
            if ! grep -qw AWSCURRENT <<< "$stages"; then
              login='{"username": "…", "password": "…"}'
              echo "ECS pulls the images from \(registries) with the login in $secret, which has no value yet; nothing was rolled out." >&2
              echo "Put a login that may read the images (a token with read:packages on ghcr.io), then run the deploy again:" >&2
              echo "  aws secretsmanager put-secret-value --secret-id $secret --secret-string '$login'" >&2
              exit 1
            fi
            """), environment: [CIStep.Variable("TF_ROOT", .text(root))])
    }

    /// Gives a cache's default user its password (from the secret Terraform filled) and switches
    /// it on, once: a user that has a password already is left as it is. The password goes from
    /// one AWS CLI call to the next through a pipe, never through a variable or an argument.
    private func cachePassword(_ cache: CachePlan) -> CIStep {
        let name = FormatQuoting.shell(cache.name)
        return CIStep("Set the password of the \(cache.name) cache", .run("""
            user="$(terraform -chdir="$TF_ROOT" output -json cache_users | jq -r --arg cache \(name) '.[$cache]')"
            secret="$(terraform -chdir="$TF_ROOT" output -json cache_password_secrets | jq -r --arg cache \(name) '.[$cache]')"
            if [ "$(aws elasticache describe-users --user-id "$user" --query 'Users[0].Authentication.Type' --output text)" = password ]; then
              echo "The \(cache.name) cache's user $user has its password."
              exit 0
            fi
            aws secretsmanager get-secret-value --secret-id "$secret" --query SecretString --output json \\
              | jq --arg user "$user" '{UserId: $user, AccessString: "on ~* +@all", AuthenticationMode: {Type: "password", Passwords: [.]}}' \\
              | aws elasticache modify-user --cli-input-json file:///dev/stdin > /dev/null
            for _ in $(seq 60); do
              status="$(aws elasticache describe-users --user-id "$user" --query 'Users[0].Status' --output text)"
              if [ "$status" = active ]; then
                echo "The \(cache.name) cache's user $user has its password."
                exit 0
              fi
              sleep 10
            done
            echo "The \(cache.name) cache's user $user is still $status after 10 minutes: nothing was rolled out." >&2
            exit 1
            """), environment: [CIStep.Variable("TF_ROOT", .text(root))])
    }

    /// Runs the task a Terraform output names for `database` once, waits for it (an hour at
    /// most), and fails unless `container` exited 0.
    private func runOnce(database: String, definitions: String, networks: String, container: String,
                         doing: String, failed: String, logs: String) -> String {
        let name = FormatQuoting.shell(database)
        return """
            task_definition="$(terraform -chdir="$TF_ROOT" output -json \(definitions) | jq -r --arg db \(name) '.[$db]')"
            network="$(terraform -chdir="$TF_ROOT" output -json \(networks) | jq -c --arg db \(name) '.[$db]')"
            task="$(aws ecs run-task --cluster "$CLUSTER" --launch-type FARGATE --task-definition "$task_definition" \\
              --network-configuration "$network" --started-by stagecraft-deploy --query 'tasks[0].taskArn' --output text)"
            if [ -z "$task" ] || [ "$task" = None ]; then
              echo "\(failed) \(database) did not start: nothing was rolled out." >&2
              exit 1
            fi
            echo "\(doing) \(database): $task"
            # Each wait gives up after 10 minutes; the task has an hour, then it is stopped.
            for _ in 1 2 3 4 5 6; do
              if aws ecs wait tasks-stopped --cluster "$CLUSTER" --tasks "$task"; then break; fi
              echo "\(doing) \(database): still running"
            done
            if [ "$(aws ecs describe-tasks --cluster "$CLUSTER" --tasks "$task" --query 'tasks[0].lastStatus' --output text)" != STOPPED ]; then
              aws ecs stop-task --cluster "$CLUSTER" --task "$task" --reason "Ran past an hour" > /dev/null
              aws ecs wait tasks-stopped --cluster "$CLUSTER" --tasks "$task" || true
            fi
            exit_code="$(aws ecs describe-tasks --cluster "$CLUSTER" --tasks "$task" \\
              --query "tasks[0].containers[?name=='\(container)'].exitCode | [0]" --output text)"
            if [ "$exit_code" != 0 ]; then
              reason="$(aws ecs describe-tasks --cluster "$CLUSTER" --tasks "$task" --query 'tasks[0].stoppedReason' --output text)"
              echo "\(failed) \(database) failed (exit code $exit_code, $reason): nothing was rolled out." >&2
              echo "Its output is in CloudWatch Logs, \(logs)." >&2
              exit 1
            fi
            """
    }

    /// One job where nobody approves; where a reviewer does (production), three, so that what
    /// is approved is the plan that is applied:
    /// 1. after approval of the release: what it needs first, its migrations, and its plan,
    ///    saved with the provider lock it was made with and shown in the job summary;
    /// 2. after approval of that plan: exactly it applied (Terraform refuses a plan whose state
    ///    has changed since), the services awaited, the release recorded; if this fails, the plan
    ///    of the rollback to the recorded release, saved and shown;
    /// 3. after approval of that rollback plan: exactly it applied, the services awaited.
    /// A rollback is needed only after the second job: before it, no service has changed.
    var phases: [DeployPhase] {
        guard target.requiresApproval else { return [DeployPhase(steps: steps)] }
        let planFiles = ["tfplan", ".terraform.lock.hcl"].map { "\(root)/\($0)" }
        let rollbackFiles = ["rollback.tfplan", ".terraform.lock.hcl"].map { "\(root)/\($0)" }
        let release = throughThePlan + [
            summary("Terraform plan for \(environment.name): approve the next job to apply exactly this"),
            CIStep("Keep the plan for its review", .saveFiles(artifact: "\(environment.name)-plan", paths: planFiles)),
        ]
        let apply = runnerPreparation + [
            CIStep("Get the reviewed plan", .restoreFiles(artifact: "\(environment.name)-plan", directory: root)),
            initializeDeploy,
            applySaved("tfplan", name: "Apply the reviewed plan"),
            waitStep,
            recordRelease,
            CIStep("Plan the rollback to the previous release", .run(rollbackPlanScript), environment: terraformEnvironment + [releaseVariable], onFailureOnly: true),
            summary("Rollback plan for \(environment.name): approve the next job to apply exactly this", plan: "rollback.tfplan", onFailureOnly: true),
            CIStep("Keep the rollback plan for its review", .saveFiles(artifact: "\(environment.name)-rollback-plan", paths: rollbackFiles), onFailureOnly: true),
        ]
        let rollback = runnerPreparation + [
            CIStep("Get the reviewed rollback plan", .restoreFiles(artifact: "\(environment.name)-rollback-plan", directory: root)),
            initializeDeploy,
            applySaved("rollback.tfplan", name: "Apply the reviewed rollback plan"),
            waitStep,
        ]
        return [
            DeployPhase(steps: release),
            DeployPhase(suffix: "-apply", name: "apply the reviewed plan", steps: apply),
            DeployPhase(suffix: "-rollback", name: "roll back by the reviewed plan", steps: rollback, afterFailure: true),
        ]
    }

    private var releaseVariable: CIStep.Variable { CIStep.Variable("RELEASE_PARAMETER", .text(releaseParameter)) }
    private var clusterVariable: CIStep.Variable { CIStep.Variable("CLUSTER", .text(cluster)) }

    private var initializeDeploy: CIStep { initialize(terraformEnvironment, stateSecret: "TF_STATE_BUCKET") }

    /// Credentials and tools, what the release needs first and its migrations, then its plan, saved as `tfplan`.
    private var throughThePlan: [CIStep] {
        runnerPreparation + [initializeDeploy] + preparationSteps + [planRelease]
    }

    private var runnerPreparation: [CIStep] {
        [
            CIStep("Configure AWS credentials", .awsCredentials(roleSecret: Self.roleSecret, region: environment.region)),
            CIStep("Install Terraform", .installTerraform(version: Terraform.version)),
        ]
    }

    private var planRelease: CIStep {
        CIStep("Terraform plan", .run("""
            \(imageDigestsInput)
            terraform -chdir="$TF_ROOT" plan -input=false -out=tfplan
            """), environment: terraformEnvironment + digests.variables)
    }

    private func applySaved(_ file: String, name: String) -> CIStep {
        CIStep(name, .run("""
            terraform -chdir="$TF_ROOT" apply -input=false \(file)
            """), environment: terraformEnvironment)
    }

    private var waitStep: CIStep {
        CIStep("Wait for the ECS services", .run(waitForServices), environment: [CIStep.Variable("TF_ROOT", .text(root)), clusterVariable])
    }

    private var recordRelease: CIStep {
        CIStep("Record the deployed release", .run("""
            \(imageDigestsInput)
            release="$(jq -c --arg release "$IMAGE_TAG" '{release: $release, image_digests: .}' <<< "$TF_VAR_image_digests")"
            aws ssm put-parameter --name "$RELEASE_PARAMETER" --type String --overwrite --value "$release" > /dev/null
            echo "Recorded $release"
            """), environment: [releaseVariable, CIStep.Variable("IMAGE_TAG", .imageTag)] + digests.variables, recordsRelease: true)
    }

    /// Each repository with an all-zero digest: the plan of an environment nothing was deployed to yet.
    private var placeholderDigests: String {
        "{" + digests.images.map { "\"\($0.repository)\":\"sha256:\(String(repeating: "0", count: 64))\"" }.joined(separator: ",") + "}"
    }

    /// Plans the images of the last successful deploy back, saved as `rollback.tfplan`.
    private var rollbackPlanScript: String {
        """
        previous="$(aws ssm get-parameter --name "$RELEASE_PARAMETER" --query Parameter.Value --output text 2>/dev/null || true)"
        if [ -z "$previous" ] || [ "$previous" = "None" ]; then
          echo "No earlier deploy is recorded in $RELEASE_PARAMETER: nothing to roll back to." >&2
          exit 1
        fi
        echo "Planning the rollback to $(jq -r .release <<< "$previous")"
        TF_VAR_image_digests="$(jq -c .image_digests <<< "$previous")"
        export TF_VAR_image_digests
        terraform -chdir="$TF_ROOT" plan -input=false -out=rollback.tfplan
        """
    }

    /// The whole deploy in one job, for an environment nobody approves: the rollback is planned
    /// and that plan applied, as a reviewed one would be.
    var steps: [CIStep] {
        throughThePlan + [
            summary("Terraform plan for \(environment.name)"),
            applySaved("tfplan", name: "Terraform apply"),
            waitStep,
            recordRelease,
            CIStep("Roll back to the previous release", .run("""
                \(rollbackPlanScript)
                terraform -chdir="$TF_ROOT" apply -input=false rollback.tfplan
                \(waitForServices)
                """), environment: terraformEnvironment + [releaseVariable, clusterVariable], onFailureOnly: true),
        ]
    }
}
