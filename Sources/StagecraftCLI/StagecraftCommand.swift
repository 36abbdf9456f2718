import ArgumentParser
import StagecraftOutput

/// `stagecraft`: the command-line entry point.
public struct StagecraftCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "stagecraft",
        abstract: "Declare your product's infrastructure in Swift, by growth stage, and generate the files that run it.",
        discussion: """
            A stack file (Stack.swift) declares services, databases, caches, the load balancer, CDN, \
            environments and pipeline, tagged with a stage: mvp, growth or scale. Stagecraft fills in \
            what each stage needs and writes environment configs, CI/CD workflows and platform files.

            Start with `stagecraft init`, then `stagecraft generate --out infra`.
            """,
        version: StagecraftVersion.current,
        subcommands: [Init.self, Editor.self, Generate.self, Plan.self, Check.self, Promote.self, Stages.self, Graph.self, Verify.self]
    )

    public init() {}
}
