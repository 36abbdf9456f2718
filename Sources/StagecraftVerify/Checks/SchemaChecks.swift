import Foundation

/// `check-jsonschema` with one of its built-in vendor schemas or a schema file, on one file.
struct SchemaCheck {
    var schemaArguments: [String]
    var label: String

    static func builtIn(_ name: String) -> SchemaCheck {
        SchemaCheck(schemaArguments: ["--builtin-schema", name], label: "check-jsonschema \(name)")
    }

    func task(_ path: String, _ output: OutputFolder, _ environment: CheckEnvironment, file: URL? = nil) -> CheckTask {
        CheckTask(path: path, tool: label) {
            environment.with("check-jsonschema", path: path, label: label) { checker in
                let run = try ToolRun.run(checker, schemaArguments + [(file ?? output.url(path)).path])
                return run.succeeded ? .passed(path, label) : .failed(path, label, run.output)
            }
        }
    }
}

/// `.gitlab-ci.yml` against GitLab's schema.
struct GitLabCICheck: Check {
    func tasks(_ output: OutputFolder, _ environment: CheckEnvironment) -> [CheckTask] {
        output.files.filter { OutputFolder.name($0) == ".gitlab-ci.yml" }.map {
            SchemaCheck.builtIn("vendor.gitlab-ci").task($0, output, environment)
        }
    }
}

/// Compose files against the Compose specification.
struct ComposeCheck: Check {
    static let names: Set<String> = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"]

    func tasks(_ output: OutputFolder, _ environment: CheckEnvironment) -> [CheckTask] {
        output.files.filter { Self.names.contains(OutputFolder.name($0)) }.map {
            SchemaCheck.builtIn("vendor.compose-spec").task($0, output, environment)
        }
    }
}
