import StagecraftOutput
import StagecraftPlanner
import StagecraftSpec

/// The CI/CD pipeline as jobs and their order, decided once from the plan: every CI
/// provider's emitter renders this graph and adds no job of its own.
public struct PipelineGraph: Sendable, Equatable {
    public var stack: String
    public var defaultBranch: String
    /// Checks, on every pull/merge request and push, and the image build on the default branch.
    public var ciJobs: [CIJob]
    /// One job per environment, in deploy order, after `deployEntry`.
    public var deployJobs: [CIJob]
    /// The CI jobs that must pass before the first deploy.
    public var deployEntry: [String]
    /// The images the CI run pushes, whose digests its deploy runs.
    public var images: [ImageBuild]

    public init(plan: StackPlan, deploySteps: DeployStepCatalog) throws {
        let pipeline = plan.pipeline
        stack = plan.stack
        defaultBranch = pipeline.defaultBranch
        var jobs = CIJobsBuilder(pipeline: pipeline)
        jobs.build()
        for target in pipeline.deploys {
            let review = try deploySteps.reviewSteps(for: target, plan: plan)
            guard !review.isEmpty else { continue }
            jobs.add(CIJob(id: "review-\(target.environment)", name: "What deploying \(target.environment) would change", stage: .test,
                           trigger: .pullRequest, steps: [CIStep("Check out", .checkout)] + review))
        }
        ciJobs = jobs.jobs
        deployEntry = pipeline.images.isEmpty ? jobs.gate : ["images"]
        images = pipeline.images
        // The job an environment's deploy ends with, for the environments deployed after it.
        var finalJob: [String: String] = [:]
        deployJobs = []
        for target in pipeline.deploys {
            let kind = plan.environment(target.environment)?.kind ?? .production
            var previous = target.after.map { finalJob[$0] ?? $0 }
            for phase in Self.withDeploySteps(try deploySteps.phases(for: target, plan: plan), of: plan.environment(target.environment)) {
                let name = "Deploy \(target.environment)" + (phase.name.isEmpty ? "" : ": \(phase.name)")
                let job = CIJob(
                    id: target.environment + phase.suffix,
                    name: name + (target.requiresApproval ? " (after approval)" : ""),
                    stage: .deploy,
                    needs: previous.map { [$0] } ?? [],
                    trigger: .defaultBranch,
                    steps: [CIStep("Check out the release", .checkoutRelease)] + phase.steps,
                    deployment: CIJob.Deployment(environment: target.environment, url: target.url, tier: kind, requiresApproval: target.requiresApproval),
                    afterFailure: phase.afterFailure
                )
                deployJobs.append(job)
                // A rollback follows the job it undoes; nothing waits for it.
                if !phase.afterFailure { previous = job.id }
            }
            finalJob[target.environment] = previous
        }
    }

    public var allJobs: [CIJob] { ciJobs + deployJobs }

    /// The stack's own `DeployStep`s of an environment, in the job that rolls the release out,
    /// once it is rolled out but before it is recorded as deployed and before the rollback: a
    /// failing one rolls the release back like any failed step.
    static func withDeploySteps(_ phases: [DeployPhase], of environment: EnvironmentPlan?) -> [DeployPhase] {
        let extra = (environment?.escapeHatches ?? []).compactMap { hatch -> CIStep? in
            guard case .deployStep(let name, let run) = hatch.change else { return nil }
            return CIStep(name, .run(run))
        }
        guard !extra.isEmpty, let last = phases.lastIndex(where: { !$0.afterFailure }) else { return phases }
        var phases = phases
        let steps = phases[last].steps
        let position = steps.firstIndex(where: \.recordsRelease) ?? steps.firstIndex(where: \.onFailureOnly) ?? steps.endIndex
        phases[last].steps.insert(contentsOf: extra, at: position)
        return phases
    }
}

public struct CIJob: Sendable, Equatable {
    public enum Trigger: Sendable, Equatable {
        /// Every pull/merge request and every push to the default branch.
        case always
        case pullRequest
        case defaultBranch
    }

    /// Where the job sits in the pipeline (GitLab's stages; GitHub orders by `needs`).
    public enum Stage: String, Sendable, CaseIterable {
        case test, build, deploy
    }

    public enum Runner: Sendable, Equatable {
        case linux
        /// Swift code scanning needs Apple's toolchain.
        case macOS
    }

    public struct Deployment: Sendable, Equatable {
        public var environment: String
        public var url: String
        public var tier: EnvironmentSpec.Kind
        /// A reviewer starts it: a GitHub environment protection rule, a manual GitLab job.
        public var requiresApproval: Bool
        /// Deploys to one environment never overlap: a queued one waits, none is cancelled.
        public func serializationGroup(stack: String) -> String { "\(stack)-deploy-\(environment)" }
    }

    /// What a job's token must be allowed beyond reading the repository.
    public enum Permission: String, Sendable, Comparable, CaseIterable {
        case readActions, oidcToken, writePackages, writeSecurityEvents
        public static func < (lhs: Permission, rhs: Permission) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    public var id: String
    public var name: String
    public var stage: Stage
    public var needs: [String] = []
    public var trigger: Trigger = .always
    public var runner: Runner = .linux
    public var timeoutMinutes = 30
    public var steps: [CIStep]
    /// The job runs once per image (a matrix) when its steps build images.
    public var images: [ImageBuild] = []
    public var deployment: Deployment?
    /// Runs only when the job it needs failed or was cancelled: a rollback of its own.
    public var afterFailure = false

    /// The language toolchain the job sets up, if any.
    public var toolchain: Toolchain? {
        for step in steps { if case .setupToolchain(let toolchain) = step.action { return toolchain } }
        return nil
    }

    public var permissions: [Permission] {
        var result: Set<Permission> = []
        for step in steps {
            switch step.action {
            case .awsCredentials: result.insert(.oidcToken)
            case .registryLogin(let host) where host == "ghcr.io": result.insert(.writePackages)
            case .codeScanning: result.formUnion([.readActions, .writeSecurityEvents])
            case .secretScanning: result.insert(.writeSecurityEvents)
            default: break
            }
        }
        return result.sorted()
    }
}

/// The CI jobs, in the order they read best.
private struct CIJobsBuilder {
    let pipeline: PipelinePlan
    var jobs: [CIJob] = []
    /// Jobs whose failure stops images and deploys.
    var gate: [String] = []

    init(pipeline: PipelinePlan) { self.pipeline = pipeline }

    mutating func build() {
        let checkout = CIStep("Check out", .checkout)
        let toolchain = setup(pipeline.toolchain)
        add(CIJob(id: "build", name: "Build and test", stage: .test, steps: [checkout] + toolchain + buildSteps()), gates: true)
        if let lint = pipeline.lintCommand {
            add(CIJob(id: "lint", name: "Lint", stage: .test, steps: [checkout] + toolchain + [CIStep("Lint", .run(lint))]), gates: true)
        }
        if !pipeline.migrationLints.isEmpty {
            add(CIJob(id: "migrations", name: "Lint the new migrations", stage: .test, trigger: .pullRequest,
                      steps: [CIStep("Check out with history", .checkoutWithHistory)] + MigrationLintSteps(lints: pipeline.migrationLints).steps))
        }
        if pipeline.dependencyReview {
            add(CIJob(id: "dependency-review", name: "Dependency review", stage: .test, trigger: .pullRequest, steps: [checkout, CIStep("Review dependency changes", .dependencyReview)]))
        }
        if pipeline.driftCheck {
            add(CIJob(id: "drift", name: "Generated files match the stack", stage: .test, steps: driftSteps()), gates: true)
        }
        if pipeline.codeScanning, let language = codeScanningLanguage(pipeline.toolchain) {
            add(CIJob(id: "code-scanning", name: "Code scanning", stage: .test, runner: language == "swift" ? .macOS : .linux,
                      steps: [checkout, CIStep("Analyse", .codeScanning(language: language))]))
        }
        if pipeline.secretScanning {
            add(CIJob(id: "secret-scanning", name: "Secret scanning", stage: .test, steps: [checkout, CIStep("Scan for secrets", .secretScanning)]))
        }
        if !pipeline.images.isEmpty {
            let registries = Set(pipeline.images.map { Self.registryHost($0.repository) }).sorted()
            var job = CIJob(id: "images", name: "Image", stage: .build, needs: gate, trigger: .defaultBranch,
                            steps: [checkout] + registries.map { CIStep("Log in to \($0)", .registryLogin(host: $0)) } + [CIStep("Build and push", .buildAndPushImage)])
            job.images = pipeline.images
            add(job)
        }
    }

    mutating func add(_ job: CIJob, gates: Bool = false) {
        jobs.append(job)
        if gates { gate.append(job.id) }
    }

    private func setup(_ toolchain: Toolchain) -> [CIStep] {
        switch toolchain {
        case .swift(let version): [CIStep("Set up Swift \(version)", .setupToolchain(toolchain))]
        case .node(let version): [CIStep("Set up Node.js \(version)", .setupToolchain(toolchain))]
        case .python(let version): [CIStep("Set up Python \(version)", .setupToolchain(toolchain))]
        case .go(let version): [CIStep("Set up Go \(version)", .setupToolchain(toolchain))]
        case .ruby(let version): [CIStep("Set up Ruby \(version)", .setupToolchain(toolchain))]
        case .java(let version, let tool): [CIStep("Set up Java \(version) with \(tool == .gradle ? "Gradle" : "Maven")", .setupToolchain(toolchain))]
        case .rust(let version): [CIStep("Set up Rust \(version)", .setupToolchain(toolchain))]
        case .php(let version): [CIStep("Set up PHP \(version)", .setupToolchain(toolchain)), CIStep("Install Composer", .run(Self.installComposer))]
        case .dotnet(let version): [CIStep("Set up .NET \(version)", .setupToolchain(toolchain))]
        case .elixir(let version): [CIStep("Set up Elixir \(version)", .setupToolchain(toolchain))]
        case .docker: []
        }
    }

    /// Composer as its documentation installs it: the installer is checked against the SHA-384
    /// signature Composer publishes, and refused if it differs. Git and unzip fetch packages.
    static let installComposer = """
        apt-get update -qq
        apt-get install --yes --quiet --no-install-recommends git unzip > /dev/null
        php -r "copy('https://getcomposer.org/installer', 'composer-setup.php');"
        expected="$(php -r "echo trim(file_get_contents('https://composer.github.io/installer.sig'));")"
        actual="$(php -r "echo hash_file('sha384', 'composer-setup.php');")"
        if [ "$expected" != "$actual" ]; then
          echo "The Composer installer does not match its published signature." >&2
          exit 1
        fi
        php composer-setup.php --quiet --install-dir=/usr/local/bin --filename=composer
        rm composer-setup.php
        """

    private func buildSteps() -> [CIStep] {
        var steps: [CIStep] = []
        if case .swift = pipeline.toolchain { steps.append(CIStep("Cache SwiftPM build", .cache(.swiftBuild))) }
        if let build = pipeline.buildCommand { steps.append(CIStep("Build", .run(build))) }
        if let test = pipeline.testCommand { steps.append(CIStep("Test", .run(test))) }
        if pipeline.buildCommand == nil && pipeline.testCommand == nil {
            for image in pipeline.images {
                steps.append(CIStep("Build the \(image.workload) image", .run("docker build --file \(FormatQuoting.shell(image.dockerfile)) \(FormatQuoting.shell(image.context))")))
            }
        }
        return steps
    }

    private func driftSteps() -> [CIStep] {
        let stackFile = FormatQuoting.shell(pipeline.stackFile)
        let output = FormatQuoting.shell(pipeline.outputDirectory)
        let regenerate = "stagecraft generate \(pipeline.stackFile) --out \(pipeline.outputDirectory)"
        return [
            CIStep("Check out", .checkout),
            CIStep("Set up Swift", .setupToolchain(.swift(StagecraftVersion.releaseSwift))),
            CIStep("Cache Stagecraft", .cache(.stagecraft(version: pipeline.toolVersion))),
            CIStep("Install Stagecraft", .installStagecraft(version: pipeline.toolVersion)),
            CIStep("Regenerate", .run("stagecraft generate \(stackFile) --out \(output)")),
            CIStep("Compare with the committed files", .run("""
                if [ -n "$(git status --porcelain -- \(output))" ]; then
                  echo "The generated files differ from the stack file. Run this and commit the result:" >&2
                  echo \(FormatQuoting.shell("  " + regenerate)) >&2
                  git status --short -- \(output)
                  exit 1
                fi
                """)),
        ]
    }

    private func codeScanningLanguage(_ toolchain: Toolchain) -> String? {
        switch toolchain {
        case .swift: "swift"
        case .node: "javascript-typescript"
        case .python: "python"
        case .go: "go"
        case .ruby: "ruby"
        case .java: "java-kotlin"
        case .rust: "rust"
        case .dotnet: "csharp"
        // CodeQL reads neither PHP nor Elixir.
        case .php, .elixir, .docker: nil
        }
    }

    static func registryHost(_ repository: String) -> String {
        let first = repository.split(separator: "/").first.map(String.init) ?? repository
        return first.contains(".") || first.contains(":") ? first : "docker.io"
    }
}
