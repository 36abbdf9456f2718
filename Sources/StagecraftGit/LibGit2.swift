import CLibGit2
import CLibGit2Shim

/// Process-wide libgit2 state: initialised once, before the first call into the library.
public enum LibGit2 {
    private static let initialized: Void = { _ = git_libgit2_init() }()

    static func ensureInitialized() { initialized }

    /// Points libgit2's global, XDG and system configuration lookups at `directory`,
    /// so user identity and safe.directory come from there instead of the machine's
    /// configuration. Tests use it to stay independent of the host.
    public static func isolateConfiguration(in directory: String) throws {
        ensureInitialized()
        for level in [GIT_CONFIG_LEVEL_SYSTEM, GIT_CONFIG_LEVEL_XDG, GIT_CONFIG_LEVEL_GLOBAL, GIT_CONFIG_LEVEL_PROGRAMDATA] {
            try check(stagecraft_git_set_config_search_path(level.rawValue, directory), "setting the configuration search path")
        }
    }

    /// Whether libgit2 refuses repositories owned by another user unless safe.directory lists them.
    public static var ownerValidationEnabled: Bool {
        ensureInitialized()
        var enabled: Int32 = 0
        return stagecraft_git_get_owner_validation(&enabled) == 0 && enabled != 0
    }

    /// Throws the library's last error when `code` reports a failure.
    static func check(_ code: Int32, _ action: @autoclosure () -> String) throws {
        if code < 0 { throw GitError.lastLibGit2Error(code: code, action: action()) }
    }
}

/// A git object id, as value.
public struct GitOID: Hashable, Sendable, CustomStringConvertible {
    var raw: git_oid

    init(_ raw: git_oid) { self.raw = raw }

    public var description: String {
        var copy = raw
        var buffer = [CChar](repeating: 0, count: Int(GIT_OID_HEXSZ) + 1)
        git_oid_tostr(&buffer, buffer.count, &copy)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public static func == (lhs: GitOID, rhs: GitOID) -> Bool {
        var l = lhs.raw, r = rhs.raw
        return git_oid_equal(&l, &r) != 0
    }

    public func hash(into hasher: inout Hasher) {
        withUnsafeBytes(of: raw.id) { hasher.combine(bytes: $0) }
    }
}
