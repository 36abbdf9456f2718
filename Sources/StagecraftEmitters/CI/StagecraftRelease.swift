/// Where the drift check gets Stagecraft: the release archive that `scripts/release` builds,
/// downloaded, checked against its published SHA-256 and unpacked, never built on the runner.
enum StagecraftRelease {
    /// Release archives are assets of the tag `v<version>` here.
    static let downloads = "https://github.com/stagecraft/stagecraft/releases/download"

    /// Installs `$STAGECRAFT_VERSION` from `$STAGECRAFT_RELEASES` into `prefix` (a shell word,
    /// kept as `$prefix`) unless a cache restored it there. The archive is unpacked only if it
    /// matches its `.sha256`.
    static func installScript(prefix: String) -> String {
        """
        prefix="\(prefix)"
        if [ ! -x "$prefix/bin/stagecraft" ]; then
          archive="stagecraft-$STAGECRAFT_VERSION-linux-x86_64.tar.gz"
          download="$(mktemp -d)"
          curl --fail --silent --show-error --location --retry 3 --output "$download/$archive" "$STAGECRAFT_RELEASES/v$STAGECRAFT_VERSION/$archive"
          curl --fail --silent --show-error --location --retry 3 --output "$download/$archive.sha256" "$STAGECRAFT_RELEASES/v$STAGECRAFT_VERSION/$archive.sha256"
          (cd "$download" && sha256sum --check --strict --quiet "$archive.sha256")
          rm -rf "$prefix"
          mkdir -p "$prefix"
          tar -xzf "$download/$archive" --strip-components=1 -C "$prefix"
          rm -rf "$download"
        fi
        "$prefix/bin/stagecraft" --version
        """
    }
}
