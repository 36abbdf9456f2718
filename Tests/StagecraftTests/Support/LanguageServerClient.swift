import Foundation
import XCTest

/// A Language Server Protocol client over a server's standard input and output (JSON-RPC with
/// Content-Length framing), as an editor drives sourcekit-lsp. The server is stopped on `stop()`
/// and, failing that, when the client goes.
final class LanguageServerClient: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let lock = NSCondition()
    private var messages: [[String: Any]] = []
    private var buffer = Data()
    private var nextID = 1

    init(executable: String, arguments: [String] = [], in directory: URL) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            self?.received(handle.availableData)
        }
        try process.run()
    }

    deinit { stop() }

    func stop() {
        output.fileHandleForReading.readabilityHandler = nil
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// Sends a request and waits for its response's `result` (failing on an error response).
    func request(_ method: String, _ params: [String: Any], timeout: TimeInterval = 120) throws -> Any? {
        lock.lock()
        let id = nextID
        nextID += 1
        lock.unlock()
        try send(["jsonrpc": "2.0", "id": id, "method": method, "params": params])
        let response = try wait(timeout: timeout, "the response to \(method)") { ($0["id"] as? Int) == id && $0["method"] == nil }
        if let error = response["error"] { throw XCTSkip("\(method) failed: \(error)") }
        return response["result"]
    }

    func notify(_ method: String, _ params: [String: Any]) throws {
        try send(["jsonrpc": "2.0", "method": method, "params": params])
    }

    private func send(_ message: [String: Any]) throws {
        let body = try JSONSerialization.data(withJSONObject: message)
        input.fileHandleForWriting.write(Data("Content-Length: \(body.count)\r\n\r\n".utf8) + body)
    }

    /// The first message (response or notification) that `matches`, waiting up to `timeout`.
    func wait(timeout: TimeInterval, _ what: String, _ matches: ([String: Any]) -> Bool) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        lock.lock()
        defer { lock.unlock() }
        while true {
            if let index = messages.firstIndex(where: matches) { return messages.remove(at: index) }
            guard lock.wait(until: deadline) else {
                throw NSError(domain: "LanguageServerClient", code: 1, userInfo: [NSLocalizedDescriptionKey: "no \(what) within \(Int(timeout)) s"])
            }
        }
    }

    private func received(_ data: Data) {
        lock.lock()
        defer { lock.unlock() }
        buffer.append(data)
        while let headerEnd = buffer.range(of: Data("\r\n\r\n".utf8)) {
            let header = String(decoding: buffer[buffer.startIndex..<headerEnd.lowerBound], as: UTF8.self)
            guard let lengthLine = header.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") }),
                  let length = Int(lengthLine.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) else { return }
            let start = headerEnd.upperBound
            guard buffer.distance(from: start, to: buffer.endIndex) >= length else { return }
            let body = buffer[start..<buffer.index(start, offsetBy: length)]
            buffer = Data(buffer[buffer.index(start, offsetBy: length)...])
            if let message = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] {
                messages.append(message)
            }
        }
        lock.broadcast()
    }
}
