import Foundation
import StagecraftCLI
import StagecraftOutput
import StagecraftSpec
import XCTest

/// The complete output of every example is committed under Tests/Goldens, so any change to
/// generated files is a reviewed diff. After an intended change, refresh them with
/// `STAGECRAFT_UPDATE_GOLDENS=1 swift test --filter GoldenTests` and review `git diff Tests/Goldens`.
final class GoldenTests: XCTestCase {
    static let goldens = Fixtures.repositoryRoot.appendingPathComponent("Tests/Goldens")

    /// The examples and the variants other platforms and providers are proven on.
    static func variants() throws -> [(String, StackSpec)] {
        try Fixtures.variantNames.map { ($0, try Fixtures.variant($0)) }
    }

    func testEveryExampleMatchesItsGoldenFiles() throws {
        let update = ProcessInfo.processInfo.environment["STAGECRAFT_UPDATE_GOLDENS"] == "1"
        for (name, spec) in try Self.variants() {
            let files = try Fixtures.renderer.render(spec).files
            let folder = Self.goldens.appendingPathComponent(name)
            if update {
                try? FileManager.default.removeItem(at: folder)
                try Fixtures.materialize(files, in: folder)
                continue
            }
            let golden = try Fixtures.tree(folder)
            let generated = Dictionary(uniqueKeysWithValues: files.files.map { ($0.path.value, Data($0.contents)) })
            XCTAssertEqual(Set(generated.keys).subtracting(golden.keys).sorted(), [], "\(name): files not in the goldens")
            XCTAssertEqual(Set(golden.keys).subtracting(generated.keys).sorted(), [], "\(name): golden files no longer generated")
            for (path, bytes) in generated.sorted(by: { $0.key < $1.key }) where golden[path] != nil && golden[path] != bytes {
                XCTFail("\(name)/\(path) differs from its golden file; run with STAGECRAFT_UPDATE_GOLDENS=1 and review the diff")
            }
        }
    }

    func testTheSameStackGivesByteIdenticalOutput() throws {
        for (name, spec) in try Self.variants() {
            XCTAssertEqual(try Fixtures.renderer.render(spec).files, try Fixtures.renderer.render(spec).files, name)
        }
    }
}
