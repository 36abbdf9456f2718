import ArgumentParser
import Foundation
import StagecraftPromotion
import StagecraftReadiness
import StagecraftSpec

struct Promote: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Move the stack (or one environment) to the next or previous stage, with gates, a runbook and one reviewable change.",
        discussion: """
            One stage at a time: mvp → growth → scale, or back down with a warning. The target \
            stage's gates run first; a failing gate refuses the promotion (exit 1), listing each \
            failure with the stack-file line that fixes it, unless --force. Then the stage: argument \
            of the Stack(…) declaration (or of one environment, with --environment) is rewritten \
            and nothing else, the output is regenerated, and a runbook is written to \
            docs/promotions/<from>-to-<to>.md. The runbook is history: no later run deletes it.

            With --repo, the stack-file change (when the file is in that repository), the output and \
            the runbook become one commit, "<stack>: promote <from> → <to>". --dry-run prints what \
            would change and writes nothing.
            """
    )

    @OptionGroup var stack: StackOptions

    @Option(help: "The stage to move to: the next or the previous one.")
    var to: Stage

    @Option(help: ArgumentHelp("Move only this environment (staging or production), to rehearse a stage before the rest.", valueName: "name"))
    var environment: String?

    @Flag(help: "Print what would change and write nothing.")
    var dryRun = false

    @Flag(help: "Promote although gates fail; the runbook lists them.")
    var force = false

    @OptionGroup var destination: DestinationOptions

    @Option(help: ArgumentHelp("With --repo: the commit author, as \"Name <email>\".", valueName: "identity"))
    var author: String?

    func run() throws {
        let console = Console()
        let spec = try stack.loadSpec(console: console)
        let workflow = PromotionWorkflow(
            renderer: try stack.renderer(console: console),
            stackFile: stack.stackFile,
            destination: destination.out.map { .folder(URL(fileURLWithPath: $0)) }
                ?? .repository(path: destination.repo!, branch: destination.branch, prefix: destination.prefixPath),
            dryRun: dryRun, force: force, author: author)
        let outcome: PromotionWorkflow.Outcome
        do {
            outcome = try workflow.run(spec, to: to, environment: environment)
        } catch let failure as StageArgumentRewriter.Failure {
            // Where in the stack file, as compilers say it.
            console.error(failure.line.map { "\(stack.stackFile):\($0): \(failure)" } ?? "\(stack.stackFile): \(failure)")
            throw ExitCode.failure
        } catch {
            console.error("\(error)")
            throw ExitCode.failure
        }
        report(outcome, console: console)
        if !outcome.proceeds { throw ExitCode.failure }
    }

    private func report(_ outcome: PromotionWorkflow.Outcome, console: Console) {
        let promotion = outcome.promotion
        let gates = outcome.audit.gateFailures
        let output = ReadinessOutput(report: outcome.audit)
        if !outcome.proceeds {
            console.error("\(promotion.subject) refused: \(gates.count) gate\(gates.count == 1 ? "" : "s") of \(promotion.to) failed")
            console.print(output.findingLines(gates, console: console).joined(separator: "\n"))
            console.print("Apply the fixes and run promote again, or pass --force to promote anyway.")
            return
        }
        if promotion.isDemotion {
            console.note("warning: \(promotion.subject) removes capacity and recovery guarantees; read the runbook before deploying")
        }
        if !gates.isEmpty {
            console.note("warning: promoting with \(gates.count) failed gate\(gates.count == 1 ? "" : "s") (--force); the runbook lists them")
        }
        console.print(console.paint(dryRun ? "would \(promotion.subject)" : promotion.subject, .bold))
        for environment in promotion.changes {
            let stages = environment.from.flatMap { from in environment.to.map { "\(from) → \($0)" } } ?? ""
            console.print("\(environment.environment)\(stages.isEmpty ? "" : " (\(stages))"):")
            if environment.changes.isEmpty { console.print("  no resource changes") }
            for change in environment.changes {
                let color: Console.Color = change.kind == .added ? .green : change.kind == .removed ? .red : .yellow
                console.print("  " + console.paint("\(change.symbol) \(change.text)", color))
            }
        }
        console.print("stack file: \(stack.stackFile) (stage: argument only)")
        if let runbook = outcome.runbook { console.print("runbook: \(runbook.path)") }
        if let files = outcome.files {
            ChangeReport(console: console).print(files, destination: destination.label)
        }
        if let commit = outcome.commit { console.print("committed \(String(commit.description.prefix(12)))") }
        if dryRun { console.print("dry run: nothing was written") }
    }
}
