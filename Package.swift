// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Stagecraft",
    platforms: [.macOS(.v13)],
    products: [
        // The DSL that stack files import. Dynamic, because the CLI links each
        // user's stack file against it at evaluation time.
        .library(name: "Stagecraft", type: .dynamic, targets: ["Stagecraft"]),
        .executable(name: "stagecraft", targets: ["stagecraft"]),
        .executable(name: "stagecraft-bench", targets: ["stagecraft-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .target(name: "StagecraftSpec"),
        .target(name: "Stagecraft", dependencies: ["StagecraftSpec"]),
        .target(name: "StagecraftOutput"),
        .target(name: "StagecraftEvaluation", dependencies: ["StagecraftSpec", "StagecraftOutput"]),
        .target(name: "StagecraftPlanner", dependencies: ["StagecraftSpec", .product(name: "Yams", package: "Yams")]),
        .target(
            name: "StagecraftEmitters",
            dependencies: [
                "StagecraftPlanner", "StagecraftOutput",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        .target(name: "StagecraftWriters", dependencies: ["StagecraftOutput"]),
        .target(name: "StagecraftVerify", dependencies: ["StagecraftOutput", .product(name: "Yams", package: "Yams")]),
        .target(name: "StagecraftReadiness", dependencies: ["StagecraftSpec", "StagecraftPlanner"]),
        .target(name: "StagecraftPromotion", dependencies: ["StagecraftSpec", "StagecraftPlanner", "StagecraftReadiness", "StagecraftEmitters", "StagecraftOutput"]),
        .target(
            name: "StagecraftCLI",
            dependencies: [
                "StagecraftSpec", "StagecraftEvaluation", "StagecraftPlanner", "StagecraftEmitters",
                "StagecraftOutput", "StagecraftWriters", "StagecraftGit", "StagecraftReadiness",
                "StagecraftPromotion", "StagecraftVerify",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .systemLibrary(name: "CLibGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        .target(name: "CLibGit2Shim", dependencies: ["CLibGit2"]),
        .target(name: "StagecraftGit", dependencies: ["CLibGit2", "CLibGit2Shim", "StagecraftOutput", "StagecraftWriters"]),
        .executableTarget(name: "stagecraft", dependencies: ["StagecraftCLI"]),
        .executableTarget(
            name: "stagecraft-bench",
            dependencies: ["StagecraftCLI", "StagecraftEvaluation", "StagecraftWriters", "StagecraftGit", "StagecraftOutput"]
        ),
        .testTarget(
            name: "StagecraftTests",
            dependencies: [
                "Stagecraft", "StagecraftSpec", "StagecraftEvaluation", "StagecraftPlanner",
                "StagecraftEmitters", "StagecraftOutput", "StagecraftWriters", "StagecraftCLI", "StagecraftReadiness",
                "StagecraftPromotion", "StagecraftGit", "StagecraftVerify",
                .product(name: "Yams", package: "Yams"),
            ],
            // Read from the checkout by the tests that use them, not resources.
            exclude: ["AWS/checkov-allowlist.yaml", "Kubernetes/Support/restore-api.py"]
        ),
        .testTarget(name: "StagecraftGitTests", dependencies: ["StagecraftGit", "StagecraftOutput", "StagecraftWriters"]),
    ],
    swiftLanguageModes: [.v6]
)
