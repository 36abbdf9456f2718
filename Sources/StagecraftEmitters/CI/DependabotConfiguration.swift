import StagecraftPlanner
import StagecraftSpec

/// `.github/dependabot.yml`: weekly, grouped pull requests that keep current the actions the
/// workflows pin, the base images of the stack's Dockerfiles and the application's own
/// packages. Pins of the generated workflows that Dependabot raises are kept by
/// `stagecraft generate` (see ``ActionPinUpdates``): generating on its pull request's branch
/// records them in the manifest, and the drift check passes.
public struct DependabotConfiguration {
    public static let path = ".github/dependabot.yml"

    let pipeline: PipelinePlan

    var document: YAML {
        var updates: [YAML] = [update("github-actions", directories: ["/"], group: "actions")]
        let dockerfileFolders = pipeline.images.map { image -> String in
            let folder = image.dockerfile.split(separator: "/").dropLast().joined(separator: "/")
            return "/" + folder
        }
        var seen: Set<String> = []
        let folders = dockerfileFolders.filter { seen.insert($0).inserted }
        if !folders.isEmpty { updates.append(update("docker", directories: folders, group: "base-images")) }
        if let ecosystem = Self.ecosystem(pipeline.toolchain) { updates.append(update(ecosystem, directories: ["/"], group: "packages")) }
        var document = YAMLMap()
        document.set("version", 2)
        document.set("updates", .list(updates))
        return document.yaml
    }

    private func update(_ ecosystem: String, directories: [String], group: String) -> YAML {
        var map = YAMLMap()
        map.set("package-ecosystem", .string(ecosystem))
        if directories.count == 1 { map.set("directory", .string(directories[0])) } else { map.set("directories", .list(directories.map { .string($0) })) }
        map.set("schedule", .map([("interval", "weekly")]))
        // One pull request a week per ecosystem, not one per dependency.
        map.set("groups", .map([(group, .map([("patterns", .list(["*"]))]))]))
        return map.yaml
    }

    /// Dependabot's name for the application's package manager; none for a Docker-only build.
    public static func ecosystem(_ toolchain: Toolchain) -> String? {
        switch toolchain {
        case .swift: "swift"
        case .node: "npm"
        case .python: "pip"
        case .go: "gomod"
        case .ruby: "bundler"
        case .java(_, let tool): tool == .gradle ? "gradle" : "maven"
        case .rust: "cargo"
        case .php: "composer"
        case .dotnet: "nuget"
        case .elixir: "mix"
        case .docker: nil
        }
    }
}
