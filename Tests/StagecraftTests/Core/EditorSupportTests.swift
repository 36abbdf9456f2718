import Foundation
import XCTest

/// A folder made by `stagecraft init`, opened as an editor opens it: sourcekit-lsp, reading the
/// compile_flags.txt init wrote, completes the DSL, shows its documentation and reports a type
/// error at its line.
final class EditorSupportTests: XCTestCase {
    func testSourceKitLSPCompletesDocumentsAndChecksAStackFromInit() throws {
        guard let server = Tools.path("sourcekit-lsp") else {
            throw XCTSkip("sourcekit-lsp is not installed on this machine (it comes with the Swift toolchain)")
        }
        let folder = try Fixtures.temporaryDirectory("editor")
        defer { try? FileManager.default.removeItem(at: folder) }
        let written = try Fixtures.stagecraft(["init", "--name", "demo"], in: folder)
        XCTAssertEqual(written.status, 0, written.output)
        XCTAssertTrue(written.output.contains("wrote compile_flags.txt"), written.output)

        let stack = folder.appendingPathComponent("Stack.swift")
        let original = try String(contentsOf: stack, encoding: .utf8)
        var lines = original.components(separatedBy: "\n")
        let portLine = try XCTUnwrap(lines.firstIndex { $0.contains("Port(8080)") })
        let replicasLine = try XCTUnwrap(lines.firstIndex { $0.contains("Replicas(") })
        // Typing a new declaration into the Service block.
        lines.insert("        Im", at: portLine)
        let typing = lines.joined(separator: "\n")
        let uri = stack.absoluteString

        let client = try LanguageServerClient(executable: server, in: folder)
        defer { client.stop() }
        _ = try client.request("initialize", [
            "processId": Int(ProcessInfo.processInfo.processIdentifier),
            "rootUri": folder.absoluteString,
            "capabilities": ["textDocument": ["completion": ["completionItem": ["snippetSupport": false]], "hover": ["contentFormat": ["plaintext", "markdown"]], "diagnostic": [:]]],
        ])
        try client.notify("initialized", [:])
        try client.notify("textDocument/didOpen", ["textDocument": ["uri": uri, "languageId": "swift", "version": 1, "text": typing]])

        let completion = try client.request("textDocument/completion", [
            "textDocument": ["uri": uri], "position": ["line": portLine, "character": 10],
        ])
        let items = ((completion as? [String: Any])?["items"] as? [[String: Any]]) ?? (completion as? [[String: Any]]) ?? []
        // The editor shows items in sortText order: the DSL's Image first.
        let ranked = items.sorted { ($0["sortText"] as? String ?? "") < ($1["sortText"] as? String ?? "") }.compactMap { $0["label"] as? String }
        XCTAssertEqual(ranked.first.map { $0.hasPrefix("Image") }, true, "completion inside Service ranks Image first: \(ranked.prefix(10))")

        // Replicas is one line further down now.
        let hover = try client.request("textDocument/hover", [
            "textDocument": ["uri": uri], "position": ["line": replicasLine + 1, "character": 10],
        ])
        let contents = (hover as? [String: Any])?["contents"]
        let text = ((contents as? [String: Any])?["value"] as? String) ?? "\(contents ?? "")"
        XCTAssertTrue(text.contains("How many instances run, per stage"), "hover on Replicas shows its documentation: \(text)")

        // A real type error, at its line.
        lines.remove(at: portLine)
        lines[portLine] = #"        Port("x")"#
        try client.notify("textDocument/didChange", [
            "textDocument": ["uri": uri, "version": 2], "contentChanges": [["text": lines.joined(separator: "\n")]],
        ])
        var reported: [[String: Any]] = []
        let deadline = Date().addingTimeInterval(120)
        while reported.isEmpty && Date() < deadline {
            let report = try client.request("textDocument/diagnostic", ["textDocument": ["uri": uri]])
            reported = ((report as? [String: Any])?["items"] as? [[String: Any]] ?? []).filter { ($0["severity"] as? Int) == 1 }
            if reported.isEmpty { Thread.sleep(forTimeInterval: 1) }
        }
        let lineNumbers = reported.compactMap { (($0["range"] as? [String: Any])?["start"] as? [String: Any])?["line"] as? Int }
        XCTAssertEqual(Set(lineNumbers), [portLine], "the type error, and only it, at its line: \(reported)")
        XCTAssertTrue(reported.contains { ($0["message"] as? String ?? "").contains("String") }, "\(reported)")
    }

    /// `stagecraft editor` writes the file beside a stack written by hand, rewrites its own after
    /// the tool moves, and leaves a compile_flags.txt with flags of the user's alone.
    func testTheEditorCommandRefreshesItsOwnFileAndLeavesOthersAlone() throws {
        let folder = try Fixtures.workspace("editor", examples: ["blog"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let flags = folder.appendingPathComponent("stacks/compile_flags.txt")
        let written = try Fixtures.stagecraft(["editor", "stacks/blog.swift"], in: folder)
        XCTAssertEqual(written.status, 0, written.output)
        XCTAssertTrue(written.output.contains("wrote stacks/compile_flags.txt"), written.output)
        let ours = try String(contentsOf: flags, encoding: .utf8)
        XCTAssertTrue(ours.hasPrefix("-swift-version\n6\n-I\n") && ours.hasSuffix("/Modules\n"), ours)

        // After the tool moved: the old folder is replaced.
        try "-swift-version\n6\n-I\n/opt/old-stagecraft/lib/stagecraft/Modules\n".write(to: flags, atomically: true, encoding: .utf8)
        XCTAssertEqual(try Fixtures.stagecraft(["editor", "stacks/blog.swift"], in: folder).status, 0)
        XCTAssertEqual(try String(contentsOf: flags, encoding: .utf8), ours)

        let foreign = "-DDEBUG\n-I\n/usr/local/include\n"
        try foreign.write(to: flags, atomically: true, encoding: .utf8)
        let refused = try Fixtures.stagecraft(["editor", "stacks/blog.swift"], in: folder)
        XCTAssertEqual(refused.status, 1, refused.output)
        XCTAssertTrue(refused.output.contains("stacks/compile_flags.txt exists with flags of its own"), refused.output)
        XCTAssertTrue(refused.output.contains(ours), "the lines to add are printed: \(refused.output)")
        XCTAssertEqual(try String(contentsOf: flags, encoding: .utf8), foreign, "nothing lost")
    }
}
