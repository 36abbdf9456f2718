import Foundation
import StagecraftPlanner
import StagecraftSpec

/// How CI deploys an environment's overlay: authenticate with the environment's kubeconfig,
/// wrap the overlay in a kustomization that runs every built image by the digest its push
/// reported, apply it, wait for every rollout, and return each changed Deployment to its
/// previous revision when anything failed.
///
/// The order holds on a first deploy into an empty namespace as on every later one: first the
/// Namespace and everything the workloads wait on (ServiceAccounts, ExternalSecrets, the
/// database clusters, ConfigMaps, Services, policies), then, once the secrets are synced and
/// the databases ready, the migrations, the canary and the workloads.
///
/// A canary rollout (production at scale) first runs one `<service>-canary` pod per service
/// with the new version next to the current ones: the Service selects both, so the canary
/// takes its share of real traffic. It must become ready and then stay ready without a restart
/// for a bake period, or the deploy stops there and the canaries are removed. Only then is the
/// regular rollout applied. There is no metrics analysis: the check is health, not error rates.
struct KubernetesDeploySteps {
    let plan: StackPlan
    let environment: EnvironmentPlan
    let target: DeployTarget

    /// Each Deployment's revision before the deploy, which the rollback returns it to.
    static let revisionsFile = "stagecraft-revisions"
    static let rolloutTimeout = "5m"
    static let canaryBakeSeconds = 120
    static let fieldManager = "stagecraft"

    private var digests: ImageDigests { ImageDigests(plan.pipeline, environment: environment) }

    var steps: [CIStep] {
        var steps = [
            CIStep("Install kubectl", .installKubectl),
            CIStep("Authenticate to the \(environment.name) cluster", .run(authenticate), environment: [
                CIStep.Variable("KUBE_CONFIG", .secret("KUBE_CONFIG")),
            ], preparesRunner: true),
            CIStep("Set each image to the digest CI pushed", .run(prepare), environment: digests.variables),
            CIStep("Apply what the workloads wait on", .run(applyPrerequisites)),
        ]
        steps += migratedDatabases.map { CIStep("Migrate the \($0.name) database", .run(migrate($0))) }
        if isCanary { steps.append(CIStep("Canary", .run(canary))) }
        steps += [
            CIStep("Apply the \(environment.name) overlay", .run(apply)),
            CIStep("Wait for the rollouts", .run(waitForRollouts)),
        ]
        if isCanary { steps.append(CIStep("Remove the canaries", .run(removeCanaries))) }
        steps.append(CIStep("Roll back", .run(rollBack), onFailureOnly: true, readsDeployRecords: [Self.revisionsFile]))
        return steps
    }

    var isCanary: Bool { target.rollout == .canary && environment.isProduction && !canaryServices.isEmpty }

    // MARK: - Scripts

    private var authenticate: String {
        script("""
            # KUBE_CONFIG is this environment's secret: a kubeconfig for a deploy identity allowed to
            # manage the \(namespace) namespace. Without a stored credential, federate the CI
            # provider's OIDC token with the cluster instead (EKS, GKE and AKS workload identity)
            # and replace this step with the provider's login action.
            umask 077
            printf '%s\\n' "$KUBE_CONFIG" > "$KUBECONFIG"
            chmod 600 "$KUBECONFIG"
            kubectl auth can-i create deployments --namespace \(quote(namespace))
            """)
    }

    private var prepare: String {
        var text = """
            # IMAGE_TAG (the release's name) and the digests become part of a kustomization:
            # accept only what they may be.
            if [[ ! "$IMAGE_TAG" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]]; then
              echo "IMAGE_TAG is not a valid image tag: $IMAGE_TAG" >&2
              exit 1
            fi
            \(digests.check)
            # The overlay is committed with a placeholder tag; this kustomization around it runs
            # every image CI built by the digest its push reported, never by a tag that can move
            # (the JSON is a kustomization: YAML reads JSON).
            digests="$(jq -cn \(digests.jqRepositoryMap.arguments) \(quote(digests.jqRepositoryMap.object)))"
            # shellcheck disable=SC2016 # $digests is jq's variable, not the shell's
            set_digests='.images |= map({name, digest: $digests[.name]})'
            mkdir -p \(quote(deployDirectory))

            """
        if migratedDatabases.isEmpty {
            text += """
                jq --argjson digests "$digests" "$set_digests" <<<\(quote(wrapper(canary: false))) > \(quote(deployDirectory + "/kustomization.yaml"))
                """
        } else {
            let renames = migratedDatabases.map { database in
                let job = MigrationManifests.name(database)
                return #"{"target": {"group": "batch", "version": "v1", "kind": "Job", "name": "\#(job)"}, "#
                    + #""patch": ([{"op": "replace", "path": "/metadata/name", "value": ("\#(job)-" + $release)}] | tojson)}"#
            }
            text += """
                # Each migration Job is named after the release, so every release migrates once.
                \(releaseName)
                # shellcheck disable=SC2016 # $release is jq's variable, not the shell's
                name_jobs='.patches = [\(renames.joined(separator: ", "))]'
                jq --argjson digests "$digests" --arg release "$release" "$set_digests | $name_jobs" <<<\(quote(wrapper(canary: false))) \\
                  > \(quote(deployDirectory + "/kustomization.yaml"))
                """
        }
        text += """

            kubectl kustomize \(quote(deployDirectory)) > /dev/null
            """
        if isCanary {
            text += """

                mkdir -p \(quote(canaryDirectory))
                jq --argjson digests "$digests" "$set_digests" <<<\(quote(wrapper(canary: true))) > \(quote(canaryDirectory + "/kustomization.yaml"))
                kubectl kustomize \(quote(canaryDirectory)) > /dev/null
                """
        }
        return script(text)
    }

    /// `release`: the image tag as a name part (lower case, `-` for `_` and `.`), short enough
    /// for every migration Job's name to stay within 63 characters.
    private var releaseName: String {
        let longest = migratedDatabases.map { MigrationManifests.name($0).count }.max() ?? 0
        return #"release="$(printf '%s' "$IMAGE_TAG" | tr 'A-Z_.' 'a-z--' | cut -c1-\#(62 - longest) | sed 's/-*$//')""#
    }

    /// Everything of the release but its workloads and migrations (kustomize puts the Namespace
    /// first), then the wait for what they need: every ExternalSecret synced from the secret
    /// store, every database cluster ready. A missing secret fails here, before anything runs.
    private var applyPrerequisites: String {
        let notWorkloads = "\(KubernetesNames.componentLabel) notin (service,worker),!\(MigrationManifests.label)"
        var text = "kubectl apply --server-side --field-manager=\(Self.fieldManager) -k \(quote(deployDirectory)) --selector \(quote(notWorkloads))\n"
        if !KubernetesSecrets(plan: plan, environment: environment).external.isEmpty {
            text += "kubectl --namespace \(quote(namespace)) wait --for=condition=Ready externalsecret --all --timeout=5m\n"
        }
        for database in environment.databases {
            text += "kubectl --namespace \(quote(namespace)) wait --for=condition=Ready \(quote("cluster.postgresql.cnpg.io/\(database.name)")) --timeout=15m\n"
        }
        return script(text)
    }

    /// The migration Job, awaited: a failed migration stops the deploy before any Deployment
    /// changes, with its logs in the job's output.
    private func migrate(_ database: DatabasePlan) -> String {
        let job = MigrationManifests.name(database)
        let namespace = quote(namespace)
        return script("""
            \(releaseName)
            job=\(quote(job + "-"))"$release"
            kubectl apply --server-side --field-manager=\(Self.fieldManager) -k \(quote(deployDirectory)) --selector \(quote("\(MigrationManifests.label)=\(database.name)"))
            echo "Waiting for $job"
            while :; do
              complete=$(kubectl --namespace \(namespace) get job "$job" --output jsonpath='{.status.conditions[?(@.type=="Complete")].status}')
              failed=$(kubectl --namespace \(namespace) get job "$job" --output jsonpath='{.status.conditions[?(@.type=="Failed")].status}')
              if [ "$complete" = True ] || [ "$failed" = True ]; then break; fi
              sleep 5
            done
            kubectl --namespace \(namespace) logs "job/$job" --all-containers --prefix || true
            if [ "$complete" != True ]; then
              echo "The migration of \(database.name) failed (or ran past its deadline): nothing was rolled out." >&2
              echo "After fixing it, delete the Job to run it again: kubectl --namespace \(namespace) delete job $job" >&2
              exit 1
            fi
            """)
    }

    private var migratedDatabases: [DatabasePlan] { environment.databases.filter { $0.migrations != nil } }

    private var canary: String {
        let canaries = canaryServices.map { KubernetesNames.canary($0.name) }
        var text = """
            # A first deploy has no stable release to compare the canary with: the rollout is the test.
            services=(\(canaryServices.map { quote($0.name) }.joined(separator: " ")))
            for deployment in "${services[@]}"; do
              if [ -z "$(kubectl --namespace \(quote(namespace)) get deployment "$deployment" --ignore-not-found --output name)" ]; then
                echo "No stable $deployment yet (a first deploy): skipping the canary."
                exit 0
              fi
            done
            # The new ConfigMaps go first (the running pods keep reading their own), then one
            # canary pod per service, which the services' selectors include.
            kubectl apply --server-side --field-manager=\(Self.fieldManager) -k \(quote(canaryDirectory)) --selector \(quote("\(Kustomizations.configLabel)=config"))
            kubectl apply --server-side --field-manager=\(Self.fieldManager) -k \(quote(canaryDirectory)) --selector \(quote("\(KubernetesNames.trackLabel)=canary"))

            """
        for name in canaries {
            text += "kubectl --namespace \(quote(namespace)) rollout status \(quote("deployment/\(name)")) --timeout=\(Self.rolloutTimeout)\n"
        }
        text += """
            # Bake: the canaries serve real traffic; a restart or a lost readiness fails the deploy.
            sleep \(Self.canaryBakeSeconds)
            restarts=$(kubectl --namespace \(quote(namespace)) get pods --selector \(quote("\(KubernetesNames.trackLabel)=canary")) \\
              --output jsonpath='{range .items[*]}{range .status.containerStatuses[*]}{.restartCount}{"\\n"}{end}{end}' | awk '{ total += $1 } END { print total + 0 }')
            if [ "$restarts" -gt 0 ]; then
              echo "The canaries restarted $restarts times during the bake: not rolling out." >&2
              exit 1
            fi

            """
        for name in canaries {
            text += """
                ready=$(kubectl --namespace \(quote(namespace)) get deployment \(quote(name)) --output jsonpath='{.status.readyReplicas}')
                if [ "${ready:-0}" -lt 1 ]; then
                  echo \(quote("\(name) is not ready after the bake: not rolling out.")) >&2
                  exit 1
                fi

                """
        }
        return script(text)
    }

    private var apply: String {
        script("""
            # The revision each Deployment runs now, so a failed deploy returns exactly there
            # (and a failure before this step rolls nothing back).
            : > "$revisions"
            for deployment in \(deploymentNames); do
              revision=$(kubectl --namespace \(quote(namespace)) get deployment "$deployment" --ignore-not-found \\
                --output jsonpath='{.metadata.annotations.deployment\\.kubernetes\\.io/revision}')
              echo "$deployment ${revision:-new}" >> "$revisions"
            done
            # Server-side apply: fields another manager owns (an autoscaler's replica count) are left
            # alone, and a conflicting manual change fails the deploy instead of being overwritten.
            kubectl apply --server-side --field-manager=\(Self.fieldManager) -k \(quote(deployDirectory))
            """, recordsRevisions: true)
    }

    private var waitForRollouts: String {
        script(rollouts.map { "kubectl --namespace \(quote(namespace)) rollout status \(quote($0)) --timeout=\(Self.rolloutTimeout)" }.joined(separator: "\n"))
    }

    private var removeCanaries: String {
        script("kubectl --namespace \(quote(namespace)) delete deployment --ignore-not-found "
            + canaryServices.map { quote(KubernetesNames.canary($0.name)) }.joined(separator: " "))
    }

    private var rollBack: String {
        var text = """
            # Each Deployment the deploy changed goes back to the revision it ran before: image and
            # config (ConfigMaps are named by content, so that revision still finds its own). One
            # this deploy created has nothing to return to and is left for inspection.
            failed=0
            if [ -f "$revisions" ]; then
              while read -r deployment revision <&3; do
                current=$(kubectl --namespace \(quote(namespace)) get deployment "$deployment" --ignore-not-found \\
                  --output jsonpath='{.metadata.annotations.deployment\\.kubernetes\\.io/revision}')
                if [ "$revision" = new ] || [ -z "$current" ] || [ "$current" = "$revision" ]; then
                  continue
                fi
                echo "Rolling $deployment back to revision $revision"
                kubectl --namespace \(quote(namespace)) rollout undo "deployment/$deployment" --to-revision="$revision" || failed=1
                kubectl --namespace \(quote(namespace)) rollout status "deployment/$deployment" --timeout=\(Self.rolloutTimeout) || failed=1
              done 3< "$revisions"
            fi

            """
        if isCanary {
            text += "kubectl --namespace \(quote(namespace)) delete deployment --ignore-not-found "
                + canaryServices.map { quote(KubernetesNames.canary($0.name)) }.joined(separator: " ") + " || failed=1\n"
        }
        text += "exit \"$failed\""
        return script(text, recordsRevisions: true)
    }

    // MARK: - Pieces

    private var namespace: String { KubernetesNames.namespace(plan, environment) }

    private var outputRoot: String {
        let directory = plan.pipeline.outputDirectory
        return directory == "." || directory.isEmpty ? "" : (directory.hasSuffix("/") ? directory : directory + "/")
    }

    /// Work folders beside the overlays, so their relative `resources` path reaches the overlay.
    private var deployDirectory: String { outputRoot + "kubernetes/.deploy/\(environment.name)" }
    private var canaryDirectory: String { outputRoot + "kubernetes/.deploy/\(environment.name)-canary" }

    private var canaryServices: [WorkloadPlan] { environment.services.filter { $0.port != nil } }

    /// Every workload the deploy waits for: apps, then the caches.
    private var rollouts: [String] {
        var names = environment.workloads.map { "deployment/\($0.name)" }
        for cache in environment.caches {
            let kind = cache.persistence ? "statefulset" : "deployment"
            names.append("\(kind)/\(cache.name)")
            if cache.replica { names.append("\(kind)/\(KubernetesNames.cacheReplica(cache.name))") }
        }
        return names
    }

    /// The kustomization around the overlay, as JSON; the script fills in each image's tag.
    private func wrapper(canary: Bool) -> String {
        let repositories = digests.images.map(\.repository).sorted()
        var kustomization: [String: Any] = [
            "apiVersion": Kustomizations.apiVersion,
            "kind": "Kustomization",
            "resources": ["../../overlays/\(environment.name)"],
            "images": repositories.map { ["name": $0] },
        ]
        if canary {
            kustomization["patches"] = canaryServices.map { service -> [String: Any] in
                let track = "/\(KubernetesNames.trackLabel.replacing("/", with: "~1"))"
                let operations: [[String: Any]] = [
                    ["op": "add", "path": "/metadata/name", "value": KubernetesNames.canary(service.name)],
                    ["op": "add", "path": "/metadata/labels\(track)", "value": "canary"],
                    ["op": "add", "path": "/spec/replicas", "value": 1],
                    ["op": "add", "path": "/spec/selector/matchLabels\(track)", "value": "canary"],
                    ["op": "add", "path": "/spec/template/metadata/labels\(track)", "value": "canary"],
                ]
                return [
                    "target": ["group": "apps", "version": "v1", "kind": "Deployment", "name": service.name],
                    "patch": json(operations),
                ]
            }
        }
        return json(kustomization)
    }

    private func json(_ value: Any) -> String {
        let data = try! JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    private var deploymentNames: String { environment.workloads.map { quote($0.name) }.joined(separator: " ") }

    /// Every script finds the kubeconfig the authentication step wrote in the job's temporary
    /// folder; the apply and roll-back steps share the revisions file there too.
    private func script(_ body: String, recordsRevisions: Bool = false) -> String {
        """
        set -euo pipefail
        export KUBECONFIG="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/stagecraft-kubeconfig"
        \(recordsRevisions ? "revisions=\"${RUNNER_TEMP:-${TMPDIR:-/tmp}}/\(Self.revisionsFile)\"\n" : "")\(body)
        """
    }

    private func quote(_ value: String) -> String { FormatQuoting.shell(value) }
}
