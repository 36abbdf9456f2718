/// The version of Stagecraft, written into manifests, headers and commit trailers.
public enum StagecraftVersion {
    public static let current = "0.1.0"
    /// The Swift compiler the release archive of ``current`` is built with (`scripts/release`
    /// refuses any other). A stack file is compiled against the archive's DSL by this compiler:
    /// the DSL ships as a module interface, which later compilers can read too, but Swift's
    /// runtime is not ABI-stable on Linux, so the generated drift check sets up exactly this one.
    public static let releaseSwift = "6.3.1"
}
