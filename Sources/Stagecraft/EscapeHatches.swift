/// A strategic-merge patch or RFC 6902 operations on one Kubernetes object of the environment's
/// overlay, for what the DSL has no declaration for (an annotation, a sidecar, a toleration).
/// kustomize applies it through the overlay's kustomization, so the next `generate` keeps it and
/// the drift check passes. `target` is `Kind/name` of an object the overlay has.
///
/// ```swift
/// Production {
///     KubernetesPatch("Deployment/web", """
///         spec:
///           template:
///             metadata:
///               annotations:
///                 example.com/team: storefront
///         """)
///     KubernetesPatch("Deployment/web", operations: """
///         - op: add
///           path: /spec/template/spec/enableServiceLinks
///           value: false
///         """)
/// }
/// ```
///
/// `stagecraft check` warns when a patch changes what a declaration manages (replicas, image,
/// resources, probes, environment), naming the declaration to use instead.
public struct KubernetesPatch: EnvironmentContent {
    let spec: EscapeHatchSpec

    /// A strategic-merge patch: YAML shaped like the object, holding only what changes.
    public init(_ target: String, _ patch: String, file: String = #filePath, line: Int = #line) {
        spec = EscapeHatchSpec(.kubernetesMerge(target: target, patch: patch), location: location(file, line))
    }

    /// JSON Patch operations (`op`, `path`, `value`), as a YAML or JSON list.
    public init(_ target: String, operations: String, file: String = #filePath, line: Int = #line) {
        spec = EscapeHatchSpec(.kubernetesOperations(target: target, operations: operations), location: location(file, line))
    }

    public func apply(to environment: inout EnvironmentSpec) { environment.escapeHatches.append(spec) }
}

/// YAML merged into the environment's compose.yaml, for a Compose option the DSL has no
/// declaration for. Mappings merge key by key; a list or a value replaces what was there, and
/// `null` removes it.
///
/// ```swift
/// Production {
///     ComposeOverride("""
///         services:
///           web:
///             labels:
///               com.example.team: storefront
///         """)
/// }
/// ```
public struct ComposeOverride: EnvironmentContent {
    let spec: EscapeHatchSpec

    public init(_ yaml: String, file: String = #filePath, line: Int = #line) {
        spec = EscapeHatchSpec(.composeOverride(yaml), location: location(file, line))
    }

    public func apply(to environment: inout EnvironmentSpec) { environment.escapeHatches.append(spec) }
}

/// A Terraform file of your own in the environment's root module (AWS:
/// `terraform/environments/<environment>/`; Kubernetes: `environments/<environment>/cloud/`),
/// beside the generated ones. A name ending in `_override.tf` is a Terraform override file:
/// it changes generated blocks, and `stagecraft check` says so.
///
/// ```swift
/// Production {
///     TerraformFile("alarms_extra.tf", """
///         resource "aws_sns_topic" "oncall" {
///           name = "shop-production-oncall"
///         }
///         """)
/// }
/// ```
public struct TerraformFile: EnvironmentContent {
    let spec: EscapeHatchSpec

    public init(_ name: String, _ contents: String, file: String = #filePath, line: Int = #line) {
        spec = EscapeHatchSpec(.terraformFile(name: name, contents: contents), location: location(file, line))
    }

    public func apply(to environment: inout EnvironmentSpec) { environment.escapeHatches.append(spec) }
}

/// A step the environment's deploy job runs once the release is rolled out and healthy
/// (bash, `set -euo pipefail`); when it fails, the deploy rolls back like any failed step.
///
/// ```swift
/// Production {
///     DeployStep("Warm the cache", run: "curl --fail --silent https://shop.example.com/warm")
/// }
/// ```
public struct DeployStep: EnvironmentContent {
    let spec: EscapeHatchSpec

    public init(_ name: String, run script: String, file: String = #filePath, line: Int = #line) {
        spec = EscapeHatchSpec(.deployStep(name: name, run: script), location: location(file, line))
    }

    public func apply(to environment: inout EnvironmentSpec) { environment.escapeHatches.append(spec) }
}
