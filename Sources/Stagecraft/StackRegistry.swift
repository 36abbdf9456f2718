internal import Foundation

/// Collects the stacks a stack file declares and writes them as JSON when the
/// process exits, the way SwiftPM's PackageDescription hands a manifest to its tool.
enum StackRegistry {
    static let outputFlag = "--stagecraft-spec-output"

    nonisolated(unsafe) private static var stacks: [StackSpec] = []
    private static let lock = NSLock()

    static func register(_ spec: StackSpec) {
        let isFirst = lock.withLock {
            stacks.append(spec)
            return stacks.count == 1
        }
        if isFirst { atexit { StackRegistry.dump() } }
    }

    private static func dump() {
        let declared = lock.withLock { stacks }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(declared) else { return }
        // Only the evaluator asks for the declaration; a program that merely links the DSL
        // (a test, a tool of the user's) exits quietly.
        let arguments = CommandLine.arguments
        guard let flag = arguments.firstIndex(of: outputFlag), flag + 1 < arguments.count else { return }
        if !FileManager.default.createFile(atPath: arguments[flag + 1], contents: data) {
            FileHandle.standardError.write(Data("could not write the stack's declaration to \(arguments[flag + 1])\n".utf8))
        }
    }
}
