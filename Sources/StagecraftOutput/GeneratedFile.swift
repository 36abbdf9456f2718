/// The comment syntax of a generated file's format, which decides its header.
public enum CommentStyle: String, Sendable, Codable {
    /// `# …` (YAML, shell, HCL, nginx, INI-style conf, dotenv, crontab)
    case hash
    /// `<!-- … -->` (Markdown, HTML)
    case html
    /// `// …` (DOT, Swift)
    case slashes
    /// `%% …` (Mermaid)
    case percent
    /// `-- …` (SQL)
    case dashes
    /// No comments: JSON. The manifest lists the file instead.
    case none
}

/// One file of generated output: where it goes, what it holds, whether it runs.
public struct GeneratedFile: Sendable, Equatable {
    public var path: OutputPath
    public var contents: [UInt8]
    public var executable: Bool
    public var commentStyle: CommentStyle

    public init(path: OutputPath, contents: [UInt8], executable: Bool = false, commentStyle: CommentStyle) {
        self.path = path
        self.contents = contents
        self.executable = executable
        self.commentStyle = commentStyle
    }

    public init(path: String, text: String, executable: Bool = false, commentStyle: CommentStyle) throws {
        self.init(path: try OutputPath(path), contents: Array(text.utf8), executable: executable, commentStyle: commentStyle)
    }

    public var text: String { String(decoding: contents, as: UTF8.self) }
}

/// A complete output: every file, each path once, in path order.
public struct FileSet: Sendable, Equatable {
    public private(set) var files: [GeneratedFile] = []
    private var index: [OutputPath: Int] = [:]

    public init() {}

    public init(_ files: [GeneratedFile]) throws {
        for file in files { try insert(file) }
    }

    public struct DuplicatePath: Error, CustomStringConvertible {
        public let path: OutputPath
        public var description: String { "two generated files claim the same path '\(path)'" }
    }

    public mutating func insert(_ file: GeneratedFile) throws {
        guard index[file.path] == nil else { throw DuplicatePath(path: file.path) }
        index[file.path] = files.count
        files.append(file)
    }

    public subscript(path: OutputPath) -> GeneratedFile? { index[path].map { files[$0] } }
    public subscript(path: String) -> GeneratedFile? { (try? OutputPath(path)).flatMap { self[$0] } }

    public var sorted: [GeneratedFile] { files.sorted { $0.path < $1.path } }
    public var paths: [OutputPath] { files.map(\.path).sorted() }
    public var count: Int { files.count }
}
