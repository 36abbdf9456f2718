import Foundation

/// Where the files Stagecraft ships beside its executable are: in a build tree, folders of
/// the package above `.build/<configuration>/`; once installed, `share/stagecraft/` beside `bin/`.
public enum StagecraftPackage {
    /// The folder `name` (a relative path) holding `marker`, searched upwards from the running
    /// executable, in the package (`name`) or installed (`share/stagecraft/name`).
    public static func directory(_ name: String, marker: String) -> URL? {
        let executable = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        var directory = executable.deletingLastPathComponent()
        for _ in 0..<5 {
            for candidate in [directory.appendingPathComponent(name), directory.appendingPathComponent("share/stagecraft/\(name)")]
            where FileManager.default.fileExists(atPath: candidate.appendingPathComponent(marker).path) {
                return candidate
            }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }
}
