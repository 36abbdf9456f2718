import CLibGit2
import Foundation

/// A name, an email and the current time, as libgit2 stamps them on a commit.
final class GitSignature {
    let handle: UnsafeMutablePointer<git_signature>

    private init(handle: UnsafeMutablePointer<git_signature>) { self.handle = handle }

    deinit { git_signature_free(handle) }

    /// Used when neither git's configuration nor --author names anyone.
    static let botIdentity = (name: "Stagecraft", email: "stagecraft@users.noreply.github.com")

    static func now(name: String, email: String) throws -> GitSignature {
        var signature: UnsafeMutablePointer<git_signature>?
        try LibGit2.check(git_signature_now(&signature, name, email), "creating a signature for '\(name) <\(email)>'")
        guard let signature else { throw GitError.invalidAuthor("\(name) <\(email)>") }
        return GitSignature(handle: signature)
    }

    /// user.name and user.email from the repository's configuration, or nil when either is missing.
    static func configured(in repository: GitRepository) throws -> GitSignature? {
        var signature: UnsafeMutablePointer<git_signature>?
        let code = git_signature_default(&signature, repository.handle)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try LibGit2.check(code, "reading user.name and user.email")
        return signature.map(GitSignature.init(handle:))
    }

    /// Splits `Name <email>`.
    static func parse(author: String) throws -> (name: String, email: String) {
        guard author.hasSuffix(">"), let open = author.lastIndex(of: "<") else { throw GitError.invalidAuthor(author) }
        let name = author[..<open].trimmingCharacters(in: .whitespaces)
        let email = String(author[author.index(after: open)..<author.index(before: author.endIndex)])
        guard !name.isEmpty, !email.isEmpty, !email.contains("<"), !email.contains(">") else { throw GitError.invalidAuthor(author) }
        return (name, email)
    }
}
