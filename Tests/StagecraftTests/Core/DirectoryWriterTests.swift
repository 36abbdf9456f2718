import Foundation
import StagecraftOutput
import StagecraftWriters
import XCTest

final class DirectoryWriterTests: XCTestCase {
    private func output(_ files: [String: String]) throws -> FileSet {
        let contract = OutputContract(generator: "stagecraft test", stack: "t", stackFile: "t.swift", environments: [:], templateOverrides: [])
        return try contract.finalize(FileSet(files.map { try GeneratedFile(path: $0.key, text: $0.value, commentStyle: .hash) }))
    }

    private func snapshot(_ root: URL) throws -> [String: String] {
        var result: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root.path)!
        for case let path as String in enumerator {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path, isDirectory: &isDirectory)
            if !isDirectory.boolValue { result[path] = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8) }
        }
        return result
    }

    struct Interrupted: Error {}

    func testOrphansAreRemovedAndEverythingElseIsKept() throws {
        let root = try Fixtures.temporaryDirectory("writer")
        try "mine".write(to: root.appendingPathComponent("NOTES.md"), atomically: true, encoding: .utf8)
        let writer = DirectoryWriter(root: root)
        let first = try writer.write(output(["a/one.yaml": "1", "a/two.yaml": "2", "b/three.yaml": "3"]))
        XCTAssertEqual(first.added.map(\.value), [".gitattributes", ".stagecraft/manifest.json", "a/one.yaml", "a/two.yaml", "b/three.yaml"])

        let second = try writer.write(output(["a/one.yaml": "1", "a/two.yaml": "2"]))
        XCTAssertEqual(second.removed.map(\.value), ["b/three.yaml"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("b").path), "an emptied folder goes too")
        XCTAssertEqual(try String(contentsOf: root.appendingPathComponent("NOTES.md"), encoding: .utf8), "mine")

        let third = try writer.write(output(["a/one.yaml": "1", "a/two.yaml": "2"]))
        XCTAssertTrue(third.isEmpty)
    }

    func testUnchangedFilesAreNotRewritten() throws {
        let root = try Fixtures.temporaryDirectory("writer")
        let writer = DirectoryWriter(root: root)
        try writer.write(output(["keep.yaml": "same", "edit.yaml": "old"]))
        let kept = root.appendingPathComponent("keep.yaml").path
        let before = try FileManager.default.attributesOfItem(atPath: kept)
        Thread.sleep(forTimeInterval: 0.02)
        let changes = try writer.write(output(["keep.yaml": "same", "edit.yaml": "new"]))
        XCTAssertEqual(changes.changed.map(\.value), [".stagecraft/manifest.json", "edit.yaml"])
        XCTAssertEqual(changes.unchanged.map(\.value), [".gitattributes", "keep.yaml"])
        let after = try FileManager.default.attributesOfItem(atPath: kept)
        XCTAssertEqual(before[.modificationDate] as? Date, after[.modificationDate] as? Date)
        XCTAssertEqual(before[.systemFileNumber] as? Int, after[.systemFileNumber] as? Int)
    }

    func testARunInterruptedWhileStagingLeavesThePreviousOutput() throws {
        let root = try Fixtures.temporaryDirectory("writer")
        try DirectoryWriter(root: root).write(output(["a.yaml": "old a", "b.yaml": "old b"]))
        let before = try snapshot(root)

        var writer = DirectoryWriter(root: root)
        var staged = 0
        writer.faultInjection = { phase, _ in
            if phase == .staging { staged += 1; if staged == 2 { throw Interrupted() } }
        }
        XCTAssertThrowsError(try writer.write(output(["a.yaml": "new a", "b.yaml": "new b", "c.yaml": "new c"])))
        XCTAssertEqual(try snapshot(root), before)
    }

    func testARunInterruptedAfterItsCommitPointIsFinishedByTheNext() throws {
        let root = try Fixtures.temporaryDirectory("writer")
        try DirectoryWriter(root: root).write(output(["a.yaml": "old a", "b.yaml": "old b"]))
        let next = try output(["a.yaml": "new a", "c.yaml": "new c"])

        var writer = DirectoryWriter(root: root)
        writer.faultInjection = { phase, _ in if phase == .applying { throw Interrupted() } }
        XCTAssertThrowsError(try writer.write(next))

        try DirectoryWriter(root: root).recover()
        let files = try snapshot(root)
        XCTAssertEqual(files["a.yaml"].map { $0.hasSuffix("new a") }, true)
        XCTAssertEqual(files["c.yaml"].map { $0.hasSuffix("new c") }, true)
        XCTAssertNil(files["b.yaml"])
        XCTAssertFalse(files.keys.contains { $0.hasPrefix(".stagecraft/transaction") })
        XCTAssertTrue(try DirectoryWriter(root: root).changes(for: next).isEmpty)
    }

    func testFilesStagecraftDidNotGenerateAreNotOverwritten() throws {
        let root = try Fixtures.temporaryDirectory("writer")
        try "hand-written".write(to: root.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try DirectoryWriter(root: root).write(output(["a.yaml": "generated"]))) { error in
            XCTAssertTrue("\(error)".contains("a.yaml"))
            XCTAssertTrue("\(error)".contains("--force"))
        }
        XCTAssertEqual(try String(contentsOf: root.appendingPathComponent("a.yaml"), encoding: .utf8), "hand-written")
        var forced = DirectoryWriter(root: root)
        forced.overwriteUnmanaged = true
        XCTAssertNoThrow(try forced.write(output(["a.yaml": "generated"])))
    }
}
