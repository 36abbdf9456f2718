/// The version of Stagecraft, written into manifests, headers and commit trailers.
public enum StagecraftVersion {
    public static let current = "0.1.0"
}
