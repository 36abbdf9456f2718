import Foundation
import XCTest

/// The DocC catalog of the Stagecraft module builds without a warning. This is what
/// `swift package generate-documentation --target Stagecraft --warnings-as-errors` runs
/// (symbol graph of the built module, then `docc convert`), done directly: the plugin would
/// wait on the build folder `swift test` holds.
final class DocumentationTests: XCTestCase {
    private var modules: URL {
        let executable = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        return executable.deletingLastPathComponent().appendingPathComponent("Modules")
    }

    private func convert(_ catalog: URL) throws -> Tools.Result {
        let extract = try Tools.require("swift-symbolgraph-extract")
        let docc = try Tools.require("docc")
        guard FileManager.default.fileExists(atPath: modules.appendingPathComponent("Stagecraft.swiftmodule").path) else {
            throw XCTSkip("run `swift build` first: the Stagecraft module is not built at \(modules.path)")
        }
        let work = try Fixtures.temporaryDirectory("docc")
        addTeardownBlock { try? FileManager.default.removeItem(at: work) }
        let symbols = work.appendingPathComponent("symbols")
        try FileManager.default.createDirectory(at: symbols, withIntermediateDirectories: true)
        let info = try Tools.run(try Tools.require("swiftc"), ["-print-target-info"])
        let triple = try XCTUnwrap(((try JSONSerialization.jsonObject(with: Data(info.output.utf8)) as? [String: Any])?["target"] as? [String: Any])?["triple"] as? String)
        let graph = try Tools.run(extract, ["-module-name", "Stagecraft", "-I", modules.path, "-target", triple, "-minimum-access-level", "public", "-output-dir", symbols.path])
        XCTAssertEqual(graph.status, 0, graph.output)
        return try Tools.run(docc, [
            "convert", catalog.path, "--additional-symbol-graph-dir", symbols.path, "--warnings-as-errors",
            "--output-path", work.appendingPathComponent("Stagecraft.doccarchive").path,
        ])
    }

    private let catalog = Fixtures.repositoryRoot.appendingPathComponent("Sources/Stagecraft/Stagecraft.docc")

    func testTheCatalogBuildsWithoutWarnings() throws {
        let result = try convert(catalog)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertFalse(result.output.contains("warning:"), result.output)
        for article in ["GettingStarted", "TheStageModel", "Compose", "Kubernetes", "AWS", "ContinuousDelivery"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: catalog.appendingPathComponent("\(article).md").path), article)
        }
    }

    /// The check has teeth: a broken symbol link fails the build.
    func testABrokenLinkFailsTheBuild() throws {
        let copy = try Fixtures.temporaryDirectory("docc-broken").appendingPathComponent("Stagecraft.docc")
        addTeardownBlock { try? FileManager.default.removeItem(at: copy.deletingLastPathComponent()) }
        try FileManager.default.copyItem(at: catalog, to: copy)
        let page = copy.appendingPathComponent("GettingStarted.md")
        try (try String(contentsOf: page, encoding: .utf8) + "\nSee ``NoSuchDeclaration``.\n").write(to: page, atomically: true, encoding: .utf8)
        let result = try convert(copy)
        XCTAssertNotEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("NoSuchDeclaration"), result.output)
    }
}
