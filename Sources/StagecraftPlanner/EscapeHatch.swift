import Foundation
import StagecraftSpec
import Yams

/// A change to one environment's output that the DSL has no declaration for, read and checked
/// by the planner and rendered by the emitter of the output it changes.
public struct EscapeHatch: Codable, Sendable, Equatable {
    public enum Change: Codable, Sendable, Equatable {
        /// A strategic-merge patch of one object of the Kubernetes overlay.
        case kubernetesPatch(target: KubernetesTarget, patch: PatchValue)
        /// RFC 6902 operations on one object of the Kubernetes overlay (a list of operations).
        case kubernetesOperations(target: KubernetesTarget, operations: PatchValue)
        /// Merged into compose.yaml: mappings key by key, anything else replaced, null removed.
        case composeOverride(PatchValue)
        /// A file of its own in the environment's Terraform root.
        case terraformFile(name: String, contents: String)
        /// A step of the environment's deploy job, after the rollout.
        case deployStep(name: String, run: String)
    }

    public var change: Change
    public var declaredAt: SourceLocation

    /// How the stack declares it, for messages and the manifest: `KubernetesPatch("Deployment/web")`.
    public var declaration: String {
        switch change {
        case .kubernetesPatch(let target, _): "KubernetesPatch(\"\(target)\")"
        case .kubernetesOperations(let target, _): "KubernetesPatch(\"\(target)\", operations:)"
        case .composeOverride: "ComposeOverride"
        case .terraformFile(let name, _): "TerraformFile(\"\(name)\")"
        case .deployStep(let name, _): "DeployStep(\"\(name)\")"
        }
    }

    /// The platforms whose output it changes; nil: every platform (a pipeline step).
    var platforms: Set<PlatformKind>? {
        switch change {
        case .kubernetesPatch, .kubernetesOperations: [.kubernetes]
        case .composeOverride: [.compose]
        case .terraformFile: [.aws, .kubernetes]
        case .deployStep: nil
        }
    }
}

extension StackPlan {
    /// Every environment's escape hatches, one line each, in environment and declaration order:
    /// `production: ComposeOverride at stacks/shop.swift:60`.
    public var escapeHatchSummary: [String] {
        environments.flatMap { environment in
            environment.escapeHatches.map { "\(environment.name): \($0.declaration) at \($0.declaredAt)" }
        }
    }
}

/// `Kind/name` of a Kubernetes object.
public struct KubernetesTarget: Codable, Sendable, Equatable, CustomStringConvertible {
    public var kind: String
    public var name: String
    public var description: String { "\(kind)/\(name)" }
}

/// A YAML value as a patch holds it, mapping keys in their order.
public indirect enum PatchValue: Codable, Sendable, Equatable {
    case string(String)
    /// An integer or a float, as written.
    case number(String)
    case bool(Bool)
    case null
    case list([PatchValue])
    case map([PatchEntry])

    /// The value at a key of a mapping.
    public subscript(key: String) -> PatchValue? {
        guard case .map(let entries) = self else { return nil }
        return entries.last { $0.key == key }?.value
    }
}

public struct PatchEntry: Codable, Sendable, Equatable {
    public var key: String
    public var value: PatchValue
}

/// Reads an escape hatch as declared: its YAML parsed, its target and names checked. Every
/// message says what is wrong in the terms of the declaration.
enum EscapeHatchReader {
    static func read(_ spec: EscapeHatchSpec) -> Result<EscapeHatch.Change, Message> {
        do {
            return .success(try change(spec.change))
        } catch {
            return .failure(error)
        }
    }

    struct Message: Error { let text: String }

    private static func change(_ change: EscapeHatchSpec.Change) throws(Message) -> EscapeHatch.Change {
        switch change {
        case .kubernetesMerge(let target, let patch):
            let target = try kubernetesTarget(target)
            let value = try yaml(patch, what: "KubernetesPatch(\"\(target)\")")
            guard case .map(let entries) = value, !entries.isEmpty else {
                throw Message(text: "KubernetesPatch(\"\(target)\") must be a YAML mapping shaped like the object, holding what changes")
            }
            for key in ["apiVersion", "kind"] where value[key] != nil {
                throw Message(text: "KubernetesPatch(\"\(target)\") may not change the object's \(key): the target names the object")
            }
            for key in ["name", "namespace"] where value["metadata"]?[key] != nil {
                throw Message(text: "KubernetesPatch(\"\(target)\") may not change metadata.\(key): other objects refer to it")
            }
            return .kubernetesPatch(target: target, patch: value)
        case .kubernetesOperations(let target, let operations):
            let target = try kubernetesTarget(target)
            let what = "KubernetesPatch(\"\(target)\", operations:)"
            let value = try yaml(operations, what: what)
            guard case .list(let items) = value, !items.isEmpty else {
                throw Message(text: "\(what) must be a list of JSON Patch operations (op, path, value)")
            }
            for (index, item) in items.enumerated() {
                let number = index + 1
                guard case .string(let op)? = item["op"], ["add", "remove", "replace", "move", "copy", "test"].contains(op) else {
                    throw Message(text: "\(what): operation \(number) needs an op of add, remove, replace, move, copy or test")
                }
                guard case .string(let path)? = item["path"], path.hasPrefix("/") else {
                    throw Message(text: "\(what): operation \(number) needs a path that starts with / (a JSON Pointer)")
                }
                if ["/kind", "/apiVersion", "/metadata/name", "/metadata/namespace"].contains(path) {
                    throw Message(text: "\(what): operation \(number) may not change \(path): the target and other objects refer to it")
                }
                if ["add", "replace", "test"].contains(op) && item["value"] == nil {
                    throw Message(text: "\(what): operation \(number) (\(op)) needs a value")
                }
                if ["move", "copy"].contains(op) {
                    guard case .string(let from)? = item["from"], from.hasPrefix("/") else {
                        throw Message(text: "\(what): operation \(number) (\(op)) needs a from path that starts with /")
                    }
                }
            }
            return .kubernetesOperations(target: target, operations: value)
        case .composeOverride(let text):
            let value = try yaml(text, what: "ComposeOverride")
            guard case .map(let entries) = value, !entries.isEmpty else {
                throw Message(text: "ComposeOverride must be a YAML mapping shaped like compose.yaml, holding what changes")
            }
            for entry in entries where !["services", "volumes", "networks", "configs", "secrets"].contains(entry.key) && !entry.key.hasPrefix("x-") {
                throw Message(text: "ComposeOverride may not set \(entry.key.debugDescription): only services, volumes, networks, configs, secrets and x- extensions (the deploy names the project)")
            }
            return .composeOverride(value)
        case .terraformFile(let name, let contents):
            guard isTerraformFileName(name) else {
                throw Message(text: "TerraformFile \(name.debugDescription) needs a file name of lowercase letters, digits, _ and -, ending in .tf")
            }
            if let problem = HCLShape.problem(contents) {
                throw Message(text: "TerraformFile(\"\(name)\") is not valid HCL: \(problem)")
            }
            return .terraformFile(name: name, contents: contents)
        case .deployStep(let name, let run):
            guard !name.isEmpty, name.count <= 100, !name.contains("\n") else {
                throw Message(text: "DeployStep needs a name of one line, at most 100 characters")
            }
            guard !run.allSatisfy(\.isWhitespace) else {
                throw Message(text: "DeployStep(\"\(name)\") has nothing to run")
            }
            return .deployStep(name: name, run: run)
        }
    }

    private static func kubernetesTarget(_ text: String) throws(Message) -> KubernetesTarget {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, let first = parts[0].first, first.isUppercase, parts[0].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }),
              ValueRules.isKubernetesName(parts[1]) else {
            throw Message(text: "KubernetesPatch target \(text.debugDescription) is not Kind/name (for example \"Deployment/web\")")
        }
        return KubernetesTarget(kind: parts[0], name: parts[1])
    }

    private static func isTerraformFileName(_ name: String) -> Bool {
        guard name.hasSuffix(".tf"), name.count > 3, name.count <= 64, let first = name.first, first.isLowercase || first.isNumber else { return false }
        return name.dropLast(3).allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "_" || $0 == "-" }
    }

    private static func yaml(_ text: String, what: String) throws(Message) -> PatchValue {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw Message(text: "\(what) is not valid YAML: \(String(describing: error).split(separator: "\n").first ?? "")")
        }
        guard let node else { throw Message(text: "\(what) is empty") }
        return try value(node, what: what)
    }

    private static func value(_ node: Node, what: String) throws(Message) -> PatchValue {
        switch node {
        case .scalar(let scalar):
            // What the YAML resolver reads the scalar as (a quoted one is always a string).
            switch node.any {
            case is NSNull: return .null
            case let flag as Bool: return .bool(flag)
            case is Int, is Double: return .number(scalar.string)
            default: return .string(scalar.string)
            }
        case .sequence(let sequence):
            var items: [PatchValue] = []
            for item in sequence { items.append(try value(item, what: what)) }
            return .list(items)
        case .mapping(let mapping):
            var entries: [PatchEntry] = []
            for (key, item) in mapping {
                guard case .scalar(let scalar) = key else { throw Message(text: "\(what) has a key that is not a string") }
                entries.append(PatchEntry(key: scalar.string, value: try value(item, what: what)))
            }
            return .map(entries)
        case .alias:
            throw Message(text: "\(what) uses a YAML alias: write the value out")
        }
    }
}

/// A light check that Terraform text is shaped like HCL: brackets balanced outside strings,
/// comments and heredocs, and every string and heredoc closed. `terraform validate` says more;
/// this catches a paste gone wrong at the line that declares it, before any file is written.
enum HCLShape {
    static func problem(_ text: String) -> String? {
        var stack: [(Character, Int)] = []
        var line = 1
        var index = text.startIndex
        func peek(_ offset: Int) -> Character? {
            text.index(index, offsetBy: offset, limitedBy: text.endIndex).flatMap { $0 < text.endIndex ? text[$0] : nil }
        }
        while index < text.endIndex {
            let character = text[index]
            switch character {
            case "\n":
                line += 1
            case "#":
                while index < text.endIndex && text[index] != "\n" { index = text.index(after: index) }
                continue
            case "/" where peek(1) == "/":
                while index < text.endIndex && text[index] != "\n" { index = text.index(after: index) }
                continue
            case "/" where peek(1) == "*":
                guard let end = text.range(of: "*/", range: index..<text.endIndex) else { return "a /* comment on line \(line) is not closed" }
                line += text[index..<end.lowerBound].filter { $0 == "\n" }.count
                index = end.upperBound
                continue
            case "\"":
                let start = line
                index = text.index(after: index)
                while index < text.endIndex && text[index] != "\"" {
                    if text[index] == "\n" { return "the string on line \(start) is not closed" }
                    if text[index] == "\\" { index = text.index(after: index) }
                    if index < text.endIndex { index = text.index(after: index) }
                }
                if index >= text.endIndex { return "the string on line \(start) is not closed" }
            case "<" where peek(1) == "<":
                // A heredoc: <<EOT or <<-EOT, closed by a line holding only the marker.
                var cursor = text.index(index, offsetBy: 2)
                if cursor < text.endIndex && text[cursor] == "-" { cursor = text.index(after: cursor) }
                let markerEnd = text[cursor...].firstIndex { !($0.isLetter || $0.isNumber || $0 == "_") } ?? text.endIndex
                let marker = String(text[cursor..<markerEnd])
                guard !marker.isEmpty else { break }
                let start = line
                let rest = text[markerEnd...].split(separator: "\n", omittingEmptySubsequences: false)
                guard let closing = rest.dropFirst().firstIndex(where: { String($0.filter { $0 != " " && $0 != "\t" && $0 != "\r" }) == marker }) else {
                    return "the heredoc \(marker) opened on line \(start) is not closed"
                }
                line += closing - rest.startIndex
                index = rest[closing].endIndex
                continue
            case "{", "[", "(":
                stack.append((character, line))
            case "}", "]", ")":
                let opening: Character = character == "}" ? "{" : character == "]" ? "[" : "("
                guard let last = stack.popLast() else { return "line \(line) closes \(character) that nothing opened" }
                guard last.0 == opening else { return "line \(line) closes \(character), but line \(last.1) opened \(last.0)" }
            default:
                break
            }
            index = text.index(after: index)
        }
        if let open = stack.last { return "\(open.0) opened on line \(open.1) is not closed" }
        return nil
    }
}
