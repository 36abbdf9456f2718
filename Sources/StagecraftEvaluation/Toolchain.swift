import Foundation

/// Where the compiler and the Stagecraft DSL library are, for compiling stack files.
public struct EvaluationToolchain: Sendable {
    public var swiftc: URL
    /// Holds `libStagecraft.so` (or `.dylib`) and `Modules/Stagecraft.swiftmodule`.
    public var libraryDirectory: URL
    public var cacheDirectory: URL
    public var toolVersion: String

    public init(swiftc: URL, libraryDirectory: URL, cacheDirectory: URL, toolVersion: String) {
        self.swiftc = swiftc
        self.libraryDirectory = libraryDirectory
        self.cacheDirectory = cacheDirectory
        self.toolVersion = toolVersion
    }

    public var modulesDirectory: URL { libraryDirectory.appendingPathComponent("Modules") }

    public var libraryFile: URL {
        #if canImport(Darwin)
        libraryDirectory.appendingPathComponent("libStagecraft.dylib")
        #else
        libraryDirectory.appendingPathComponent("libStagecraft.so")
        #endif
    }

    public enum LookupError: Error, CustomStringConvertible {
        case noCompiler
        case noLibrary(searched: [String])

        public var description: String {
            switch self {
            case .noCompiler:
                "swiftc was not found on PATH; install a Swift toolchain or set STAGECRAFT_SWIFTC"
            case .noLibrary(let searched):
                "the Stagecraft DSL library (libStagecraft and Modules/Stagecraft.swiftmodule) was not found in "
                    + searched.joined(separator: ", ") + "; run `swift build` in the Stagecraft package or set STAGECRAFT_LIBRARY_PATH"
            }
        }
    }

    /// Finds the compiler on PATH (or `STAGECRAFT_SWIFTC`) and the DSL library next to the
    /// running executable (or in `STAGECRAFT_LIBRARY_PATH`).
    public static func discover(toolVersion: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> EvaluationToolchain {
        let swiftc: URL
        if let explicit = environment["STAGECRAFT_SWIFTC"] {
            swiftc = URL(fileURLWithPath: explicit)
        } else if let found = (environment["PATH"] ?? "").split(separator: ":").map({ URL(fileURLWithPath: String($0)).appendingPathComponent("swiftc") })
            .first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) {
            swiftc = found
        } else {
            throw LookupError.noCompiler
        }

        var candidates: [URL] = []
        if let explicit = environment["STAGECRAFT_LIBRARY_PATH"] { candidates.append(URL(fileURLWithPath: explicit)) }
        let executable = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        let executableDirectory = executable.deletingLastPathComponent()
        candidates.append(executableDirectory)
        candidates.append(executableDirectory.deletingLastPathComponent().appendingPathComponent("lib/stagecraft"))

        let cache: URL
        if let explicit = environment["STAGECRAFT_CACHE_DIR"] {
            cache = URL(fileURLWithPath: explicit)
        } else if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            cache = URL(fileURLWithPath: xdg).appendingPathComponent("stagecraft")
        } else {
            cache = URL(fileURLWithPath: environment["HOME"] ?? NSTemporaryDirectory()).appendingPathComponent(".cache/stagecraft")
        }

        for directory in candidates {
            let toolchain = EvaluationToolchain(swiftc: swiftc, libraryDirectory: directory, cacheDirectory: cache, toolVersion: toolVersion)
            if FileManager.default.fileExists(atPath: toolchain.libraryFile.path),
               FileManager.default.fileExists(atPath: toolchain.modulesDirectory.appendingPathComponent("Stagecraft.swiftmodule").path) {
                return toolchain
            }
        }
        throw LookupError.noLibrary(searched: candidates.map(\.path))
    }
}
