/// What a value from a stack file may look like before it becomes a path, an identifier or
/// part of a generated file. Names are strict (they become paths, DNS names, YAML keys and
/// shell words); free-form values are only kept free of control characters and are escaped
/// by every emitter for its format.
public enum ValueRules {
    /// Lowercase letters, digits and inner hyphens, starting with a letter, at most 32 characters:
    /// valid as a folder, a DNS label, a Compose service, a Kubernetes object and (with `_`) an HCL name.
    public static func isName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...32).contains(bytes.count), isLower(bytes.first!), bytes.last != UInt8(ascii: "-") else { return false }
        return bytes.allSatisfy { isLower($0) || isDigit($0) || $0 == UInt8(ascii: "-") }
    }

    /// An AWS account ID: twelve digits (`111122223333`).
    public static func isAccountID(_ id: String) -> Bool {
        id.utf8.count == 12 && id.utf8.allSatisfy(isDigit)
    }

    /// A Kubernetes object name (RFC 1123 subdomain): `vault-backend`.
    public static func isKubernetesName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...253).contains(bytes.count), let first = bytes.first, let last = bytes.last,
              isLower(first) || isDigit(first), isLower(last) || isDigit(last) else { return false }
        return bytes.allSatisfy { isLower($0) || isDigit($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
    }

    /// An environment variable name: `LOG_LEVEL`.
    public static func isVariableName(_ key: String) -> Bool {
        let bytes = Array(key.utf8)
        guard (1...128).contains(bytes.count), !isDigit(bytes.first!) else { return false }
        return bytes.allSatisfy { isUpper($0) || isDigit($0) || $0 == UInt8(ascii: "_") }
    }

    /// A DNS host name such as `shop.example.com`.
    public static func isDomain(_ domain: String) -> Bool {
        guard (1...253).contains(domain.utf8.count) else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 1 && labels.allSatisfy { label in
            let bytes = Array(label.utf8)
            guard (1...63).contains(bytes.count), bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-") else { return false }
            return bytes.allSatisfy { isLower($0) || isDigit($0) || $0 == UInt8(ascii: "-") }
        }
    }

    /// `domain` is `zone` itself or a name below it: `shop.example.com` is within `example.com`.
    public static func isWithin(_ domain: String, zone: String) -> Bool {
        domain == zone || domain.hasSuffix("." + zone)
    }

    /// An email address with a domain: `ops@acme.com`. Quoted local parts are not accepted.
    public static func isEmailAddress(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...64).contains(parts[0].utf8.count), isDomain(String(parts[1]).lowercased()),
              parts[1].contains(".") else { return false }
        return parts[0].utf8.allSatisfy { isLower($0) || isUpper($0) || isDigit($0) || "._%+-".utf8.contains($0) }
    }

    /// A DNS host name and a port: `smtp.acme.com:587`.
    public static func isHostAndPort(_ value: String) -> Bool {
        guard let colon = value.lastIndex(of: ":"), let port = Int(value[value.index(after: colon)...]),
              (1...65535).contains(port) else { return false }
        return isDomain(String(value[..<colon]))
    }

    /// A URL path: starts with `/`, no spaces, no control characters.
    public static func isURLPath(_ path: String) -> Bool {
        guard path.hasPrefix("/"), path.utf8.count <= 512 else { return false }
        return path.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F }
    }

    /// A container image reference: `ghcr.io/acme/web`, `redis:7`, `repo@sha256:…`.
    public static func isImage(_ image: String) -> Bool {
        let bytes = Array(image.utf8)
        guard (1...255).contains(bytes.count), isLower(bytes.first!) || isDigit(bytes.first!) else { return false }
        return bytes.allSatisfy { isLower($0) || isUpper($0) || isDigit($0) || "._/:@-".utf8.contains($0) }
    }

    /// A path inside the user's repository (a Dockerfile, a build context, the output folder).
    public static func isRepositoryPath(_ path: String) -> Bool {
        let bytes = Array(path.utf8)
        guard (1...255).contains(bytes.count), !path.hasPrefix("/") else { return false }
        guard bytes.allSatisfy({ isLower($0) || isUpper($0) || isDigit($0) || "._/-".utf8.contains($0) }) else { return false }
        return !path.split(separator: "/").contains("..")
    }

    /// Free text (config values, commands): no control characters but tab and newline.
    public static func isText(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F || $0 == "\n" || $0 == "\t" }
    }

    /// A key that names a credential: such a value must be a `Secret`, never a `Config`.
    public static func looksLikeSecretKey(_ key: String) -> Bool {
        let words = key.split(separator: "_")
        let secretWords: Set<Substring> = ["SECRET", "PASSWORD", "PASSWD", "TOKEN", "CREDENTIALS", "CREDENTIAL", "PRIVATE", "DSN"]
        if words.contains(where: secretWords.contains) { return true }
        return key.hasSuffix("API_KEY") || key.hasSuffix("ACCESS_KEY") || key.hasSuffix("SIGNING_KEY") || key == "KEY"
    }

    /// A value that is recognisably a credential, whatever its key.
    public static func looksLikeSecretValue(_ value: String) -> Bool {
        let prefixes = ["sk_live_", "sk_test_", "rk_live_", "ghp_", "gho_", "ghs_", "github_pat_", "glpat-", "xoxb-", "xoxp-", "AKIA", "ASIA", "-----BEGIN"]
        if prefixes.contains(where: value.hasPrefix) { return true }
        // A URL carrying a password: scheme://user:password@host
        let parts = value.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 2 {
            let rest = parts[1]
            let authority = rest.prefix { $0 != "/" }
            if let at = authority.lastIndex(of: "@"), authority[..<at].contains(":") { return true }
        }
        return false
    }

    private static func isLower(_ b: UInt8) -> Bool { b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z") }
    private static func isUpper(_ b: UInt8) -> Bool { b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") }
    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
}
