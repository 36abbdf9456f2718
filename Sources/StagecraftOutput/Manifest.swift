import Foundation

/// `.stagecraft/manifest.json`: what the last generation wrote. It is how the next one
/// finds orphans (files it listed and the new output does not) without touching anything else.
public struct Manifest: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var sha256: String
        public var executable: Bool

        public init(sha256: String, executable: Bool) {
            self.sha256 = sha256
            self.executable = executable
        }
    }

    public static let path = try! OutputPath(".stagecraft/manifest.json")

    public var generator: String
    public var stack: String
    public var stackFile: String
    /// The stage each environment was generated for.
    public var environments: [String: String]
    /// Built-in templates replaced by the repository's own `templates/` folder.
    public var templateOverrides: [String]
    /// What the stack changes beyond the DSL (`KubernetesPatch`, `ComposeOverride`, `TerraformFile`,
    /// `DeployStep`), one line each: `production: ComposeOverride at stacks/shop.swift:60`.
    public var escapeHatches: [String]
    public var files: [String: Entry]

    public init(generator: String, stack: String, stackFile: String, environments: [String: String], templateOverrides: [String],
                escapeHatches: [String] = [], files: [String: Entry]) {
        self.generator = generator
        self.stack = stack
        self.stackFile = stackFile
        self.environments = environments
        self.templateOverrides = templateOverrides
        self.escapeHatches = escapeHatches
        self.files = files
    }

    private enum CodingKeys: String, CodingKey { case generator, stack, stackFile, environments, templateOverrides, escapeHatches, files }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        generator = try container.decode(String.self, forKey: .generator)
        stack = try container.decode(String.self, forKey: .stack)
        stackFile = try container.decode(String.self, forKey: .stackFile)
        environments = try container.decode([String: String].self, forKey: .environments)
        templateOverrides = try container.decode([String].self, forKey: .templateOverrides)
        // Written only when the stack has some.
        escapeHatches = try container.decodeIfPresent([String].self, forKey: .escapeHatches) ?? []
        files = try container.decode([String: Entry].self, forKey: .files)
    }

    /// The manifest as JSON with sorted keys, written directly: it lists every generated file,
    /// and a general-purpose encoder is the slowest step of a large generation.
    public func encoded() -> [UInt8] {
        func block(_ open: String, _ close: String, _ lines: [String]) -> String {
            lines.isEmpty ? open + close : open + "\n" + lines.joined(separator: ",\n") + "\n  " + close
        }
        let environmentLines = environments.sorted { $0.key < $1.key }.map { "    \(JSONText.string($0.key)) : \(JSONText.string($0.value))" }
        let fileLines = files.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { path, entry in
            "    \(JSONText.string(path)) : {\n      \"executable\" : \(entry.executable),\n      \"sha256\" : \"\(entry.sha256)\"\n    }"
        }
        let out = "{\n"
            + "  \"environments\" : \(block("{", "}", environmentLines)),\n"
            + (escapeHatches.isEmpty ? "" : "  \"escapeHatches\" : \(block("[", "]", escapeHatches.map { "    \(JSONText.string($0))" })),\n")
            + "  \"files\" : \(block("{", "}", fileLines)),\n"
            + "  \"generator\" : \(JSONText.string(generator)),\n"
            + "  \"stack\" : \(JSONText.string(stack)),\n"
            + "  \"stackFile\" : \(JSONText.string(stackFile)),\n"
            + "  \"templateOverrides\" : \(block("[", "]", templateOverrides.map { "    \(JSONText.string($0))" }))\n"
            + "}\n"
        return Array(out.utf8)
    }

    public static func decode(_ bytes: [UInt8]) throws -> Manifest {
        try JSONDecoder().decode(Manifest.self, from: Data(bytes))
    }

    public var paths: Set<OutputPath> { Set(files.keys.compactMap { try? OutputPath($0) }) }
}

/// JSON string literals, escaped as RFC 8259 requires.
enum JSONText {
    static func string(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
