import StagecraftOutput
import StagecraftPlanner
import StagecraftSpec

/// GitHub Actions: a CI workflow (build, test, checks, drift, images) and a reusable deploy
/// workflow the CI calls on the default branch. Every action is pinned to a commit SHA;
/// every job gets only the permissions it needs; values reach scripts through `env:`,
/// never through `${{ }}` inside a script.
public struct GitHubActionsEmitter: Emitter {
    let deploySteps: DeployStepCatalog

    public init(deploySteps: DeployStepCatalog) {
        self.deploySteps = deploySteps
    }

    public static func ciPath(_ stack: String) -> String { ".github/workflows/\(stack)-ci.yml" }
    public static func deployPath(_ stack: String) -> String { ".github/workflows/\(stack)-deploy.yml" }

    public func emit(_ plan: StackPlan, context: EmitContext) throws -> [GeneratedFile] {
        guard plan.pipeline.providers.contains(.githubActions) else { return [] }
        var files = [try workflowFile(Self.ciPath(plan.stack), ci(plan))]
        if !plan.pipeline.deploys.isEmpty {
            files.append(try workflowFile(Self.deployPath(plan.stack), try deploy(plan)))
        }
        return files
    }

    private func workflowFile(_ path: String, _ document: YAML) throws -> GeneratedFile {
        try GeneratedFile(path: path, text: ActionPins.annotate(try document.serialized()), commentStyle: .hash)
    }

    // MARK: - CI

    func ci(_ plan: StackPlan) -> YAML {
        let pipeline = plan.pipeline
        let onDefaultBranch = "github.event_name == 'push' && github.ref == 'refs/heads/\(pipeline.defaultBranch)'"
        var jobs = YAMLMap()
        var gate: [String] = ["build"]

        jobs.set("build", job("Build and test", steps: [checkout()] + toolchainSetup(pipeline.toolchain) + buildSteps(pipeline)))
        if let lint = pipeline.lintCommand {
            jobs.set("lint", job("Lint", steps: [checkout()] + toolchainSetup(pipeline.toolchain) + [run("Lint", lint)]))
            gate.append("lint")
        }
        if pipeline.dependencyReview {
            jobs.set("dependency-review", job("Dependency review", condition: "github.event_name == 'pull_request'", steps: [
                checkout(),
                step("Review dependency changes", ActionPins.dependencyReview, with: [("fail-on-severity", "high")]),
            ]))
        }
        if pipeline.driftCheck {
            jobs.set("drift", job("Generated files match the stack", steps: driftSteps(pipeline)))
            gate.append("drift")
        }
        if pipeline.codeScanning, let language = codeQLLanguage(pipeline.toolchain) {
            jobs.set("code-scanning", job(
                "Code scanning",
                runsOn: language == "swift" ? "macos-latest" : "ubuntu-latest",
                permissions: [("actions", "read"), ("contents", "read"), ("security-events", "write")],
                steps: [
                    checkout(),
                    step("Initialise CodeQL", ActionPins.codeql, subpath: "init", with: [
                        ("languages", .string(language)), ("build-mode", .string(language == "swift" || language == "go" ? "autobuild" : "none")),
                    ]),
                    step("Analyse", ActionPins.codeql, subpath: "analyze", with: [("category", .string("/language:\(language)"))]),
                ]
            ))
        }
        if pipeline.secretScanning {
            jobs.set("secret-scanning", job(
                "Secret scanning",
                permissions: [("contents", "read"), ("security-events", "write")],
                steps: [
                    checkout(),
                    step("Scan for secrets", ActionPins.trivy, with: [
                        ("scan-type", "fs"), ("scanners", "secret"), ("format", "sarif"), ("output", "trivy-secrets.sarif"), ("exit-code", "1"),
                    ]),
                    step("Upload results", ActionPins.codeql, subpath: "upload-sarif", with: [("sarif_file", "trivy-secrets.sarif")], condition: "always()"),
                ]
            ))
        }
        if !pipeline.images.isEmpty {
            jobs.set("images", imagesJob(pipeline, needs: gate, condition: onDefaultBranch))
        }
        if !pipeline.deploys.isEmpty {
            var deploy = YAMLMap()
            deploy.set("name", "Deploy")
            deploy.set("needs", .list((pipeline.images.isEmpty ? gate : ["images"]).map { .string($0) }))
            deploy.set("if", .string(onDefaultBranch))
            deploy.set("permissions", permissions(deployPermissions(plan)))
            deploy.set("uses", .string("./\(Self.deployPath(plan.stack))"))
            deploy.set("with", .map([("image-tag", "${{ github.sha }}")]))
            jobs.set("deploy", deploy.yaml)
        }

        var document = YAMLMap()
        document.set("name", .string("\(plan.stack) CI"))
        document.set("on", .map([
            ("push", .map([("branches", .list([.string(pipeline.defaultBranch)]))])),
            ("pull_request", .map([])),
        ]))
        document.set("permissions", permissions([("contents", "read")]))
        document.set("concurrency", .map([
            ("group", "${{ github.workflow }}-${{ github.ref }}"),
            // Superseded pull-request runs are cancelled; runs on the default branch queue, so none is lost.
            ("cancel-in-progress", "${{ github.event_name == 'pull_request' }}"),
        ]))
        document.set("defaults", .map([("run", .map([("shell", "bash")]))]))
        document.set("jobs", jobs.yaml)
        return document.yaml
    }

    private func buildSteps(_ pipeline: PipelinePlan) -> [YAML] {
        var steps: [YAML] = []
        if case .swift = pipeline.toolchain {
            steps.append(step("Cache SwiftPM build", ActionPins.cache, with: [
                ("path", ".build"),
                ("key", "swift-${{ runner.os }}-${{ hashFiles('Package.swift', 'Package.resolved') }}"),
                ("restore-keys", "swift-${{ runner.os }}-"),
            ]))
        }
        if let build = pipeline.buildCommand { steps.append(run("Build", build)) }
        if let test = pipeline.testCommand { steps.append(run("Test", test)) }
        if pipeline.buildCommand == nil && pipeline.testCommand == nil {
            for image in pipeline.images {
                steps.append(run("Build the \(image.workload) image", "docker build --file \(FormatQuoting.shell(image.dockerfile)) \(FormatQuoting.shell(image.context))"))
            }
        }
        return steps
    }

    private func driftSteps(_ pipeline: PipelinePlan) -> [YAML] {
        let stackFile = FormatQuoting.shell(pipeline.stackFile)
        let output = FormatQuoting.shell(pipeline.outputDirectory)
        return [
            checkout(),
            step("Set up Swift", ActionPins.setupSwift, with: [("swift-version", "6.1")]),
            step("Cache Stagecraft", ActionPins.cache, with: [
                ("path", "~/.stagecraft"),
                ("key", .string("stagecraft-${{ runner.os }}-\(pipeline.toolVersion)")),
            ]),
            run("Install Stagecraft", """
                tool="$HOME/.stagecraft/$STAGECRAFT_VERSION"
                if [ ! -x "$tool/.build/release/stagecraft" ]; then
                  rm -rf "$tool"
                  git clone --quiet --depth 1 --branch "v$STAGECRAFT_VERSION" "$STAGECRAFT_REPOSITORY" "$tool"
                  swift build --configuration release --package-path "$tool"
                fi
                echo "$tool/.build/release" >> "$GITHUB_PATH"
                """, env: [
                    ("STAGECRAFT_VERSION", .string(pipeline.toolVersion)),
                    ("STAGECRAFT_REPOSITORY", "https://github.com/stagecraft/stagecraft.git"),
                ]),
            run("Regenerate", "stagecraft generate \(stackFile) --out \(output)"),
            run("Compare with the committed files", """
                if [ -n "$(git status --porcelain -- \(output))" ]; then
                  echo "::error::The generated files differ from \(pipeline.stackFile). Run 'stagecraft generate \(pipeline.stackFile) --out \(pipeline.outputDirectory)' and commit the result."
                  git status --short -- \(output)
                  exit 1
                fi
                """),
        ]
    }

    private func imagesJob(_ pipeline: PipelinePlan, needs: [String], condition: String) -> YAML {
        let registries = Set(pipeline.images.map { registryHost($0.repository) }).sorted()
        var steps: [YAML] = [checkout(), step("Set up Buildx", ActionPins.setupBuildx)]
        for registry in registries {
            let github = registry == "ghcr.io"
            steps.append(step("Log in to \(registry)", ActionPins.dockerLogin, with: [
                ("registry", .string(registry)),
                ("username", github ? "${{ github.actor }}" : "${{ secrets.REGISTRY_USERNAME }}"),
                ("password", github ? "${{ secrets.GITHUB_TOKEN }}" : "${{ secrets.REGISTRY_PASSWORD }}"),
            ]))
        }
        steps.append(step("Build and push", ActionPins.buildPush, with: [
            ("context", "${{ matrix.context }}"),
            ("file", "${{ matrix.dockerfile }}"),
            ("push", true),
            ("tags", "${{ matrix.image }}:${{ github.sha }}"),
            ("provenance", "mode=max"),
        ]))

        var perms: [(String, String)] = [("contents", "read")]
        if registries.contains("ghcr.io") { perms.append(("packages", "write")) }
        var job = YAMLMap()
        job.set("name", "Image ${{ matrix.name }}")
        job.set("needs", .list(needs.map { .string($0) }))
        job.set("if", .string(condition))
        job.set("runs-on", "ubuntu-latest")
        job.set("timeout-minutes", 30)
        job.set("permissions", permissions(perms))
        job.set("strategy", .map([("matrix", .map([("include", .list(pipeline.images.map { image in
            .map([
                ("name", .string(image.workload)), ("image", .string(image.repository)),
                ("context", .string(image.context)), ("dockerfile", .string(image.dockerfile)),
            ])
        }))]))]))
        job.set("steps", .list(steps))
        return job.yaml
    }

    // MARK: - Deploy

    func deploy(_ plan: StackPlan) throws -> YAML {
        let tagInput: YAML = .map([
            ("description", "Commit SHA whose images to deploy"),
            ("required", true),
            ("type", "string"),
        ])
        var jobs = YAMLMap()
        for target in plan.pipeline.deploys {
            let steps = try deploySteps.steps(for: target, plan: plan)
            var job = YAMLMap()
            job.set("name", .string("Deploy \(target.environment)" + (target.requiresApproval ? " (after approval)" : "")))
            if let after = target.after { job.set("needs", .list([.string(after)])) }
            job.set("runs-on", "ubuntu-latest")
            job.set("timeout-minutes", 30)
            job.set("environment", .map([("name", .string(target.environment)), ("url", .string(target.url))]))
            // One deploy per environment at a time; a queued one waits instead of cancelling.
            job.set("concurrency", .map([("group", .string("\(plan.stack)-deploy-\(target.environment)")), ("cancel-in-progress", false)]))
            job.set("permissions", permissions(stepPermissions(steps)))
            job.set("env", .map([("IMAGE_TAG", "${{ inputs.image-tag }}")]))
            job.set("steps", .list([checkout()] + steps.map(render)))
            jobs.set(target.environment, job.yaml)
        }
        var document = YAMLMap()
        document.set("name", .string("\(plan.stack) deploy"))
        document.set("on", .map([
            ("workflow_call", .map([("inputs", .map([("image-tag", tagInput)]))])),
            ("workflow_dispatch", .map([("inputs", .map([("image-tag", tagInput)]))])),
        ]))
        document.set("permissions", permissions([("contents", "read")]))
        document.set("defaults", .map([("run", .map([("shell", "bash")]))]))
        document.set("jobs", jobs.yaml)
        return document.yaml
    }

    private func deployPermissions(_ plan: StackPlan) -> [(String, String)] {
        let steps = plan.pipeline.deploys.flatMap { (try? deploySteps.steps(for: $0, plan: plan)) ?? [] }
        return stepPermissions(steps)
    }

    private func stepPermissions(_ steps: [CIStep]) -> [(String, String)] {
        let needsOIDC = steps.contains { if case .awsCredentials = $0.action { true } else { false } }
        return [("contents", "read")] + (needsOIDC ? [("id-token", "write")] : [])
    }

    func render(_ ciStep: CIStep) -> YAML {
        var env: [(String, YAML)] = []
        for variable in ciStep.environment {
            switch variable.value {
            case .text(let text): env.append((variable.name, .string(text)))
            case .secret(let name): env.append((variable.name, .string("${{ secrets.\(name) }}")))
            case .imageTag: env.append((variable.name, "${{ inputs.image-tag }}"))
            }
        }
        let condition = ciStep.onFailureOnly ? "failure()" : nil
        switch ciStep.action {
        case .run(let script):
            return run(ciStep.name, script, env: env, condition: condition)
        case .awsCredentials(let roleSecret, let region):
            return step(ciStep.name, ActionPins.awsCredentials, with: [
                ("role-to-assume", .string("${{ secrets.\(roleSecret) }}")), ("aws-region", .string(region)),
            ], condition: condition)
        case .installKubectl:
            return step(ciStep.name, ActionPins.setupKubectl, condition: condition)
        case .installTerraform(let version):
            return step(ciStep.name, ActionPins.setupTerraform, with: [("terraform_version", .string(version)), ("terraform_wrapper", false)], condition: condition)
        }
    }

    // MARK: - Building blocks

    private func job(_ name: String, runsOn: String = "ubuntu-latest", condition: String? = nil, permissions perms: [(String, String)]? = nil, steps: [YAML]) -> YAML {
        var job = YAMLMap()
        job.set("name", .string(name))
        job.set("if", condition.map { .string($0) })
        job.set("runs-on", .string(runsOn))
        job.set("timeout-minutes", 30)
        job.set("permissions", perms.map(permissions))
        job.set("steps", .list(steps))
        return job.yaml
    }

    private func permissions(_ entries: [(String, String)]) -> YAML {
        .map(entries.map { ($0.0, .string($0.1)) })
    }

    private func checkout() -> YAML {
        step("Check out", ActionPins.checkout, with: [("persist-credentials", false)])
    }

    private func step(_ name: String, _ pin: ActionPin, subpath: String? = nil, with inputs: [(String, YAML)] = [], condition: String? = nil) -> YAML {
        var step = YAMLMap()
        step.set("name", .string(name))
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

    private func toolchainSetup(_ toolchain: Toolchain) -> [YAML] {
        switch toolchain {
        case .swift(let version):
            [step("Set up Swift \(version)", ActionPins.setupSwift, with: [("swift-version", .string(version))])]
        case .node(let version):
            [step("Set up Node.js \(version)", ActionPins.setupNode, with: [("node-version", .string(version)), ("cache", "npm")])]
        case .python(let version):
            [step("Set up Python \(version)", ActionPins.setupPython, with: [("python-version", .string(version)), ("cache", "pip")])]
        case .go(let version):
            [step("Set up Go \(version)", ActionPins.setupGo, with: [("go-version", .string(version))])]
        case .docker:
            []
        }
    }

    private func codeQLLanguage(_ toolchain: Toolchain) -> String? {
        switch toolchain {
        case .swift: "swift"
        case .node: "javascript-typescript"
        case .python: "python"
        case .go: "go"
        case .docker: nil
        }
    }

    private func registryHost(_ repository: String) -> String {
        let first = repository.split(separator: "/").first.map(String.init) ?? repository
        return first.contains(".") || first.contains(":") ? first : "docker.io"
    }
}
