/// Draws an `ArchitectureGraph` as a Mermaid flowchart (GitHub and GitLab render it in Markdown).
public enum MermaidDiagram {
    public static func render(_ graph: ArchitectureGraph) -> String {
        var lines = ["---", "title: " + escape(graph.title), "---", "flowchart TB"]
        for group in graph.groups {
            lines.append("    subgraph \(group.id)[\"\(escape(group.title))\"]")
            for node in group.nodes { lines.append("        " + declaration(node)) }
            lines.append("    end")
        }
        for edge in graph.edges {
            let arrow = edge.dashed ? "-.->" : "-->"
            let label = edge.label.map { "|\"\(escape($0))\"|" } ?? ""
            lines.append("    \(edge.from) \(arrow)\(label) \(edge.to)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func declaration(_ node: ArchitectureGraph.Node) -> String {
        let label = "\"" + node.lines.map(escape).joined(separator: "<br/>") + "\""
        return switch node.shape {
        case .actor: "\(node.id)([\(label)])"
        case .gateway: "\(node.id){{\(label)}}"
        case .process: "\(node.id)[\(label)]"
        case .store: "\(node.id)[(\(label))]"
        case .memory: "\(node.id)([\(label)])"
        case .archive: "\(node.id)[/\(label)/]"
        }
    }

    /// Label text as Mermaid entity codes where a character would end the label, start
    /// markup or an entity, or close a Markdown code fence around the diagram.
    public static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\"": out += "#quot;"
            case "#": out += "#35;"
            case "<": out += "#lt;"
            case ">": out += "#gt;"
            case "&": out += "#amp;"
            case "`": out += "#96;"
            case "|": out += "#124;"
            case "\n", "\r": out += " "
            default: out.append(character)
            }
        }
        return out
    }
}
