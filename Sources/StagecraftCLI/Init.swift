import ArgumentParser
import Foundation
import StagecraftEmitters
import StagecraftPlanner
import StagecraftSpec

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a commented starter stack file that generates as it is."
    )

    @Option(help: "The product's name: lowercase letters, digits and hyphens.")
    var name: String = "app"

    @Option(help: "The growth stage to start at: mvp, growth or scale.")
    var stage: Stage = .mvp

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the stack file.", valueName: "file"))
    var path: String = "Stack.swift"

    @Flag(help: "Overwrite the file if it exists.")
    var force = false

    func validate() throws {
        guard ValueRules.isName(name) else {
            throw ValidationError("'\(name)' is not a valid name: use 1–32 lowercase letters, digits and inner hyphens, starting with a letter")
        }
    }

    func run() throws {
        let console = Console()
        if FileManager.default.fileExists(atPath: path) && !force {
            console.error("\(path) already exists; pass --force to replace it")
            throw ExitCode.failure
        }
        guard let builtIn = TemplateLibrary.builtInDirectory() else {
            console.error("Stagecraft's built-in templates were not found; set STAGECRAFT_TEMPLATES")
            throw ExitCode.failure
        }
        let text = try TemplateLibrary(builtIn: builtIn).render("init/Stack.swift", ["name": name, "stage": stage.rawValue])
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        console.print("wrote \(path). Next: stagecraft generate \(path) --out infra")
        // The editor's view of the DSL; the stack is written whether or not this can be.
        do {
            let flags = try EditorConfiguration.write(besideStackFile: path)
            console.print("wrote \(flags): sourcekit-lsp completes and checks the stack as you type")
        } catch {
            console.warning("no editor configuration: \(error)")
        }
    }
}

extension Stage: ExpressibleByArgument {}
