import StagecraftSpec

/// The official image each toolchain's jobs run in, where no pinned setup action puts it on a
/// GitHub runner (GitHub runs the job in the image as its container) and on GitLab (the job's
/// image), with the package caches kept between runs. Debian-based images: the jobs' scripts are bash.
struct ToolchainImage {
    let image: String
    /// Cached folders as seen inside the container, and the lock files their key hashes.
    let cachePaths: [String]
    let lockFiles: [String]

    /// The image a GitHub job runs in (`container:`), or nil when a setup action prepares the runner.
    static func githubContainer(_ toolchain: Toolchain) -> ToolchainImage? {
        switch toolchain {
        case .ruby(let version):
            ToolchainImage(image: "ruby:\(version)", cachePaths: ["/usr/local/bundle"], lockFiles: ["Gemfile.lock"])
        case .rust(let version):
            ToolchainImage(image: "rust:\(version)", cachePaths: ["/usr/local/cargo/registry", "/usr/local/cargo/git", "target"], lockFiles: ["Cargo.lock"])
        case .php(let version):
            ToolchainImage(image: "php:\(version)-cli", cachePaths: ["~/.cache/composer"], lockFiles: ["composer.lock"])
        case .dotnet(let version):
            ToolchainImage(image: "mcr.microsoft.com/dotnet/sdk:\(version)", cachePaths: ["~/.nuget/packages"], lockFiles: ["**/*.csproj", "**/packages.lock.json"])
        case .elixir(let version):
            ToolchainImage(image: "elixir:\(version)", cachePaths: ["deps", "_build"], lockFiles: ["mix.lock"])
        case .swift, .node, .python, .go, .java, .docker:
            nil
        }
    }

    /// The image of a GitLab job that uses the toolchain.
    static func gitlab(_ toolchain: Toolchain) -> String? {
        switch toolchain {
        case .swift(let version): "swift:\(version)"
        case .node(let version): "node:\(version)"
        case .python(let version): "python:\(version)"
        case .go(let version): "golang:\(version)"
        case .java(let version, .gradle): "eclipse-temurin:\(version)"
        case .java(let version, .maven): "maven:3-eclipse-temurin-\(version)"
        case .ruby, .rust, .php, .dotnet, .elixir: githubContainer(toolchain)?.image
        case .docker: nil
        }
    }

    /// GitLab caches only paths inside the project: where each package manager is told to keep
    /// its packages there (variables), and those paths, keyed by the lock files.
    /// `files` nil: a key of the prefix alone (no lock file every project has).
    static func gitlabCache(_ toolchain: Toolchain) -> (prefix: String, files: [String]?, paths: [String], variables: [(String, String)])? {
        switch toolchain {
        case .node: ("npm", ["package-lock.json"], [".npm/"], [("npm_config_cache", "$CI_PROJECT_DIR/.npm")])
        case .python: ("pip", ["requirements.txt"], [".cache/pip/"], [("PIP_CACHE_DIR", "$CI_PROJECT_DIR/.cache/pip")])
        case .go: ("go", ["go.sum"], [".go/pkg/mod/"], [("GOMODCACHE", "$CI_PROJECT_DIR/.go/pkg/mod")])
        case .ruby: ("bundle", ["Gemfile.lock"], ["vendor/bundle/"], [("BUNDLE_PATH", "$CI_PROJECT_DIR/vendor/bundle")])
        case .java(_, .gradle): ("gradle", ["gradle/wrapper/gradle-wrapper.properties"], [".gradle/"], [("GRADLE_USER_HOME", "$CI_PROJECT_DIR/.gradle")])
        case .java(_, .maven): ("maven", ["pom.xml"], [".m2/repository/"], [("MAVEN_OPTS", "-Dmaven.repo.local=$CI_PROJECT_DIR/.m2/repository")])
        case .rust: ("cargo", ["Cargo.lock"], [".cargo/registry/", ".cargo/git/", "target/"], [("CARGO_HOME", "$CI_PROJECT_DIR/.cargo")])
        case .php: ("composer", ["composer.lock"], [".composer-cache/"], [("COMPOSER_CACHE_DIR", "$CI_PROJECT_DIR/.composer-cache")])
        case .dotnet: ("nuget", nil, [".nuget/packages/"], [("NUGET_PACKAGES", "$CI_PROJECT_DIR/.nuget/packages")])
        case .elixir: ("mix", ["mix.lock"], ["deps/", "_build/"], [])
        case .swift, .docker: nil
        }
    }
}
