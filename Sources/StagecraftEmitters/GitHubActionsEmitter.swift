import StagecraftOutput
import StagecraftPlanner
import StagecraftSpec

/// GitHub Actions: a CI workflow (build, test, checks, drift, images) and a deploy workflow
/// that the CI run on the default branch starts, both rendered from the `PipelineGraph`.
/// Every action is pinned to a commit SHA; every job gets only the permissions it needs;
/// values reach scripts through `env:`, never through `${{ }}` inside a script.
public struct GitHubActionsEmitter: Emitter {
    let deploySteps: DeployStepCatalog

    public init(deploySteps: DeployStepCatalog) {
        self.deploySteps = deploySteps
    }

    public static func ciPath(_ stack: String) -> String { ".github/workflows/\(stack)-ci.yml" }
    public static func deployPath(_ stack: String) -> String { ".github/workflows/\(stack)-deploy.yml" }

    public func emit(_ plan: StackPlan, context: EmitContext) throws -> [GeneratedFile] {
        guard plan.pipeline.providers.contains(.githubActions) else { return [] }
        let graph = try PipelineGraph(plan: plan, deploySteps: deploySteps)
        var files = [
            try workflowFile(Self.ciPath(plan.stack), ci(graph), context: context),
            try GeneratedFile(path: DependabotConfiguration.path, text: try DependabotConfiguration(pipeline: plan.pipeline).document.serialized(), commentStyle: .hash),
        ]
        if !graph.deployJobs.isEmpty {
            files.append(try workflowFile(Self.deployPath(plan.stack), deploy(graph), context: context))
            files.append(try GeneratedFile(path: GitHubRepositorySettings.path, text: GitHubRepositorySettings(graph: graph, plan: plan).script,
                                           executable: true, commentStyle: .hash))
        }
        return files
    }

    private func workflowFile(_ path: String, _ document: YAML, context: EmitContext) throws -> GeneratedFile {
        try GeneratedFile(path: path, text: context.actionPinUpdates.apply(to: ActionPins.annotate(try document.serialized())), commentStyle: .hash)
    }

    // MARK: - CI

    func ci(_ graph: PipelineGraph) -> YAML {
        var jobs = YAMLMap()
        for job in graph.ciJobs { jobs.set(job.id, render(job, graph: graph)) }
        if !graph.deployJobs.isEmpty { jobs.set("deploy", startDeploy(graph)) }
        var document = YAMLMap()
        document.set("name", .string("\(graph.stack) CI"))
        document.set("on", .map([
            ("push", .map([("branches", .list([.string(graph.defaultBranch)]))])),
            ("pull_request", .map([])),
        ]))
        document.set("permissions", permissions([]))
        document.set("concurrency", .map([
            ("group", "${{ github.workflow }}-${{ github.ref }}"),
            // Superseded pull-request runs are cancelled; runs on the default branch queue, so none is lost.
            ("cancel-in-progress", "${{ github.event_name == 'pull_request' }}"),
        ]))
        document.set("defaults", .map([("run", .map([("shell", "bash")]))]))
        document.set("jobs", jobs.yaml)
        return document.yaml
    }

    /// The last CI job on the default branch: it starts the deploy workflow for its commit and ends.
    private func startDeploy(_ graph: PipelineGraph) -> YAML {
        var map = YAMLMap()
        map.set("name", "Start the deploy")
        map.set("needs", .list(graph.deployEntry.map { .string($0) }))
        map.set("if", .string(condition(.defaultBranch, graph: graph)!))
        map.set("runs-on", "ubuntu-latest")
        map.set("timeout-minutes", 5)
        map.set("permissions", .map([("actions", "write"), ("contents", "read")]))
        let env: [(String, YAML)] = [("GH_TOKEN", "${{ github.token }}"), ("WORKFLOW", .string(String(Self.deployPath(graph.stack).split(separator: "/").last!)))]
        guard !graph.images.isEmpty else {
            map.set("steps", .list([run("Start the deploy of this commit", """
                gh workflow run "$WORKFLOW" --repo "$GITHUB_REPOSITORY" --ref "$GITHUB_REF_NAME" -f image-tag="$GITHUB_SHA"
                echo "Started $WORKFLOW for $GITHUB_SHA: $GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/workflows/$WORKFLOW"
                """, env: env)]))
            return map.yaml
        }
        map.set("steps", .list([
            step("Get the digests the image pushes reported", ActionPins.downloadArtifact, with: [
                ("pattern", .string(Self.digestArtifact("*"))), ("merge-multiple", true), ("path", .string(Self.digestFolder)),
            ]),
            run("Start the deploy of this commit", """
                # The deploy runs each image by the digest its push reported, not by a tag that can move.
                digests='{}'
                add_digest() {
                  local digest
                  digest="$(cat "\(Self.digestFolder)/$1" 2>/dev/null || true)"
                  if [[ ! "$digest" =~ \(ImageBuild.digestPattern) ]]; then
                    echo "The push of the $1 image reported no digest: '$digest'" >&2
                    exit 1
                  fi
                  digests="$(jq -c --arg name "$1" --arg digest "$digest" '. + {($name): $digest}' <<< "$digests")"
                }
                \(graph.images.map { "add_digest \($0.workload)" }.joined(separator: "\n"))
                gh workflow run "$WORKFLOW" --repo "$GITHUB_REPOSITORY" --ref "$GITHUB_REF_NAME" -f image-tag="$GITHUB_SHA" -f image-digests="$digests"
                echo "Started $WORKFLOW for $GITHUB_SHA: $GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/workflows/$WORKFLOW"
                {
                  echo "### Deploy of $GITHUB_SHA started"
                  echo "To deploy this commit again later (a rollback by hand), run:"
                  echo '```'
                  printf "gh workflow run %s --ref %s -f image-tag=%s -f image-digests='%s'\\n" "$WORKFLOW" "$GITHUB_REF_NAME" "$GITHUB_SHA" "$digests"
                  echo '```'
                } >> "$GITHUB_STEP_SUMMARY"
                """, env: env),
        ]))
        return map.yaml
    }

    /// Each image build keeps the digest its push reported as an artifact of the CI run, a file
    /// named after the build in this folder.
    static let digestFolder = "image-digests"
    static func digestArtifact(_ build: String) -> String { "image-digest-\(build)" }

    private func condition(_ trigger: CIJob.Trigger, graph: PipelineGraph) -> String? {
        switch trigger {
        case .always: nil
        case .pullRequest: "github.event_name == 'pull_request'"
        case .defaultBranch: "github.event_name == 'push' && github.ref == 'refs/heads/\(graph.defaultBranch)'"
        }
    }

    private func render(_ job: CIJob, graph: PipelineGraph) -> YAML {
        var map = YAMLMap()
        map.set("name", .string(job.images.isEmpty ? job.name : "\(job.name) ${{ matrix.name }}"))
        if !job.needs.isEmpty { map.set("needs", .list(job.needs.map { .string($0) })) }
        map.set("if", condition(job.trigger, graph: graph).map { .string($0) })
        map.set("runs-on", .string(job.runner == .macOS ? "macos-latest" : "ubuntu-latest"))
        map.set("timeout-minutes", .int(job.timeoutMinutes))
        if !job.permissions.isEmpty { map.set("permissions", permissions(job.permissions)) }
        if let container = job.toolchain.flatMap(ToolchainImage.githubContainer) { map.set("container", .string(container.image)) }
        if !job.images.isEmpty {
            map.set("strategy", .map([("matrix", .map([("include", .list(job.images.map { image in
                .map([
                    ("name", .string(image.workload)), ("image", .string(image.repository)),
                    ("context", .string(image.context)), ("dockerfile", .string(image.dockerfile)),
                ])
            }))]))]))
        }
        map.set("steps", .list(job.steps.flatMap { render($0, imageTag: "${{ github.sha }}") }))
        return map.yaml
    }

    // MARK: - Deploy

    /// The commit whose images a deploy run deploys.
    static let releaseCommit = "${{ inputs.image-tag }}"

    /// Deploys run as a workflow of their own, so the CI run ends when its checks and images do
    /// instead of waiting (for days, perhaps) on production's approval. The CI run of a push to
    /// the default branch starts it with its commit (a workflow dispatch, which the job token may
    /// make, unlike other events); a person starts it the same way for an earlier commit. Each
    /// job reads its secrets itself, the environment's before the repository's.
    func deploy(_ graph: PipelineGraph) -> YAML {
        var jobs = YAMLMap()
        for job in graph.deployJobs {
            guard let deployment = job.deployment else { continue }
            var map = YAMLMap()
            map.set("name", .string(job.name))
            if !job.needs.isEmpty {
                map.set("needs", .list(job.needs.map { .string($0) }))
                if job.afterFailure {
                    let results = job.needs.flatMap { ["needs.\($0).result == 'failure'", "needs.\($0).result == 'cancelled'"] }
                    // Only when the failed job kept what this one applies: a reviewer who rejected
                    // it (or a failure before its rollback was planned) leaves nothing to roll back.
                    let kept = Self.restored(job).compactMap { artifact in
                        job.needs.first { need in graph.deployJobs.first { $0.id == need }.map { Self.keepsOnFailure($0).contains(artifact) } ?? false }
                            .map { "needs.\($0).outputs.\(artifact) != ''" }
                    }
                    map.set("if", .string((["always()", "(\(results.joined(separator: " || ")))"] + kept).joined(separator: " && ")))
                }
            }
            let keeps = Self.keepsOnFailure(job)
            if !keeps.isEmpty {
                // The id of each artifact kept for a rollback job, empty when none was kept.
                map.set("outputs", .map(keeps.map { ($0, .string("${{ steps.\(Self.keepStepID($0)).outputs.artifact-id }}")) }))
            }
            map.set("runs-on", "ubuntu-latest")
            map.set("timeout-minutes", .int(job.timeoutMinutes))
            map.set("environment", .map([("name", .string(deployment.environment)), ("url", .string(deployment.url))]))
            // One deploy per environment at a time; a queued one waits instead of cancelling.
            map.set("concurrency", .map([("group", .string(deployment.serializationGroup(stack: graph.stack))), ("cancel-in-progress", false)]))
            map.set("permissions", permissions(job.permissions))
            map.set("env", .map([("IMAGE_TAG", .string(Self.releaseCommit))]))
            map.set("steps", .list(job.steps.flatMap { render($0, imageTag: Self.releaseCommit) }))
            jobs.set(job.id, map.yaml)
        }
        var document = YAMLMap()
        document.set("name", .string("\(graph.stack) deploy"))
        var inputs: [(String, YAML)] = [("image-tag", .map([
            ("description", "Commit SHA whose images and files to deploy"),
            ("required", true),
            ("type", "string"),
        ]))]
        if !graph.images.isEmpty {
            inputs.append(("image-digests", .map([
                ("description", .string("The digest each image's push reported, by build, as JSON: \(Self.digestExample(graph.images)). The CI run's summary gives it.")),
                ("required", true),
                ("type", "string"),
            ])))
        }
        document.set("on", .map([("workflow_dispatch", .map([("inputs", .map(inputs))]))]))
        document.set("permissions", permissions([]))
        document.set("defaults", .map([("run", .map([("shell", "bash")]))]))
        document.set("jobs", jobs.yaml)
        return document.yaml
    }

    /// The artifacts a job keeps only when it fails (a rollback plan), for a rollback job of its own.
    static func keepsOnFailure(_ job: CIJob) -> [String] {
        job.steps.compactMap { step in if case .saveFiles(let artifact, _) = step.action, step.onFailureOnly { artifact } else { nil } }
    }

    static func restored(_ job: CIJob) -> [String] {
        job.steps.compactMap { step in if case .restoreFiles(let artifact, _) = step.action { artifact } else { nil } }
    }

    static func keepStepID(_ artifact: String) -> String { "keep-\(artifact)" }

    private static func digestExample(_ images: [ImageBuild]) -> String {
        "{" + images.map { "\"\($0.workload)\": \"sha256:…\"" }.joined(separator: ", ") + "}"
    }

    /// `contents: read` and what the job's steps need besides, in GitHub's names.
    private func permissions(_ needed: [CIJob.Permission]) -> YAML {
        var entries: [(String, YAML)] = []
        if needed.contains(.readActions) { entries.append(("actions", "read")) }
        entries.append(("contents", "read"))
        if needed.contains(.oidcToken) { entries.append(("id-token", "write")) }
        if needed.contains(.writePackages) { entries.append(("packages", "write")) }
        if needed.contains(.writeSecurityEvents) { entries.append(("security-events", "write")) }
        return .map(entries)
    }

    // MARK: - Steps

    func render(_ ciStep: CIStep, imageTag: String) -> [YAML] {
        var env: [(String, YAML)] = []
        for variable in ciStep.environment {
            switch variable.value {
            case .text(let text): env.append((variable.name, .string(text)))
            case .secret(let name): env.append((variable.name, .string("${{ secrets.\(name) }}")))
            case .setting(let name): env.append((variable.name, .string("${{ vars.\(name) }}")))
            case .imageTag: env.append((variable.name, .string(imageTag)))
            case .imageDigest(let workload): env.append((variable.name, .string("${{ fromJSON(inputs.image-digests)['\(workload)'] }}")))
            case .pullRequestBase: env.append((variable.name, .string("${{ github.event.pull_request.base.sha }}")))
            }
        }
        // A cancelled deploy (a newer push, a person) is undone like a failed one.
        let condition = ciStep.onFailureOnly ? "failure() || cancelled()" : nil
        switch ciStep.action {
        case .run(let script):
            return [run(ciStep.name, script, env: env, condition: condition)]
        case .checkout:
            return [step(ciStep.name, ActionPins.checkout, with: [("persist-credentials", false)])]
        case .checkoutWithHistory:
            return [step(ciStep.name, ActionPins.checkout, with: [("persist-credentials", false), ("fetch-depth", 0)])]
        case .checkoutRelease:
            return [step(ciStep.name, ActionPins.checkout, with: [("ref", .string(imageTag)), ("persist-credentials", false)])]
        case .setupToolchain(let toolchain):
            return toolchainSetup(ciStep.name, toolchain)
        case .cache(.swiftBuild):
            return [step(ciStep.name, ActionPins.cache, with: [
                ("path", ".build"),
                ("key", "swift-${{ runner.os }}-${{ hashFiles('Package.swift', 'Package.resolved') }}"),
                ("restore-keys", "swift-${{ runner.os }}-"),
            ])]
        case .cache(.stagecraft(let version)):
            return [step(ciStep.name, ActionPins.cache, with: [("path", "~/.stagecraft"), ("key", .string("stagecraft-${{ runner.os }}-\(version)"))])]
        case .installStagecraft(let version):
            return [run(ciStep.name, StagecraftRelease.installScript(prefix: "$HOME/.stagecraft/$STAGECRAFT_VERSION") + """

                echo "$prefix/bin" >> "$GITHUB_PATH"
                """, env: [("STAGECRAFT_VERSION", .string(version)), ("STAGECRAFT_RELEASES", .string(StagecraftRelease.downloads))])]
        case .dependencyReview:
            return [step(ciStep.name, ActionPins.dependencyReview, with: [("fail-on-severity", "high")])]
        case .codeScanning(let language):
            return [
                step("Initialise CodeQL", ActionPins.codeql, subpath: "init", with: [
                    ("languages", .string(language)), ("build-mode", .string(language == "swift" || language == "go" ? "autobuild" : "none")),
                ]),
                step("Analyse", ActionPins.codeql, subpath: "analyze", with: [("category", .string("/language:\(language)"))]),
            ]
        case .secretScanning:
            return [
                step(ciStep.name, ActionPins.trivy, with: [
                    ("scan-type", "fs"), ("scanners", "secret"), ("format", "sarif"), ("output", "trivy-secrets.sarif"), ("exit-code", "1"),
                ]),
                step("Upload results", ActionPins.codeql, subpath: "upload-sarif", with: [("sarif_file", "trivy-secrets.sarif")], condition: "always()"),
            ]
        case .registryLogin(let host):
            let github = host == "ghcr.io"
            return [step(ciStep.name, ActionPins.dockerLogin, with: [
                ("registry", .string(host)),
                ("username", github ? "${{ github.actor }}" : "${{ secrets.REGISTRY_USERNAME }}"),
                ("password", github ? "${{ secrets.GITHUB_TOKEN }}" : "${{ secrets.REGISTRY_PASSWORD }}"),
            ])]
        case .buildAndPushImage:
            return [
                step("Set up Buildx", ActionPins.setupBuildx),
                step(ciStep.name, ActionPins.buildPush, id: "push", with: [
                    ("context", "${{ matrix.context }}"),
                    ("file", "${{ matrix.dockerfile }}"),
                    ("push", true),
                    ("tags", "${{ matrix.image }}:${{ github.sha }}"),
                    ("provenance", "mode=max"),
                    ("sbom", true),
                ]),
                run("Record the pushed image's digest", """
                    mkdir -p \(Self.digestFolder)
                    printf '%s\\n' "$DIGEST" > "\(Self.digestFolder)/$BUILD"
                    """, env: [("DIGEST", "${{ steps.push.outputs.digest }}"), ("BUILD", "${{ matrix.name }}")]),
                step("Keep the digest for the deploy", ActionPins.uploadArtifact, with: [
                    ("name", .string(Self.digestArtifact("${{ matrix.name }}"))),
                    ("path", .string("\(Self.digestFolder)/${{ matrix.name }}")),
                    ("if-no-files-found", "error"),
                ]),
            ]
        case .awsCredentials(let roleSecret, let region):
            return [step(ciStep.name, ActionPins.awsCredentials, with: [
                ("role-to-assume", .string("${{ secrets.\(roleSecret) }}")), ("aws-region", .string(region)),
            ], condition: condition)]
        case .installKubectl:
            return [step(ciStep.name, ActionPins.setupKubectl, condition: condition)]
        case .installTerraform(let version):
            return [step(ciStep.name, ActionPins.setupTerraform, with: [("terraform_version", .string(version)), ("terraform_wrapper", false)], condition: condition)]
        case .saveFiles(let artifact, let paths):
            return [step(ciStep.name, ActionPins.uploadArtifact, id: ciStep.onFailureOnly ? Self.keepStepID(artifact) : nil, with: [
                ("name", .string(artifact)),
                ("path", paths.count == 1 ? .string(paths[0]) : .block(paths.joined(separator: "\n"))),
                // Terraform's lock file is hidden; a plan is applied with the providers it was made with.
                ("include-hidden-files", true),
                ("if-no-files-found", "error"),
                // A job run again replaces what it kept (a new plan, to be reviewed anew).
                ("overwrite", true),
                ("retention-days", 7),
            ], condition: condition)]
        case .restoreFiles(let artifact, let directory):
            return [step(ciStep.name, ActionPins.downloadArtifact, with: [("name", .string(artifact)), ("path", .string(directory))], condition: condition)]
        }
    }

    private func toolchainSetup(_ name: String, _ toolchain: Toolchain) -> [YAML] {
        switch toolchain {
        case .swift(let version):
            [step(name, ActionPins.setupSwift, with: [("swift-version", .string(version))])]
        case .node(let version):
            [step(name, ActionPins.setupNode, with: [("node-version", .string(version)), ("cache", "npm")])]
        case .python(let version):
            [step(name, ActionPins.setupPython, with: [("python-version", .string(version)), ("cache", "pip")])]
        case .go(let version):
            [step(name, ActionPins.setupGo, with: [("go-version", .string(version))])]
        case .java(let version, let tool):
            [step(name, ActionPins.setupJava, with: [("distribution", "temurin"), ("java-version", .string(version)), ("cache", .string(tool.rawValue))])]
        case .ruby, .rust, .php, .dotnet, .elixir:
            // The job runs in the toolchain's image (its `container:`); this step keeps its packages.
            ToolchainImage.githubContainer(toolchain).map { container in
                let lockFiles = container.lockFiles.map { "'\($0)'" }.joined(separator: ", ")
                return [step("Cache packages", ActionPins.cache, with: [
                    ("path", .string(container.cachePaths.joined(separator: "\n"))),
                    ("key", .string("\(container.image.split(separator: "/").last!.replacingOccurrences(of: ":", with: "-"))-${{ hashFiles(\(lockFiles)) }}")),
                ])]
            } ?? []
        case .docker:
            []
        }
    }

    private func step(_ name: String, _ pin: ActionPin, subpath: String? = nil, id: String? = nil, with inputs: [(String, YAML)] = [], condition: String? = nil) -> YAML {
        var step = YAMLMap()
        step.set("name", .string(name))
        step.set("id", id.map { .string($0) })
        step.set("if", condition.map { .string($0) })
        step.set("uses", .string(pin.uses(subpath)))
        if !inputs.isEmpty { step.set("with", .map(inputs)) }
        return step.yaml
    }

    private func run(_ name: String, _ script: String, env: [(String, YAML)] = [], condition: String? = nil) -> YAML {
        var step = YAMLMap()
        step.set("name", .string(name))
        step.set("if", condition.map { .string($0) })
        if !env.isEmpty { step.set("env", .map(env)) }
        step.set("run", script.contains("\n") ? .block(script) : .string(script))
        return step.yaml
    }
}

