import Foundation
import Mustache
import StagecraftOutput

/// The Mustache templates text outputs are rendered from: the built-in ones shipped in
/// `templates/`, each replaceable by a file of the same path in the user's own `templates/`.
///
/// A template starts with `{{% CONTENT_TYPE: FORMAT }}` (NGINX, SHELL, PGCONF, DOTENV, HCL,
/// CRON, INI, MARKDOWN or TEXT): `{{value}}` is then quoted for that format, and only
/// `{{{value}}}` (for values Stagecraft computed itself) is inserted as it is.
public final class TemplateLibrary: Sendable {
    private let templates: [String: MustacheTemplate]
    /// Names of built-in templates the user's folder replaced, sorted.
    public let overridden: [String]

    public enum Failure: Error, CustomStringConvertible {
        case notFound(String)
        case unparsable(path: String, reason: String)

        public var description: String {
            switch self {
            case .notFound(let name): "template \(name) was not found"
            case .unparsable(let path, let reason): "\(path): not a valid Mustache template: \(reason)"
            }
        }
    }

    public init(builtIn: URL, overrides: URL? = nil) throws {
        Self.registerContentTypes
        var templates = try Self.load(builtIn)
        var overridden: [String] = []
        if let overrides, FileManager.default.fileExists(atPath: overrides.path) {
            for (name, template) in try Self.load(overrides) where templates[name] != nil {
                templates[name] = template
                overridden.append(name)
            }
        }
        self.templates = templates
        self.overridden = overridden.sorted()
    }

    public func render(_ name: String, _ context: [String: Any]) throws -> String {
        guard let template = templates[name] else { throw Failure.notFound(name) }
        return template.render(context)
    }

    private static func load(_ root: URL) throws -> [String: MustacheTemplate] {
        var result: [String: MustacheTemplate] = [:]
        let rootPath = root.standardizedFileURL.path
        guard let enumerator = FileManager.default.enumerator(atPath: rootPath) else { return result }
        for case let relative as String in enumerator where relative.hasSuffix(".mustache") {
            let path = rootPath + "/" + relative
            let text = try String(contentsOfFile: path, encoding: .utf8)
            do {
                result[String(relative.dropLast(".mustache".count))] = try MustacheTemplate(string: text)
            } catch {
                throw Failure.unparsable(path: path, reason: "\(error)")
            }
        }
        return result
    }

    private static let registerContentTypes: Void = {
        let types: [(String, @Sendable (String) -> String)] = [
            ("NGINX", FormatQuoting.nginx),
            ("SHELL", FormatQuoting.shell),
            ("PGCONF", FormatQuoting.postgresConf),
            ("DOTENV", FormatQuoting.dotenv),
            ("HCL", FormatQuoting.hcl),
            ("CRON", FormatQuoting.crontab),
            ("INI", FormatQuoting.iniLine),
            ("MARKDOWN", FormatQuoting.markdown),
        ]
        for (name, quote) in types {
            MustacheContentTypes.register(QuotingContentType(quote: quote), named: name)
        }
    }()

    /// Finds the built-in templates: `STAGECRAFT_TEMPLATES`, a `templates/` folder above the
    /// running executable (a build tree), or `share/stagecraft/templates` beside its `bin/`.
    public static func builtInDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        if let explicit = environment["STAGECRAFT_TEMPLATES"] { return URL(fileURLWithPath: explicit) }
        return StagecraftPackage.directory("templates", marker: marker)
    }

    /// A file every built-in templates folder has, so an unrelated `templates/` is not mistaken for it.
    public static let marker = "STAGECRAFT_TEMPLATES"
}

private struct QuotingContentType: MustacheContentType {
    let quote: @Sendable (String) -> String
    func escapeText(_ text: String) -> String { quote(text) }
}
