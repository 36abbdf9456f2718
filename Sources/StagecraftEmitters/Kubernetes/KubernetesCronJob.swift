import StagecraftPlanner

/// A CronJob as every scheduled job Stagecraft writes runs: in UTC, one run at a time (two
/// would race for the same work), a missed run made up within the hour, the last three runs
/// of each outcome kept for reading.
enum KubernetesCronJob {
    static func object(
        _ name: String, labels: [(String, YAML)], annotations: [(String, YAML)] = [], schedule: String,
        backoffLimit: Int, activeDeadlineSeconds: Int, pod: YAML
    ) -> KubernetesObject {
        KubernetesObject(apiVersion: "batch/v1", kind: "CronJob", name: name, labels: labels, annotations: annotations, body: [("spec", kubeMap(
            ("schedule", .string(schedule)),
            ("timeZone", "Etc/UTC"),
            ("concurrencyPolicy", "Forbid"),
            ("startingDeadlineSeconds", 3600),
            ("successfulJobsHistoryLimit", 3),
            ("failedJobsHistoryLimit", 3),
            ("jobTemplate", kubeMap(("spec", kubeMap(
                ("backoffLimit", .int(backoffLimit)),
                ("activeDeadlineSeconds", .int(activeDeadlineSeconds)),
                ("template", kubeMap(("metadata", kubeMap(("labels", .map(labels)))), ("spec", pod)))
            ))))
        ))])
    }
}
