import Foundation
import StagecraftGit
import StagecraftOutput
import StagecraftPlanner
import StagecraftPromotion
import StagecraftReadiness
import StagecraftSpec
import StagecraftWriters

/// `promote` without the command line: gates, stack-file rewrite, regeneration and runbook,
/// written to a folder or as one commit. Tests drive it with their own renderer.
public struct PromotionWorkflow {
    public enum Destination {
        case folder(URL)
        case repository(path: String, branch: String?, prefix: OutputPath?)
    }

    public var renderer: Renderer
    /// The stack file as the user named it; the spec was evaluated from it.
    public var stackFile: String
    public var destination: Destination
    public var dryRun = false
    public var force = false
    public var author: String?

    public init(renderer: Renderer, stackFile: String, destination: Destination, dryRun: Bool = false, force: Bool = false, author: String? = nil) {
        self.renderer = renderer
        self.stackFile = stackFile
        self.destination = destination
        self.dryRun = dryRun
        self.force = force
        self.author = author
    }

    /// The stack file as the output names it: relative to the repository root.
    private var outputName: String {
        let root = switch destination {
        case .folder(let root): root
        case .repository(let path, _, let prefix): prefix.map { URL(fileURLWithPath: path).appendingPathComponent($0.value) } ?? URL(fileURLWithPath: path)
        }
        return RepositoryRelativePath.stackFile(stackFile, outputRoot: root)
    }

    public struct Outcome {
        public var promotion: Promotion
        /// The audit at the target stage; its gate failures refused the promotion, or were forced.
        public var audit: ReadinessReport
        /// Whether anything was (or, with dryRun, would be) written.
        public var proceeds: Bool
        /// What the output gains and loses; nil when refused.
        public var files: ChangeSet?
        public var runbook: GeneratedFile?
        public var commit: GitOID?
    }

    public struct Unplannable: Error, CustomStringConvertible {
        public var stage: Stage
        /// What the planner refuses, each at its stack-file line.
        public var reasons: [Diagnostic]
        public var description: String {
            (["the stack does not plan at \(stage); --force cannot skip what the planner refuses:"] + reasons.map { "  \($0)" })
                .joined(separator: "\n")
        }
    }

    public func run(_ spec: StackSpec, to target: Stage, environment: String? = nil) throws -> Outcome {
        let source = [UInt8](try Data(contentsOf: URL(fileURLWithPath: stackFile)))
        let planner = Planner(toolVersion: renderer.toolVersion)
        let promotion = try Promoter(planner: planner).promote(spec, source: source, to: target, environment: environment)
        let audit = ReadinessAudit(planner: planner).audit(promotion.newSpec, at: target)
        var outcome = Outcome(promotion: promotion, audit: audit, proceeds: false)
        if !audit.passesGates && !force { return outcome }
        guard let after = promotion.after else { throw Unplannable(stage: target, reasons: promotion.refusal) }

        let files = try renderer.files(for: after.namingStackFile(outputName))
        let runbook = try Runbook.render(promotion, gates: audit.gateFailures, stackFile: outputName, templates: renderer.templates)
        outcome.proceeds = true
        outcome.runbook = runbook
        if dryRun {
            outcome.files = try changes(for: files)
            return outcome
        }
        switch destination {
        case .folder(let root):
            outcome.files = try DirectoryWriter(root: root).write(files, unmanaged: [runbook])
            try replaceStackFile(with: promotion.newSource)
        case .repository(let path, let branch, let prefix):
            let result = try commit(promotion, files: files, runbook: runbook, repository: path, branch: branch, prefix: prefix)
            outcome.files = result.changes
            outcome.commit = result.commit
        }
        return outcome
    }

    private func changes(for files: FileSet) throws -> ChangeSet {
        switch destination {
        case .folder(let root):
            return try DirectoryWriter(root: root).changes(for: files)
        case .repository(let path, let branch, let prefix):
            let snapshot = try GitRepository.open(at: path).snapshot(branch: branch, prefix: prefix)
            return try ChangeSet.compute(files, previous: snapshot.manifest, existing: snapshot.file)
        }
    }

    /// One commit: the output, the runbook and, when it lives in the repository, the stack file.
    private func commit(_ promotion: Promotion, files: FileSet, runbook: GeneratedFile, repository path: String, branch: String?, prefix: OutputPath?) throws -> GitCommitResult {
        var unmanaged = [GeneratedFile(path: runbook.path.prefixed(by: prefix), contents: runbook.contents, commentStyle: runbook.commentStyle)]
        let stackPath = try stackFilePath(inRepository: path)
        if let stackPath {
            unmanaged.append(GeneratedFile(path: stackPath, contents: promotion.newSource, commentStyle: .slashes))
        }
        let plan = promotion.after!
        let request = GitCommitRequest(
            repositoryPath: path, branch: branch, prefix: prefix, files: files,
            message: GitCommitMessage(
                stack: plan.stack, stage: plan.stage.rawValue,
                environments: plan.environments.filter { $0.kind != .development }.map(\.name),
                toolVersion: renderer.toolVersion, customSubject: promotion.subject),
            author: author, unmanaged: unmanaged)
        let result = try GitWriter().commit(request)
        // A checked-out branch brought the new stack file into the work tree; otherwise it is written here.
        if stackPath == nil || !result.workTreeUpdated { try replaceStackFile(with: promotion.newSource) }
        return result
    }

    /// The stack file's path inside the repository's work tree, or nil when it lives elsewhere.
    private func stackFilePath(inRepository path: String) throws -> OutputPath? {
        guard try !GitRepository.open(at: path).isBare else { return nil }
        let root = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        let file = URL(fileURLWithPath: stackFile).standardizedFileURL.resolvingSymlinksInPath().path
        guard file.hasPrefix(root + "/") else { return nil }
        return try OutputPath(String(file.dropFirst(root.count + 1)))
    }

    /// Replaces the stack file whole (write beside it, then rename), keeping its permissions.
    private func replaceStackFile(with bytes: [UInt8]) throws {
        let url = URL(fileURLWithPath: stackFile)
        let partial = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).stagecraft-partial")
        let permissions = (try? FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions]) ?? 0o644
        guard FileManager.default.createFile(atPath: partial.path, contents: Data(bytes), attributes: [.posixPermissions: permissions]) else {
            throw DirectoryWriter.Failure.io("cannot write \(partial.path)")
        }
        guard rename(partial.path, url.path) == 0 else {
            try? FileManager.default.removeItem(at: partial)
            throw DirectoryWriter.Failure.io("cannot replace \(stackFile): \(String(cString: strerror(errno)))")
        }
    }
}
