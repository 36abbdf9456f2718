import Foundation
import StagecraftOutput
import StagecraftPlanner

/// One folder per environment: each workload's non-secret settings as an env file, the
/// names of the secrets each workload and the environment's deploy expect (never values),
/// and the environment's resolved plan.
public struct EnvironmentConfigEmitter: Emitter {
    let deploySteps: DeployStepCatalog

    public init(deploySteps: DeployStepCatalog) {
        self.deploySteps = deploySteps
    }

    public func emit(_ plan: StackPlan, context: EmitContext) throws -> [GeneratedFile] {
        var files: [GeneratedFile] = []
        for environment in plan.environments {
            let folder = "environments/\(environment.name)"
            for workload in environment.workloads {
                var text = "# \(workload.name) in \(environment.name) (\(environment.stage)): settings that are not secret.\n"
                text += "# Secrets it expects are listed by name in ../secrets.yaml.\n"
                for entry in workload.config { text += "\(entry.key)=\(FormatQuoting.dotenv(entry.value))\n" }
                files.append(try GeneratedFile(path: "\(folder)/config/\(workload.name).env", text: text, commentStyle: .hash))
            }
            let target = plan.pipeline.deploys.first { $0.environment == environment.name }
            let deploy = try target.map { DeployStepCatalog.secretNames(in: try deploySteps.phases(for: $0, plan: plan).flatMap(\.steps)) } ?? []
            let review = try target.map { DeployStepCatalog.secretNames(in: try deploySteps.reviewSteps(for: $0, plan: plan)) } ?? []
            files.append(try GeneratedFile(path: "\(folder)/secrets.yaml", text: try secrets(plan, environment, deploy: deploy, review: review), commentStyle: .hash))
            files.append(try GeneratedFile(path: "\(folder)/plan.json", text: try json(environment), commentStyle: .none))
        }
        return files
    }

    private func secrets(_ plan: StackPlan, _ environment: EnvironmentPlan, deploy: [String], review: [String]) throws -> String {
        // Secrets a platform makes itself: on AWS, Terraform makes the database and cache
        // passwords (random, kept out of its state); on Kubernetes, CloudNativePG makes each
        // database's application password.
        let madeBy: [SecretRef.Purpose: String] = switch environment.platform {
        case .aws: [.databasePassword: "terraform", .cachePassword: "terraform"]
        case .kubernetes: [.databasePassword: "cloudnative-pg"]
        case .compose: [:]
        }
        var workloads = YAMLMap()
        for workload in environment.workloads {
            workloads.set(workload.name, .list(workload.secrets.map { secret in
                .map([("name", .string(secret.name)), ("purpose", .string(secret.purpose.rawValue))]
                    + (madeBy[secret.purpose].map { [("madeBy", .string($0))] } ?? []))
            }))
        }
        var document = YAMLMap()
        document.set("environment", .string(environment.name))
        document.set("stage", .string(environment.stage.rawValue))
        document.set("note", .string("Names only. Set each value in the \(environment.name) secret store"
            + (madeBy.isEmpty ? "" : ", except those made by \(environment.platform == .aws ? "Terraform" : "CloudNativePG")") + "; Stagecraft never reads or writes secret values."))
        document.set("workloads", workloads.yaml)
        if environment.platform == .kubernetes {
            // Where each Kubernetes Secret's keys come from: the secret store's names to set.
            let secrets = KubernetesSecrets(plan: plan, environment: environment)
            document.set("kubernetes", kubeMap(
                ("store", .string("ClusterSecretStore/\(KubernetesNames.secretStore(plan, environment))"
                    + (environment.secretStore == nil ? ": AWS Secrets Manager in \(environment.region)" : ": the cluster's own"))),
                ("secrets", .list(secrets.external.map { secret in
                    kubeMap(("name", .string(secret.name)), ("keys", .list(secret.keys.map { kubeMap(("key", .string($0.key)), ("from", .string($0.remote))) })))
                } + secrets.madeByOperator.map { kubeMap(("name", .string($0)), ("keys", .list(["username", "password"])), ("madeBy", "cloudnative-pg")) }))
            ))
        }
        // What the deploy job reads besides the workloads' own secrets (host access, cloud roles, keys).
        let workloadSecrets = Set(environment.workloads.flatMap { $0.secrets.map(\.name) })
        let deployOnly = deploy.filter { !workloadSecrets.contains($0) }
        if !deployOnly.isEmpty {
            document.set("deploy", .list(deployOnly.map { .string($0) }))
        }
        // What the infrastructure itself reads from the environment's store: the CDN's origin
        // secret, where no deploy step hands it over (on AWS, Terraform makes it).
        if environment.platform != .aws, let verification = environment.cdn?.originVerification,
           !workloadSecrets.contains(verification.secret), !deploy.contains(verification.secret) {
            document.set("infrastructure", .list([.string(verification.secret)]))
        }
        // Pull requests run outside the environment: these are repository secrets.
        if !review.isEmpty {
            document.set("pullRequestReview", .list(review.map { .string($0) }))
        }
        return try document.yaml.serialized()
    }

    private func json(_ environment: EnvironmentPlan) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(environment), as: UTF8.self) + "\n"
    }
}
