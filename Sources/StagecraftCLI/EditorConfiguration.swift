import Foundation
import StagecraftEvaluation
import StagecraftOutput

/// `compile_flags.txt` beside a stack file: the flags sourcekit-lsp (what VS Code's Swift
/// extension, Neovim, Emacs and others run) compiles the folder's Swift files with, so the editor
/// finds the `Stagecraft` module: completion inside every block, documentation on hover, and the
/// compiler's errors at their lines as you type. It names the DSL's module folder on this machine:
/// write it again (`stagecraft editor`) after Stagecraft moves.
enum EditorConfiguration {
    static let fileName = "compile_flags.txt"

    /// One argument per line, as sourcekit-lsp (and clangd) read the file.
    static func contents(_ toolchain: EvaluationToolchain) -> String {
        ["-swift-version", "6", "-I", toolchain.modulesDirectory.path].joined(separator: "\n") + "\n"
    }

    enum Failure: Error, CustomStringConvertible {
        case notOurs(path: String, lines: String)

        var description: String {
            switch self {
            case .notOurs(let path, let lines):
                "\(path) exists with flags of its own; it was left as it is. For editor support, add these lines to it:\n\(lines)"
            }
        }
    }

    /// Writes the file into the stack file's folder and returns its path. A file there that
    /// Stagecraft did not write (its flags do not start as ours do) is left alone.
    /// With no `toolchain`, the one stack evaluation would use (the DSL library next to this executable).
    @discardableResult
    static func write(besideStackFile stackFile: String, toolchain: EvaluationToolchain? = nil) throws -> String {
        let toolchain = try toolchain ?? EvaluationToolchain.discover(toolVersion: StagecraftVersion.current)
        let folder = URL(fileURLWithPath: stackFile).deletingLastPathComponent()
        let file = folder.appendingPathComponent(fileName)
        // Named as the stack file was: relative when it was.
        let typedFolder = (stackFile as NSString).deletingLastPathComponent
        let path = typedFolder.isEmpty ? fileName : (typedFolder as NSString).appendingPathComponent(fileName)
        let wanted = contents(toolchain)
        if let existing = try? String(contentsOf: file, encoding: .utf8), existing != wanted,
           !existing.hasPrefix("-swift-version\n6\n-I\n") || existing.split(separator: "\n").count != 4 {
            throw Failure.notOurs(path: path, lines: wanted)
        }
        try wanted.write(to: file, atomically: true, encoding: .utf8)
        return path
    }
}
