import Foundation
import StagecraftOutput
import XCTest
import Yams

/// The release archive as users and the drift check get it: `scripts/release` builds it, the
/// generated drift job's own install step downloads it from a release server, checks its SHA-256
/// and unpacks it into an empty prefix, and the installed `stagecraft`, run with a clean
/// environment, generates byte for byte what the build folder's does, compiling the stack
/// against the DSL's module interface.
final class ReleaseArchiveTests: XCTestCase {
    private var server: Process?

    override func tearDown() {
        if let server, server.isRunning {
            server.terminate()
            server.waitUntilExit()
        }
        super.tearDown()
    }

    func testTheInstalledArchiveGeneratesWhatTheBuildFolderDoes() throws {
        let built = try Tools.run("/bin/bash", [Fixtures.repositoryRoot.appendingPathComponent("scripts/release").path], in: Fixtures.repositoryRoot)
        XCTAssertEqual(built.status, 0, built.output)
        let archive = Fixtures.repositoryRoot.appendingPathComponent(try XCTUnwrap(built.output.split(separator: "\n").last).description)
        let version = StagecraftVersion.current
        XCTAssertEqual(archive.lastPathComponent, "stagecraft-\(version)-linux-x86_64.tar.gz")

        // A release server: the archive and its checksum as assets of the tag.
        let releases = try Fixtures.temporaryDirectory("releases")
        defer { try? FileManager.default.removeItem(at: releases) }
        let assets = releases.appendingPathComponent("v\(version)")
        try FileManager.default.createDirectory(at: assets, withIntermediateDirectories: true)
        for name in [archive.lastPathComponent, archive.lastPathComponent + ".sha256"] {
            try FileManager.default.copyItem(at: archive.deletingLastPathComponent().appendingPathComponent(name), to: assets.appendingPathComponent(name))
        }
        let port = Tools.freePort()
        server = try Tools.start(try Tools.require("python3"), ["-m", "http.server", "--bind", "127.0.0.1", "--directory", releases.path, String(port)])
        try Tools.waitForPort(port)

        // The drift job's install step, as the runner runs it, into an empty home.
        let workspace = try Fixtures.workspace("release", examples: ["blog"], git: true)
        defer { try? FileManager.default.removeItem(at: workspace) }
        let generated = try Fixtures.stagecraft(["generate", "stacks/blog.swift", "--out", "infra"], in: workspace)
        XCTAssertEqual(generated.status, 0, generated.output)
        let install = try installStep(workspace.appendingPathComponent("infra/.github/workflows/blog-ci.yml"))
        XCTAssertEqual(install.environment["STAGECRAFT_VERSION"], version)
        let home = workspace.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let githubPath = home.appendingPathComponent("github-path")
        let installed = try runCleanly("/bin/bash", ["-e", "-o", "pipefail", "-c", install.script], home: home, extra: [
            "STAGECRAFT_VERSION=\(version)", "STAGECRAFT_RELEASES=http://127.0.0.1:\(port)", "GITHUB_PATH=\(githubPath.path)",
        ])
        XCTAssertEqual(installed.status, 0, installed.output)
        XCTAssertTrue(installed.output.contains(version), installed.output)
        let prefix = home.appendingPathComponent(".stagecraft/\(version)")
        XCTAssertEqual(try String(contentsOf: githubPath, encoding: .utf8), prefix.appendingPathComponent("bin").path + "\n")

        // The DSL is there as module interfaces only, so the installed tool compiles stacks from them.
        let modules = prefix.appendingPathComponent("lib/stagecraft/Modules")
        let moduleFiles = try XCTUnwrap(FileManager.default.subpaths(atPath: modules.path)).filter { !$0.hasSuffix(".swiftmodule") }.sorted()
        // No binary module: a compiler reads the interfaces (and only the public ones ship).
        XCTAssertEqual(moduleFiles, [
            "Stagecraft.swiftmodule/x86_64-unknown-linux-gnu.swiftinterface",
            "StagecraftSpec.swiftmodule/x86_64-unknown-linux-gnu.swiftinterface",
        ])
        XCTAssertEqual(try String(contentsOf: prefix.appendingPathComponent("share/stagecraft/swift-version"), encoding: .utf8), StagecraftVersion.releaseSwift + "\n")
        // Swift's libraries are linked in; libgit2 is loaded from the prefix.
        let libraries = try Tools.run("/usr/bin/ldd", [prefix.appendingPathComponent("bin/stagecraft").path])
        XCTAssertFalse(libraries.output.contains("libswiftCore"), libraries.output)
        XCTAssertFalse(libraries.output.contains("libFoundation"), libraries.output)
        let libgit2 = try XCTUnwrap(libraries.output.split(separator: "\n").first { $0.contains("libgit2") }, libraries.output)
        XCTAssertTrue(libgit2.contains("=> \(prefix.path)/bin/../lib/stagecraft/libgit2"), libraries.output)
        XCTAssertFalse(libraries.output.contains("not found"), libraries.output)

        // From the prefix, with nothing of the build folder or this checkout in sight.
        let fromPrefix = try runCleanly(prefix.appendingPathComponent("bin/stagecraft").path,
                                        ["generate", "stacks/blog.swift", "--out", "infra-installed"], in: workspace, home: home)
        XCTAssertEqual(fromPrefix.status, 0, fromPrefix.output)
        let expected = try Fixtures.tree(workspace.appendingPathComponent("infra"))
        let actual = try Fixtures.tree(workspace.appendingPathComponent("infra-installed"))
        XCTAssertEqual(Set(actual.keys), Set(expected.keys))
        for (path, data) in expected where actual[path] != data { XCTFail("infra-installed/\(path) differs from the build folder's infra/\(path)") }

        // A cache that restored the prefix skips the download.
        let again = try runCleanly("/bin/bash", ["-e", "-o", "pipefail", "-c", install.script], home: home, extra: [
            "STAGECRAFT_VERSION=\(version)", "STAGECRAFT_RELEASES=http://127.0.0.1:1", "GITHUB_PATH=\(githubPath.path)",
        ])
        XCTAssertEqual(again.status, 0, again.output)

        // An archive that does not match its checksum is never unpacked.
        var tampered = try Data(contentsOf: assets.appendingPathComponent(archive.lastPathComponent))
        tampered[tampered.count / 2] ^= 0xFF
        try tampered.write(to: assets.appendingPathComponent(archive.lastPathComponent))
        let otherHome = workspace.appendingPathComponent("other-home")
        try FileManager.default.createDirectory(at: otherHome, withIntermediateDirectories: true)
        let refused = try runCleanly("/bin/bash", ["-e", "-o", "pipefail", "-c", install.script], home: otherHome, extra: [
            "STAGECRAFT_VERSION=\(version)", "STAGECRAFT_RELEASES=http://127.0.0.1:\(port)", "GITHUB_PATH=\(githubPath.path)",
        ])
        XCTAssertNotEqual(refused.status, 0, refused.output)
        XCTAssertTrue(refused.output.contains("FAILED"), refused.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: otherHome.appendingPathComponent(".stagecraft/\(version)/bin/stagecraft").path))
    }

    private func installStep(_ workflow: URL) throws -> (script: String, environment: [String: String]) {
        let document = try XCTUnwrap(try Yams.load(yaml: String(contentsOf: workflow, encoding: .utf8)) as? [String: Any])
        let steps = try XCTUnwrap(((document["jobs"] as? [String: Any])?["drift"] as? [String: Any])?["steps"] as? [[String: Any]])
        let step = try XCTUnwrap(steps.first { $0["name"] as? String == "Install Stagecraft" })
        XCTAssertFalse((step["run"] as? String ?? "").contains("swift build"), "the drift job never builds Stagecraft")
        return (try XCTUnwrap(step["run"] as? String), try XCTUnwrap(step["env"] as? [String: String]))
    }

    /// Runs with only PATH (the compiler's folder and the system's), HOME and `extra`.
    private func runCleanly(_ executable: String, _ arguments: [String], in directory: URL? = nil, home: URL, extra: [String] = []) throws -> Tools.Result {
        let swiftc = URL(fileURLWithPath: try Tools.require("swiftc")).resolvingSymlinksInPath().deletingLastPathComponent().path
        return try Tools.run("/usr/bin/env", ["-i", "PATH=\(swiftc):/usr/bin:/bin", "HOME=\(home.path)"] + extra + [executable] + arguments, in: directory)
    }
}
