import ArgumentParser
import Foundation
import StagecraftVerify

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run every real validator that applies to a generated output, and report each file.",
        discussion: """
            actionlint (with shellcheck), zizmor --offline and GitHub's schema for workflows; GitLab's \
            schema for .gitlab-ci.yml; the Compose specification; nginx -t; kubectl kustomize with \
            kubernetes-validate --strict (Kubernetes 1.31); the strict CloudNativePG schemas; terraform \
            fmt -check, init -backend=false and validate; shellcheck for scripts.

            A validator that is not installed is skipped with how to install it, never failed. \
            Validators are looked up in Stagecraft's .tools/venv/bin, then on PATH. Terraform \
            initialises offline from STAGECRAFT_TF_PLUGIN_DIR or /opt/tf-plugins. Exits 1 when \
            anything failed.
            """
    )

    @Argument(help: ArgumentHelp("The generated output.", valueName: "dir"))
    var directory: String = "."

    @Option(help: "text or json.")
    var format: Format = .text

    enum Format: String, ExpressibleByArgument { case text, json }

    func run() throws {
        let console = Console()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            console.error("\(directory) is not a folder")
            throw ExitCode.failure
        }
        let progress = ProgressLine()
        let report: VerifyReport
        do {
            report = try Verifier.standard().verify(URL(fileURLWithPath: directory)) { done, total, current in
                progress.show(done == total ? nil : "[\(done + 1)/\(total)] \(current)")
            }
        } catch {
            console.error("\(error)")
            throw ExitCode.failure
        }
        switch format {
        case .json: console.print(try Self.json(report))
        case .text: console.print(Self.text(report, console: console))
        }
        if !report.failed.isEmpty { throw ExitCode.failure }
    }

    static func text(_ report: VerifyReport, console: Console) -> String {
        guard !report.results.isEmpty else { return "nothing to verify: no file here is one a validator checks" }
        var lines: [String] = []
        for result in report.results {
            switch result.status {
            case .passed:
                lines.append("\(console.paint("pass", .green))  \(result.path)  \(console.paint(result.tool, .dim))")
            case .failed:
                lines.append("\(console.paint("FAIL", .red))  \(result.path)  \(result.tool)")
                lines += (result.message ?? "").split(separator: "\n", omittingEmptySubsequences: false).map { "      " + $0 }
            case .skipped:
                lines.append("\(console.paint("skip", .yellow))  \(result.path)  \(result.tool): \(result.message ?? "")"
                    + (result.hint.map { " (\($0))" } ?? ""))
            }
        }
        lines.append(report.summary)
        return lines.joined(separator: "\n")
    }

    static func json(_ report: VerifyReport) throws -> String {
        struct Document: Encodable {
            var passed: Int, failed: Int, skipped: Int
            var results: [CheckResult]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let document = Document(passed: report.count(.passed), failed: report.count(.failed), skipped: report.count(.skipped), results: report.results)
        return String(decoding: try encoder.encode(document), as: UTF8.self)
    }
}

/// A counter line on standard error, redrawn in place, only when standard error is a terminal.
struct ProgressLine {
    let enabled = isatty(STDERR_FILENO) == 1

    func show(_ text: String?) {
        guard enabled else { return }
        let line = text.map { String($0.prefix(width - 1)) } ?? ""
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
    }

    private var width: Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
        return 80
    }
}
