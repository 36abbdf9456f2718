import ArgumentParser

struct Editor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the editor configuration beside a stack file, for completion, documentation and errors as you type.",
        discussion: """
            Writes compile_flags.txt into the stack file's folder: the flags sourcekit-lsp (VS Code's \
            Swift extension, Neovim, Emacs and other LSP editors) compiles it with, naming where the \
            Stagecraft module is on this machine. `stagecraft init` writes it too; run this after \
            Stagecraft moves, or for a stack written by hand. A compile_flags.txt with flags of your \
            own is left alone, and the lines to add are printed.
            """
    )

    @Argument(help: ArgumentHelp("The stack file.", valueName: "stack-file"))
    var stackFile: String = "Stack.swift"

    func run() throws {
        let console = Console()
        do {
            let path = try EditorConfiguration.write(besideStackFile: stackFile)
            console.print("wrote \(path): open the folder in an editor with sourcekit-lsp for completion and errors as you type")
        } catch {
            console.error("\(error)")
            throw ExitCode.failure
        }
    }
}
