import Foundation

/// `.stagecraft/manifest.json`: what the last generation wrote. It is how the next one
/// finds orphans (files it listed and the new output does not) without touching anything else.
public struct Manifest: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var sha256: String
        public var executable: Bool
    }

    public static let path = try! OutputPath(".stagecraft/manifest.json")

    public var generator: String
    public var stack: String
    public var stackFile: String
    /// The stage each environment was generated for.
    public var environments: [String: String]
    /// Built-in templates replaced by the repository's own `templates/` folder.
    public var templateOverrides: [String]
    public var files: [String: Entry]

    public init(generator: String, stack: String, stackFile: String, environments: [String: String], templateOverrides: [String], files: [String: Entry]) {
        self.generator = generator
        self.stack = stack
        self.stackFile = stackFile
        self.environments = environments
        self.templateOverrides = templateOverrides
        self.files = files
    }

    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return Array(try! encoder.encode(self)) + [0x0A]
    }

    public static func decode(_ bytes: [UInt8]) throws -> Manifest {
        try JSONDecoder().decode(Manifest.self, from: Data(bytes))
    }

    public var paths: Set<OutputPath> { Set(files.keys.compactMap { try? OutputPath($0) }) }
}
