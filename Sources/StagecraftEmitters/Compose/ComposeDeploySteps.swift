import StagecraftPlanner

/// How a compose environment is deployed from CI: over SSH to its host, a release folder
/// at a time. The new folder is unpacked beside the running one and switched in, its databases
/// are started and migrated, and then its containers roll out; when anything fails after the
/// switch, the previous folder comes back, and with its .env the previous images' digests.
struct ComposeDeploySteps {
    let layout: ComposeLayout
    let outputDirectory: String
    let digests: ImageDigests

    /// The SSH host alias the first step configures and the others use.
    var sshHost: String { "stagecraft-\(layout.environment.name)" }
    var current: String { layout.hostDirectory }
    var next: String { "\(layout.hostDirectory).next" }
    var previous: String { layout.previousHostDirectory }
    /// Present on the host from the switch to a successful start: what rollback undoes.
    var marker: String { "\(layout.hostDirectory)/.rollout-in-progress" }

    static let hostSecret = "DEPLOY_HOST"
    static let userSecret = "DEPLOY_USER"
    static let keySecret = "DEPLOY_SSH_KEY"
    static let knownHostsSecret = "DEPLOY_KNOWN_HOSTS"

    var steps: [CIStep] {
        [connect, copy, writeSecrets, start] + migrations + [rollOut, record, rollback]
    }

    private var sourceFolder: String {
        outputDirectory == "." || outputDirectory.isEmpty ? layout.folder : "\(outputDirectory)/\(layout.folder)"
    }

    private var connect: CIStep {
        CIStep("Set up SSH to the \(layout.environment.name) host", .run("""
            set -euo pipefail
            umask 077
            mkdir -p "$HOME/.ssh"
            printf '%s\\n' "$DEPLOY_SSH_KEY" > "$HOME/.ssh/\(sshHost).key"
            # The host's key comes from a secret too: the connection is refused if it does not match.
            printf '%s\\n' "$DEPLOY_KNOWN_HOSTS" > "$HOME/.ssh/\(sshHost).known_hosts"
            {
              echo "Host \(sshHost)"
              echo "  HostName $DEPLOY_HOST"
              echo "  User $DEPLOY_USER"
              echo "  IdentityFile ~/.ssh/\(sshHost).key"
              echo "  IdentitiesOnly yes"
              echo "  UserKnownHostsFile ~/.ssh/\(sshHost).known_hosts"
              echo "  StrictHostKeyChecking yes"
              echo "  BatchMode yes"
              echo "  ConnectTimeout 20"
              echo "  ServerAliveInterval 15"
            } >> "$HOME/.ssh/config"
            """), environment: [
                .init("DEPLOY_HOST", .secret(Self.hostSecret)),
                .init("DEPLOY_USER", .secret(Self.userSecret)),
                .init("DEPLOY_SSH_KEY", .secret(Self.keySecret)),
                .init("DEPLOY_KNOWN_HOSTS", .secret(Self.knownHostsSecret)),
            ], preparesRunner: true)
    }

    private var copy: CIStep {
        let prepare = "set -eu; rm -rf \(next); mkdir -p \(next)"
        return CIStep("Copy \(layout.folder) to the host", .run("""
            set -euo pipefail
            ssh \(sshHost) \(FormatQuoting.shell(prepare))
            tar -C \(FormatQuoting.shell(sourceFolder)) -czf - . | ssh \(sshHost) \(FormatQuoting.shell("tar -C \(next) -xzf -"))
            """))
    }

    /// One env file per container that needs secrets, each value from a CI secret.
    private var secretFiles: [(service: String, entries: [(variable: String, secret: String)])] {
        let environment = layout.environment
        var files = environment.workloads.map { workload in
            var entries = workload.secrets.map { ($0.name, $0.name) }
            // Its buckets (storage/ makes them): their names, and its own IAM user's key.
            if !workload.buckets.isEmpty {
                entries += workload.buckets.map { (ComposeStorageRoot.bucketSecret($0), ComposeStorageRoot.bucketSecret($0)) }
                let key = ComposeStorageRoot.keySecrets(workload.name)
                entries += [("AWS_ACCESS_KEY_ID", key.id), ("AWS_SECRET_ACCESS_KEY", key.secret)]
            }
            return (workload.name, entries)
        }
        let metrics = environment.monitoring.metrics
        for database in environment.databases.map(ComposeDatabase.init) {
            // The exporters' role (roles.sh makes it, PgBouncer lets it read statistics).
            let exporters = metrics ? [("METRICS_PASSWORD", ComposeMonitoring.metricsPasswordSecret(database.plan))] : []
            files.append((database.service, database.containerSecrets + exporters))
            if database.plan.pooling { files.append((database.pooler, [("AUTH_PASSWORD", database.plan.passwordSecret)] + exporters)) }
        }
        for cache in environment.caches {
            files.append((cache.name, [("REDIS_PASSWORD", cache.passwordSecret)]))
        }
        if let verification = environment.cdn?.originVerification, environment.loadBalancer != nil, !environment.services.isEmpty {
            files.append((ComposeLayout.nginxService, [(verification.secret, verification.secret)]))
        }
        return files + ComposeMonitoring(layout: layout).secretFiles
    }

    private var writeSecrets: CIStep {
        var script = """
            set -euo pipefail
            # A line of a Compose env file: single-quoted (literal) when it can be, otherwise
            # double-quoted with escapes and '$' doubled.
            env_line() {
              local value="$2"
              if [[ "$value" != *"'"* && "$value" != *$'\\n'* && "$value" != *$'\\r'* ]]; then
                printf "%s='%s'\\n" "$1" "$value"
                return
              fi
              value="${value//\\\\/\\\\\\\\}"
              value="${value//\\"/\\\\\\"}"
              value="${value//$'\\n'/\\\\n}"
              value="${value//$'\\r'/\\\\r}"
              value="${value//$'\\t'/\\\\t}"
              value="${value//\\$/\\$\\$}"
              printf '%s="%s"\\n' "$1" "$value"
            }

            """
        var secrets: [String] = []
        for file in secretFiles {
            let target = "\(next)/\(ComposeLayout.secretsFile(file.service))"
            let receive = FormatQuoting.shell("umask 077 && mkdir -p \(next)/secrets && cat > \(target)")
            guard !file.entries.isEmpty else {
                // Compose needs the file even when the service has no secrets.
                script += "ssh \(sshHost) \(receive) < /dev/null\n"
                continue
            }
            script += "{\n"
            for entry in file.entries {
                script += "  env_line \(entry.variable) \"${\(entry.secret):?the \(entry.secret) secret is not set for \(layout.environment.name)}\"\n"
                if !secrets.contains(entry.secret) { secrets.append(entry.secret) }
            }
            script += "} | ssh \(sshHost) \(receive)\n"
        }
        return CIStep("Write the secrets to the host", .run(script), environment: secrets.map { .init($0, .secret($0)) })
    }

    /// The release switched in, its images pulled and built, and its databases started: no
    /// app container is replaced yet.
    private var start: CIStep {
        let environment = layout.environment
        // The folder Compose runs from never moves: containers bind-mount files from it, and only
        // a file overwritten in place (cp keeps its inode) is what a running container then sees.
        // The previous release is kept as a copy, for rollback.
        var remote = """
            set -euo pipefail
            mkdir -p \(current)
            rm -rf \(previous)
            cp -a \(current) \(previous)
            touch \(marker)
            cp -a \(next)/. \(current)/
            rm -rf \(next)
            cd \(current)
            # Compose reads .env: the crontab and anyone on the host address this release too.
            {
              printf 'IMAGE_TAG=%s\\n' "$IMAGE_TAG"
            \(digestLines)
            \(hostSettings.map { "  if [ -n \"$\($0.name)\" ]; then printf '\($0.name)=%s\\n' \"$\($0.name)\"; fi" }.joined(separator: "\n"))
            } > .env
            docker compose pull --quiet --ignore-buildable
            docker compose build --pull

            """
        if environment.monitoring.metrics {
            remote += "# node_exporter reads the cron jobs' outcomes here: made by the deploy user, not by the engine as root.\n"
            remote += "mkdir -p \(ComposeMonitoring.textfileDirectory)\n"
        }
        for database in environment.databases.map(ComposeDatabase.init) {
            var reasons = ["the apps log in with the passwords its roles script sets"]
            if database.plan.migrations != nil { reasons.append("the release migrates it") }
            if database.plan.readReplicas > 0 { reasons.append("standbys clone it") }
            if database.plan.backups != nil { reasons.append("backups need its stanza") }
            let because = reasons.count == 1 ? reasons[0] : reasons.dropLast().joined(separator: ", ") + " and " + reasons[reasons.count - 1]
            remote += "# \(database.service) first: \(because).\n"
            remote += "docker compose up --detach --wait --wait-timeout 300 \(database.service)\n"
            remote += "docker compose exec -T \(database.service) bash \(ComposeLayout.rolesScriptMount)\n"
            if database.plan.backups != nil {
                remote += "docker compose exec -T --user postgres \(database.service) pgbackrest --stanza=\(database.stanza) stanza-create\n"
                remote += "docker compose exec -T --user postgres \(database.service) pgbackrest --stanza=\(database.stanza) check\n"
            }
        }
        return CIStep("Switch \(layout.environment.name) to the release and start its databases", .run("""
            set -euo pipefail
            if [[ ! "$IMAGE_TAG" =~ ^[A-Za-z0-9_.-]+$ ]]; then
              echo "IMAGE_TAG is not an image tag: $IMAGE_TAG" >&2
              exit 1
            fi
            \(digests.check)
            \(hostSettings.map(\.check).joined(separator: "\n"))
            # The remote script reads the settings from its first lines; the rest is sent as written.
            {
              printf 'IMAGE_TAG=%s\\n' "$IMAGE_TAG"
            \(digestLines)
            \(hostSettings.map { "  printf '\($0.name)=%s\\n' \"$\($0.name)\"" }.joined(separator: "\n"))
              cat <<'REMOTE'
            \(remote)REMOTE
            } | ssh \(sshHost) 'bash -s'
            """), environment: digests.variables + hostSettings.map { .init($0.name, .setting($0.name)) })
    }

    /// The lines of the images' digests in .env, as the remote script and .env take them.
    private var digestLines: String {
        digests.images.map { "  printf '\($0.digestVariable)=%s\\n' \"$\($0.digestVariable)\"" }.joined(separator: "\n")
    }

    /// Each migrated database, in a one-off container of the new release under the database's
    /// advisory lock: a failure stops the deploy before any app container is replaced.
    private var migrations: [CIStep] {
        MigrationFiles(layout: layout).databases.map { database, _ in
            CIStep("Migrate the \(database.plan.name) database", .run(onHost("bash \(MigrationFiles.script(database.plan)) < /dev/null\n")))
        }
    }

    /// The app containers replaced without a gap, the rest of the project brought to the
    /// release, and the release recorded as deployed.
    private var rollOut: CIStep {
        let environment = layout.environment
        var remote = ""
        let rollouts = environment.services.filter { $0.port != nil && environment.loadBalancer != nil }
        if !rollouts.isEmpty {
            remote += rolloutFunction
            for service in rollouts {
                remote += "rollout \(service.name) \(service.scaling.min) \(environment.loadBalancer!.drainSeconds)\n"
            }
        }
        remote += "# Returns once every container with a health check reports healthy, or fails.\n"
        remote += "docker compose up --detach --remove-orphans --wait --wait-timeout 600\n"
        remote += reloads(comparedWith: previous)
        if layout.certificateDomain != nil {
            remote += "# The origin's certificate: obtained on the first deploy (nginx answers the challenge), then renewed by the crontab.\n"
            remote += "docker compose run --rm --no-deps \(ComposeLayout.acmeService)\n"
        }
        if hasSchedule { remote += "crontab \(ScheduleFiles.crontab)\n" }
        return CIStep("Roll out \(layout.environment.name) and wait until healthy", .run(onHost(remote)))
    }

    /// The release recorded as the one a later deploy's rollback returns to; until then a
    /// failure (of a step the stack adds, say) rolls this one back.
    private var record: CIStep {
        CIStep("Record the release as deployed", .run(onHost("""
            printf '%s\\n' "$(sed -n 's/^IMAGE_TAG=//p' .env)" > .deployed-tag
            rm -f \(marker)

            """)), recordsRelease: true)
    }

    /// A script run on the host in the release folder, which Compose's .env ties to the release's images.
    private func onHost(_ remote: String) -> String {
        """
        set -euo pipefail
        ssh \(sshHost) 'bash -s' <<'REMOTE'
        set -euo pipefail
        cd \(current)
        \(remote)REMOTE
        """
    }

    /// A CI setting (a GitHub environment variable or GitLab CI/CD variable) the deploy hands
    /// to Compose through `.env`, checked against what it may contain before it leaves CI.
    struct HostSetting {
        let name: String
        /// A bash regular expression the whole value must match when it is set.
        let pattern: String
        let meaning: String

        var check: String {
            """
            \(name)="${\(name):-}"
            if [[ -n "$\(name)" && ! "$\(name)" =~ \(pattern) ]]; then
              echo "\(name) is not \(meaning): $\(name)" >&2
              exit 1
            fi
            """
        }
    }

    /// The settings compose.yaml reads, each with a default for when it is unset.
    var hostSettings: [HostSetting] {
        // The ACME CA: Let's Encrypt when unset; its staging directory, say, to rehearse.
        var settings = [HostSetting(name: "ACME_DIRECTORY", pattern: "^https://[A-Za-z0-9.:/_-]+$", meaning: "an https URL")]
        if layout.backupCopyRegion != nil {
            // Another S3-compatible store than AWS's for the backups' copy.
            settings += [
                HostSetting(name: ComposeLayout.backupCopyEndpoint, pattern: "^[A-Za-z0-9.-]+$", meaning: "a host name"),
                HostSetting(name: ComposeLayout.backupCopyPort, pattern: "^[0-9]+$", meaning: "a port number"),
                HostSetting(name: ComposeLayout.backupCopyURIStyle, pattern: "^(host|path)$", meaning: "host or path"),
            ]
        }
        return settings
    }

    private var hasSchedule: Bool {
        layout.certificateDomain != nil || layout.environment.databases.contains { $0.backups != nil }
    }

    /// Replaces a service's replicas without a gap: the new ones start beside the old ones, and
    /// the old ones stop (finishing the requests they hold) once every new one is healthy and
    /// nginx has looked the service up again. New replicas that fail their health check are
    /// removed, the old ones keep serving, and the deploy fails (and rolls back).
    private var rolloutFunction: String {
        """
        rollout() {
          local service="$1" replicas="$2" grace="$3" old new id state waiting=1
          old="$(docker compose ps --quiet "$service")"
          if [ -z "$old" ]; then
            return 0
          fi
          docker compose up --detach --no-deps --no-recreate --scale "$service=$((replicas * 2))" "$service"
          new="$(docker compose ps --quiet "$service" | grep -vxF "$old" || true)"
          for _ in $(seq 1 120); do
            waiting=0
            for id in $new; do
              state="$(docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$id")"
              case "$state" in
                healthy|running) ;;
                starting|created) waiting=1 ;;
                *)
                  echo "$service: a new replica is $state; the previous ones keep serving" >&2
                  docker rm --force $new >/dev/null
                  return 1 ;;
              esac
            done
            if [ "$waiting" -eq 0 ]; then break; fi
            sleep 5
          done
          if [ "$waiting" -ne 0 ]; then
            echo "$service: the new replicas were not healthy within 10 minutes" >&2
            docker rm --force $new >/dev/null
            return 1
          fi
          sleep \(ComposeLayout.upstreamTTLSeconds + 1)
          docker stop --time "$grace" $old >/dev/null
          docker rm $old >/dev/null
        }

        """
    }

    /// Containers whose configuration is a mounted file and did not change definition are not
    /// recreated by `up`: they are told to read their files again. `other` is the release the
    /// files are compared with.
    private func reloads(comparedWith other: String) -> String {
        var lines: [String] = []
        if !layout.environment.services.isEmpty {
            // It finds the app replicas by itself (it resolves their name every second), and a
            // reload closes the connections that have not sent their request yet.
            lines.append("# nginx re-reads its configuration, only when that changed.")
            lines.append("if ! cmp -s \(other)/nginx/nginx.conf nginx/nginx.conf; then")
            lines.append("  docker compose exec -T nginx nginx -s reload")
            lines.append("fi")
        }
        for database in layout.environment.databases.map(ComposeDatabase.init) {
            for service in [database.service] + database.replicaServices {
                // The image creates only POSTGRES_USER's role: there is no role named postgres.
                lines.append("docker compose exec -T --user postgres \(service) psql --quiet --username \(database.superuser) --dbname \(database.plan.name) --command 'SELECT pg_reload_conf()'")
            }
            if database.plan.pooling {
                // PgBouncer re-reads pgbouncer.ini on SIGHUP without dropping clients.
                lines.append("docker compose kill --signal HUP \(database.pooler)")
            }
        }
        let monitoring = ComposeMonitoring(layout: layout)
        if monitoring.enabled {
            // They re-read their configuration (and Prometheus its rules) on SIGHUP, keeping their data.
            lines.append("docker compose kill --signal HUP prometheus blackbox-exporter\(monitoring.alerting ? " alertmanager" : "")")
            if MonitoringFiles(layout: layout).readsRequests {
                lines.append("if ! cmp -s \(other)/\(ComposeMonitoring.mtailProgram) \(ComposeMonitoring.mtailProgram); then")
                lines.append("  docker compose restart mtail")
                lines.append("fi")
            }
        }
        return lines.map { $0 + "\n" }.joined()
    }

    private var rollback: CIStep {
        var remote = """
            set -euo pipefail
            if [ ! -f \(marker) ]; then
              echo "The release was not switched: nothing to roll back."
              exit 0
            fi
            if [ ! -f \(previous)/.deployed-tag ]; then
              echo "No earlier release on this host to roll back to." >&2
              exit 1
            fi
            rm -rf \(current).failed
            cp -a \(current) \(current).failed
            cp -a \(previous)/. \(current)/
            rm -f \(marker)
            cd \(current)
            IMAGE_TAG="$(cat .deployed-tag)"
            export IMAGE_TAG
            echo "Rolling back to $IMAGE_TAG"
            docker compose up --detach --remove-orphans --wait --wait-timeout 600

            """
        remote += reloads(comparedWith: "\(current).failed")
        if hasSchedule { remote += "crontab \(ScheduleFiles.crontab)\n" }
        return CIStep("Roll back to the previous release", .run("""
            set -euo pipefail
            ssh \(sshHost) 'bash -s' <<'REMOTE'
            \(remote)REMOTE
            """), onFailureOnly: true)
    }
}
