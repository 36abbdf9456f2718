import StagecraftPlanner
import StagecraftSpec

/// One job of the graph as GitLab runs it: one shell session per job, so each step is a
/// commented subshell in `script:` that exports its own variables; a deploy's rollback steps
/// are a job of their own that runs when the deploy fails or times out.
struct GitLabJob {
    let job: CIJob
    let graph: PipelineGraph

    static let mergeRequest = "$CI_PIPELINE_SOURCE == \"merge_request_event\""
    static func onBranch(_ branch: String) -> String { "$CI_COMMIT_BRANCH == \"\(branch.replacing("\"", with: "\\\""))\"" }

    /// Tools the deploy scripts call, on a small Debian image.
    static let deployImage = "debian:bookworm-slim"
    static let dockerImage = "docker:27"
    static let kubectlVersion = "v1.31.4"
    static let awsTokenFile = "$CI_BUILDS_DIR/.aws-web-identity-token"

    /// GitLab's own container registry, where the job token logs in.
    static func isGitLabRegistry(_ host: String) -> Bool {
        host == "registry.gitlab.com" || host == "$CI_REGISTRY"
    }

    /// GitLab's own security scanners replace a job made only of that scan.
    static func template(_ job: CIJob) -> String? {
        for step in job.steps {
            switch step.action {
            case .codeScanning: return "Jobs/SAST.gitlab-ci.yml"
            case .secretScanning: return "Jobs/Secret-Detection.gitlab-ci.yml"
            case .dependencyReview: return "Jobs/Dependency-Scanning.gitlab-ci.yml"
            default: continue
            }
        }
        return nil
    }

    var yaml: YAML {
        var map = YAMLMap()
        map.set("stage", .string(job.stage.rawValue))
        map.set("image", .string(image))
        if !job.images.isEmpty { map.set("services", .list([.string("\(Self.dockerImage)-dind")])) }
        map.set("needs", .list(needs.map { .string($0) }))
        map.set("rules", rules)
        map.set("timeout", .string("\(job.timeoutMinutes) minutes"))
        if let cache { map.set("cache", cache) }
        if !job.images.isEmpty {
            map.set("parallel", .map([("matrix", .list(job.images.map { image in
                .map([
                    ("IMAGE_NAME", .string(image.workload)), ("IMAGE", .string(image.repository)),
                    ("CONTEXT", .string(image.context)), ("DOCKERFILE", .string(image.dockerfile)),
                    ("DIGEST_VARIABLE", .string(image.digestVariable)),
                ])
            }))]))
        }
        setDeployment(in: &map, action: nil)
        map.set("script", .list(job.steps.filter { !$0.onFailureOnly }.compactMap(script).map(Self.scriptEntry)))
        if let rollbackScript { map.set("after_script", .list(rollbackScript)) }
        // Each build hands the digest its push reported to the deploy jobs, which need it.
        if !job.images.isEmpty { map.set("artifacts", .map([("reports", .map([("dotenv", .string(Self.digestReport))]))])) }
        // What the rollback job reads of this deploy, kept only when the deploy fails; what a
        // later job applies (a reviewed plan), kept when it succeeds.
        let records = deployRecords.map { "\(Self.recordsFolder)/\($0)" }
        let saved = Self.savedPaths(job.steps.filter { !$0.onFailureOnly })
        if !records.isEmpty || !saved.isEmpty {
            let when = saved.isEmpty ? "on_failure" : records.isEmpty ? "on_success" : "always"
            map.set("artifacts", .map([("when", .string(when)), ("expire_in", "1 week"), ("paths", .list((records + saved).map { .string($0) }))]))
        }
        return map.yaml
    }

    /// The jobs this one waits for. A deploy's first job waits for the images; a rollback of its
    /// own waits for the job that planned it (the rollback job of the phase it undoes).
    private var needs: [String] {
        if job.deployment != nil && job.needs.isEmpty { return graph.deployEntry }
        // A job receives the dotenv reports (the images' digests) only of the jobs it needs.
        if job.deployment != nil && !job.afterFailure && !graph.images.isEmpty { return job.needs + ["images"] }
        guard job.afterFailure else { return job.needs }
        return job.needs.map { id in
            graph.deployJobs.first { $0.id == id }.flatMap { GitLabJob(job: $0, graph: graph).rollback?.id } ?? id
        }
    }

    private static func savedPaths(_ steps: [CIStep]) -> [String] {
        steps.flatMap { step -> [String] in if case .saveFiles(_, let paths) = step.action { paths } else { [] } }
    }

    /// The dotenv report an image build writes: `<BUILD>_IMAGE_DIGEST=sha256:…`.
    static let digestReport = "image-digest.env"

    /// The stage rollback jobs run in, after the deploys.
    static let rollbackStage = "rollback"
    /// The deploy's temporary folder, inside the project so its records can be job artifacts.
    static let recordsFolder = ".stagecraft-tmp"

    private var rollbackSteps: [CIStep] { job.steps.filter(\.onFailureOnly) }
    private var deployRecords: [String] { rollbackSteps.flatMap(\.readsDeployRecords) }

    /// A deploy's rollback as a job of its own, which GitLab runs when the deploy fails or times
    /// out (an `after_script` is skipped on a timeout): the deploy's image, variables,
    /// credentials and serialization, its runner preparation again, then the rollback steps;
    /// nil for a job with no rollback steps.
    var rollback: (id: String, yaml: YAML)? {
        guard job.deployment != nil, !rollbackSteps.isEmpty else { return nil }
        var map = YAMLMap()
        map.set("stage", .string(Self.rollbackStage))
        map.set("image", .string(image))
        // The deploy's records arrive as its artifacts.
        map.set("needs", .list([.string(job.id)]))
        var rule = YAMLMap()
        rule.set("if", .string(Self.onBranch(graph.defaultBranch)))
        rule.set("when", "on_failure")
        map.set("rules", .list([rule.yaml]))
        map.set("timeout", .string("\(job.timeoutMinutes) minutes"))
        // Rolling back is no deployment of its own: the environment's history keeps the failed one.
        setDeployment(in: &map, action: "access")
        let preparation = job.steps.filter { $0.preparesRunner && !$0.onFailureOnly }
        map.set("script", .list((preparation + rollbackSteps).compactMap(script).map(Self.scriptEntry)))
        let saved = Self.savedPaths(rollbackSteps)
        if !saved.isEmpty { map.set("artifacts", .map([("expire_in", "1 week"), ("paths", .list(saved.map { .string($0) }))])) }
        return (job.id + "-rollback", map.yaml)
    }

    /// A canceled deploy rolls back too. GitLab (17.0 and later) runs a job's `after_script` when
    /// it is canceled, which no `when: on_failure` job follows; on a failure or a timeout (when no
    /// `after_script` runs) the rollback job does it. The runner is prepared again, as there.
    private var rollbackScript: [YAML]? {
        guard job.deployment != nil, !rollbackSteps.isEmpty else { return nil }
        let preparation = job.steps.filter { $0.preparesRunner && !$0.onFailureOnly }
        let onlyWhenCanceled = "# Roll back only a canceled deploy: the rollback job follows a failed one\nif [ \"${CI_JOB_STATUS:-}\" != canceled ]; then exit 0; fi"
        return [Self.scriptEntry(onlyWhenCanceled)] + (preparation + rollbackSteps).compactMap(script).map(Self.scriptEntry)
    }

    /// What a deploy job and its rollback share: variables, credentials, the environment, the
    /// serialization with other deploys, and the tools the scripts call.
    private func setDeployment(in map: inout YAMLMap, action: String?) {
        var variables = variables
        if !deployRecords.isEmpty { variables.append(("TMPDIR", .string("$CI_PROJECT_DIR/\(Self.recordsFolder)"))) }
        // An after_script has 5 minutes by default; a rollback may take as long as a deploy.
        if action == nil && rollbackScript != nil { variables.append(("RUNNER_AFTER_SCRIPT_TIMEOUT", .string("\(job.timeoutMinutes)m"))) }
        if !variables.isEmpty { map.set("variables", .map(variables)) }
        if usesAWS { map.set("id_tokens", .map([("AWS_ID_TOKEN", .map([("aud", "sts.amazonaws.com")]))])) }
        if let deployment = job.deployment {
            map.set("environment", .map([
                ("name", .string(deployment.environment)),
                ("url", .string(deployment.url)),
                ("deployment_tier", .string(tier(deployment.tier))),
            ] + (action.map { [("action", YAML.string($0))] } ?? [])))
            map.set("resource_group", .string(deployment.serializationGroup(stack: graph.stack)))
            // Cancelling a deploy halfway leaves the environment between versions.
            map.set("interruptible", false)
        }
        let setup = setup + (deployRecords.isEmpty ? [] : ["mkdir -p \"$TMPDIR\""])
        if !setup.isEmpty { map.set("before_script", .list(setup.map(Self.scriptEntry))) }
    }

    private var rules: YAML {
        switch job.trigger {
        case .always:
            return .list([.map([("if", .string(Self.mergeRequest))]), .map([("if", .string(Self.onBranch(graph.defaultBranch)))])])
        case .pullRequest:
            return .list([.map([("if", .string(Self.mergeRequest))])])
        case .defaultBranch:
            var rule = YAMLMap()
            rule.set("if", .string(Self.onBranch(graph.defaultBranch)))
            if job.deployment?.requiresApproval == true { rule.set("when", "manual") }
            return .list([rule.yaml])
        }
    }

    private func tier(_ kind: EnvironmentSpec.Kind) -> String {
        switch kind {
        case .development: "development"
        case .staging: "staging"
        case .production: "production"
        }
    }

    // MARK: Runner image and caches

    private var toolchain: Toolchain? { job.toolchain }

    private var image: String {
        if !job.images.isEmpty { return Self.dockerImage }
        if let toolchain, let image = ToolchainImage.gitlab(toolchain) { return image }
        return job.deployment == nil ? Self.dockerImage : Self.deployImage
    }

    /// Language package caches (what GitHub's setup actions cache), plus the job's own caches.
    private var cache: YAML? {
        var caches: [YAML] = []
        func entry(_ prefix: String, files: [String]?, paths: [String]) -> YAML {
            let key: YAML = files.map { .map([("files", .list($0.map { .string($0) })), ("prefix", .string(prefix))]) } ?? .string(prefix)
            return .map([("key", key), ("paths", .list(paths.map { .string($0) }))])
        }
        if let toolchain, let packages = ToolchainImage.gitlabCache(toolchain) {
            caches.append(entry(packages.prefix, files: packages.files, paths: packages.paths))
        }
        for step in job.steps {
            switch step.action {
            case .cache(.swiftBuild): caches.append(entry("swift", files: ["Package.swift", "Package.resolved"], paths: [".build/"]))
            case .cache(.stagecraft(let version)): caches.append(entry("stagecraft-\(version)", files: nil, paths: [".stagecraft-tool/"]))
            default: continue
            }
        }
        if caches.isEmpty { return nil }
        return caches.count == 1 ? caches[0] : .list(caches)
    }

    private var variables: [(String, YAML)] {
        var result: [(String, YAML)] = []
        if let toolchain, let packages = ToolchainImage.gitlabCache(toolchain) {
            result += packages.variables.map { ($0.0, YAML.string($0.1)) }
        }
        if job.deployment != nil { result.append(("IMAGE_TAG", "$CI_COMMIT_SHA")) }
        if !job.images.isEmpty {
            result.append(("DOCKER_HOST", "tcp://docker:2376"))
            result.append(("DOCKER_TLS_CERTDIR", "/certs"))
        }
        for step in job.steps {
            if case .awsCredentials(let roleSecret, let region) = step.action {
                // The AWS SDKs, CLI and Terraform provider assume the role with GitLab's OIDC token themselves.
                result += [
                    ("AWS_ROLE_ARN", .string("$\(roleSecret)")),
                    ("AWS_WEB_IDENTITY_TOKEN_FILE", .string(Self.awsTokenFile)),
                    ("AWS_REGION", .string(region)),
                    ("AWS_DEFAULT_REGION", .string(region)),
                ]
            }
        }
        return result
    }

    private var usesAWS: Bool {
        job.steps.contains { if case .awsCredentials = $0.action { true } else { false } }
    }

    // MARK: Scripts

    /// What must be on the runner before the steps: the deploy image's packages.
    private var setup: [String] {
        guard job.deployment != nil else { return [] }
        var packages = ["ca-certificates", "curl", "git", "jq", "openssh-client", "unzip"]
        if usesAWS { packages.append("awscli") }
        return ["apt-get update -qq && apt-get install -y -qq --no-install-recommends \(packages.joined(separator: " ")) >/dev/null"]
    }

    /// Secrets the job's steps read, by CI/CD variable name.
    var secretNames: [String] {
        var names: [String] = []
        for step in job.steps {
            for variable in step.environment { if case .secret(let name) = variable.value, !names.contains(name) { names.append(name) } }
            if case .awsCredentials(let role, _) = step.action, !names.contains(role) { names.append(role) }
            if case .registryLogin(let host) = step.action, !Self.isGitLabRegistry(host) {
                names += ["REGISTRY_USERNAME", "REGISTRY_PASSWORD"].filter { !names.contains($0) }
            }
        }
        return names
    }

    /// A step as shell, or nil when GitLab does it by itself (checkout) or through job keys.
    private func script(_ step: CIStep) -> String? {
        let body: String
        switch step.action {
        case .run(let script): body = script
        // GitLab's clone has the history a merge request needs, or the job fetches its base.
        // A GitLab job runs at its pipeline's commit; a redeploy of another commit is that commit's pipeline, retried.
        case .checkout, .checkoutWithHistory, .checkoutRelease, .setupToolchain, .cache: return nil
        // Job artifacts, which a job that needs this one receives.
        case .saveFiles, .restoreFiles: return nil
        case .dependencyReview, .codeScanning, .secretScanning: return nil
        case .registryLogin(let host) where Self.isGitLabRegistry(host):
            // The job's own token, valid for this job only: no long-lived password to keep.
            body = "printf '%s' \"$CI_JOB_TOKEN\" | docker login --username gitlab-ci-token --password-stdin \(FormatQuoting.shell(host))"
        case .registryLogin(let host):
            body = "printf '%s' \"$REGISTRY_PASSWORD\" | docker login --username \"$REGISTRY_USERNAME\" --password-stdin \(FormatQuoting.shell(host))"
        case .buildAndPushImage:
            // BuildKit's container driver attaches the SBOM and the provenance to the pushed image.
            body = """
                docker buildx create --use --driver docker-container > /dev/null
                docker buildx build --file "$DOCKERFILE" --tag "$IMAGE:$CI_COMMIT_SHA" \\
                  --sbom=true --provenance=mode=max --metadata-file image-metadata.json --push "$CONTEXT"
                # The deploys run the image by the digest the push reported, not by its tag.
                digest="$(sed -n 's/.*"containerimage.digest": *"\\([^"]*\\)".*/\\1/p' image-metadata.json)"
                # The docker image's shell is BusyBox's: no [[ =~ ]].
                if ! printf '%s' "$digest" | grep -Eq '\(ImageBuild.digestPattern)'; then
                  echo "The push of $IMAGE reported no digest" >&2
                  exit 1
                fi
                printf '%s=%s\\n' "$DIGEST_VARIABLE" "$digest" > \(Self.digestReport)
                """
        case .installStagecraft(let version):
            // The Swift image has no curl.
            body = """
                if ! command -v curl > /dev/null; then
                  apt-get update -qq && apt-get install -y -qq --no-install-recommends curl ca-certificates > /dev/null
                fi
                STAGECRAFT_VERSION=\(FormatQuoting.shell(version))
                STAGECRAFT_RELEASES=\(FormatQuoting.shell(StagecraftRelease.downloads))

                """ + StagecraftRelease.installScript(prefix: "$CI_PROJECT_DIR/.stagecraft-tool/$STAGECRAFT_VERSION") + """

                ln -sf "$prefix/bin/stagecraft" /usr/local/bin/stagecraft
                # The cached tool lives in the checkout (GitLab caches only paths there): keep it out of `git status`.
                echo '/.stagecraft-tool/' >> .git/info/exclude
                """
        case .awsCredentials:
            body = "umask 077\nprintf '%s' \"$AWS_ID_TOKEN\" > \"\(Self.awsTokenFile)\""
        case .installKubectl:
            // Installed only if it matches the checksum published beside it.
            body = """
                curl -fsSLo /tmp/kubectl "https://dl.k8s.io/release/\(Self.kubectlVersion)/bin/linux/amd64/kubectl"
                curl -fsSLo /tmp/kubectl.sha256 "https://dl.k8s.io/release/\(Self.kubectlVersion)/bin/linux/amd64/kubectl.sha256"
                echo "$(cat /tmp/kubectl.sha256)  /tmp/kubectl" | sha256sum --check --quiet
                install -m 0755 /tmp/kubectl /usr/local/bin/kubectl
                """
        case .installTerraform(let version):
            // Unpacked only if the archive matches HashiCorp's published checksum list.
            body = """
                curl -fsSLo /tmp/terraform_\(version)_linux_amd64.zip "https://releases.hashicorp.com/terraform/\(version)/terraform_\(version)_linux_amd64.zip"
                curl -fsSLo /tmp/terraform_SHA256SUMS "https://releases.hashicorp.com/terraform/\(version)/terraform_\(version)_SHA256SUMS"
                (cd /tmp && grep ' terraform_\(version)_linux_amd64.zip$' terraform_SHA256SUMS | sha256sum --check --quiet)
                unzip -o -q /tmp/terraform_\(version)_linux_amd64.zip terraform -d /usr/local/bin
                """
        }
        var lines: [String] = []
        for variable in step.environment where !Self.isInEnvironment(variable) {
            let value = switch variable.value {
            case .text(let text): FormatQuoting.shell(text)
            case .secret(let name): "\"$\(name)\""
            case .setting(let name): "\"${\(name):-}\""
            case .imageTag: "\"$IMAGE_TAG\""
            case .imageDigest(let workload): "\"$\(ImageBuild.digestVariable(workload))\""
            case .pullRequestBase: "\"$CI_MERGE_REQUEST_DIFF_BASE_SHA\""
            }
            lines.append("export \(variable.name)=\(value)")
        }
        let comment = "# \(step.name.replacing("\n", with: " "))"
        guard case .run = step.action else { return ([comment] + lines + [body]).joined(separator: "\n") }
        // A subshell per step, as a GitHub step is a process of its own: its variables, `set`
        // options and an early `exit` stay inside it; its status still fails the job.
        return ([comment, "("] + lines + [body, ")"]).joined(separator: "\n")
    }

    /// A CI/CD variable, or an image's digest from its build's dotenv report, of the same name is in the environment already.
    private static func isInEnvironment(_ variable: CIStep.Variable) -> Bool {
        switch variable.value {
        case .secret(let name), .setting(let name): name == variable.name
        case .imageDigest(let workload): ImageBuild.digestVariable(workload) == variable.name
        case .text, .imageTag, .pullRequestBase: false
        }
    }

    static func scriptEntry(_ text: String) -> YAML { text.contains("\n") ? .block(text) : .string(text) }
}
