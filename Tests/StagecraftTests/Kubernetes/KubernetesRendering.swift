import Foundation
import StagecraftCLI
import StagecraftOutput
import StagecraftPlanner
import StagecraftSpec
import XCTest
import Yams

/// The two stacks the Kubernetes tests render for real: the marketplace example (scale) and
/// the shop example promoted to scale, each written into a temporary folder.
enum KubernetesRendering {
    struct Rendered {
        var name: String
        var plan: StackPlan
        var files: FileSet
        var root: URL

        var kubernetesEnvironments: [EnvironmentPlan] { plan.environments.filter { $0.platform == .kubernetes } }

        /// `kubectl kustomize` of one overlay, as the deploy would apply it.
        func build(_ environment: String) throws -> String {
            let result = try Tools.run(try Tools.require("kubectl"), ["kustomize", "kubernetes/overlays/\(environment)"], in: root)
            guard result.status == 0 else { throw BuildFailed(output: result.output) }
            return result.output
        }

        /// The objects of one built overlay, parsed.
        func objects(_ environment: String) throws -> [[String: Any]] {
            try Yams.load_all(yaml: try build(environment)).compactMap { $0 as? [String: Any] }
        }
    }

    struct BuildFailed: Error, CustomStringConvertible {
        var output: String
        var description: String { "kubectl kustomize failed:\n\(output)" }
    }

    static func marketplace() throws -> Rendered {
        try render("marketplace", try Fixtures.example("marketplace"))
    }

    static func shopAtScale() throws -> Rendered {
        var spec = try Fixtures.example("shop")
        spec.stage = .scale
        return try render("shop-at-scale", spec)
    }

    static func both() throws -> [Rendered] { [try marketplace(), try shopAtScale()] }

    static func render(_ name: String, _ spec: StackSpec) throws -> Rendered {
        let generation = try Fixtures.renderer.render(spec)
        let root = try Fixtures.temporaryDirectory("kubernetes-\(name)")
        try Fixtures.materialize(generation.files, in: root)
        return Rendered(name: name, plan: generation.plan, files: generation.files, root: root)
    }
}

extension Dictionary where Key == String, Value == Any {
    var kind: String { self["kind"] as? String ?? "" }
    var name: String { (self["metadata"] as? [String: Any])?["name"] as? String ?? "" }

    /// The value at a dotted path of mapping keys (`spec.template.spec`).
    func value(at path: String) -> Any? {
        var current: Any? = self
        for key in path.split(separator: ".") { current = (current as? [String: Any])?[String(key)] }
        return current
    }
}
