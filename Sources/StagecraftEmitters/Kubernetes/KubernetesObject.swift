import StagecraftOutput

/// One Kubernetes object built as data, written one per file.
struct KubernetesObject {
    var apiVersion: String
    var kind: String
    var name: String
    var labels: [(String, YAML)] = []
    var annotations: [(String, YAML)] = []
    /// Everything after `metadata`, in the order it should read.
    var body: [(String, YAML)]

    var yaml: YAML {
        var metadata = YAMLMap()
        metadata.set("name", .string(name))
        if !labels.isEmpty { metadata.set("labels", .map(labels)) }
        if !annotations.isEmpty { metadata.set("annotations", .map(annotations)) }
        return .map([("apiVersion", .string(apiVersion)), ("kind", .string(kind)), ("metadata", metadata.yaml)] + body)
    }

    /// `web-deployment.yaml`: names are unique per kind, so name and kind make a unique file.
    var fileName: String { "\(name)-\(kind.lowercased()).yaml" }

    func file(in folder: String) throws -> GeneratedFile {
        try GeneratedFile(path: "\(folder)/\(fileName)", text: try yaml.serialized(), commentStyle: .hash)
    }
}

/// A mapping from optional entries: nil values are left out, so optional fields read naturally.
func kubeMap(_ pairs: (String, YAML?)...) -> YAML {
    .map(pairs.compactMap { key, value in value.map { (key, $0) } })
}

/// Kubernetes quantities for the plan's units.
enum Quantity {
    static func cpu(_ millicores: Int) -> YAML { .string("\(millicores)m") }
    static func memory(_ mebibytes: Int) -> YAML { .string("\(mebibytes)Mi") }
    static func storage(_ gibibytes: Int) -> YAML { .string("\(gibibytes)Gi") }
}
