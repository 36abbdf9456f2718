/// Draws an `ArchitectureGraph` in Graphviz DOT (`dot -Tsvg`), one cluster per layer.
public enum DotDiagram {
    public static func render(_ graph: ArchitectureGraph) -> String {
        var lines = [
            "digraph architecture {",
            "    label=\(quote(graph.title));",
            "    labelloc=t;",
            "    rankdir=TB;",
            "    fontname=\"Helvetica\";",
            "    node [fontname=\"Helvetica\", fontsize=11, style=filled, fillcolor=\"#ffffff\"];",
            "    edge [fontname=\"Helvetica\", fontsize=9];",
        ]
        for group in graph.groups {
            lines.append("    subgraph cluster_\(group.id) {")
            lines.append("        label=\(quote(group.title));")
            lines.append("        style=rounded;")
            lines.append("        color=\"#999999\";")
            for node in group.nodes {
                lines.append("        \(node.id) [label=\(quote(node.lines.joined(separator: "\n"))), shape=\(shape(node.shape))];")
            }
            lines.append("    }")
        }
        for edge in graph.edges {
            var attributes: [String] = []
            if let label = edge.label { attributes.append("label=\(quote(label))") }
            if edge.dashed { attributes.append("style=dashed") }
            lines.append("    \(edge.from) -> \(edge.to)" + (attributes.isEmpty ? "" : " [\(attributes.joined(separator: ", "))]") + ";")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func shape(_ shape: ArchitectureGraph.Shape) -> String {
        switch shape {
        case .actor: "ellipse"
        case .gateway: "hexagon"
        case .process: "box"
        case .store: "cylinder"
        case .memory: "box3d"
        case .archive: "folder"
        }
    }

    /// A DOT string: `"…"` with `"` and `\` escaped (a lone `\` would start an escape such
    /// as `\N` or `\l`); a line break becomes `\n`, which DOT draws as a centred new line.
    public static func quote(_ text: String) -> String {
        var out = "\""
        for character in text {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": break
            default: out.append(character)
            }
        }
        return out + "\""
    }
}
