/// The security settings every pod Stagecraft writes runs with: the Pod Security Standard
/// `restricted` profile (the namespace enforces it), a read-only root filesystem and a
/// writable, size-limited /tmp.
enum PodHardening {
    /// A high UID/GID no host account uses; images must not depend on their own USER.
    static let userID = 10001

    static var podSecurityContext: YAML {
        kubeMap(
            ("runAsNonRoot", true),
            ("runAsUser", .int(userID)),
            ("runAsGroup", .int(userID)),
            ("fsGroup", .int(userID)),
            ("seccompProfile", kubeMap(("type", "RuntimeDefault")))
        )
    }

    static var containerSecurityContext: YAML {
        kubeMap(
            ("runAsNonRoot", true),
            ("allowPrivilegeEscalation", false),
            ("readOnlyRootFilesystem", true),
            ("capabilities", kubeMap(("drop", .list(["ALL"])))),
            ("seccompProfile", kubeMap(("type", "RuntimeDefault")))
        )
    }

    static let tmpVolume = "tmp"

    static var tmpVolumeMount: YAML { kubeMap(("name", .string(tmpVolume)), ("mountPath", "/tmp")) }

    static var tmpVolumeSource: YAML {
        kubeMap(("name", .string(tmpVolume)), ("emptyDir", kubeMap(("sizeLimit", "256Mi"))))
    }

    /// Pod-level fields shared by every workload: no API token (nothing here calls the API).
    static var podDefaults: [(String, YAML)] {
        [("automountServiceAccountToken", false), ("securityContext", podSecurityContext)]
    }

    /// Spread across zones (a hard rule, so a zone outage leaves the others serving) and,
    /// softly, across nodes. `pod-template-hash` keeps each revision spread on its own
    /// during a rollout.
    static func topologySpread(selector: YAML) -> YAML {
        func constraint(_ key: String, _ when: String) -> YAML {
            kubeMap(
                ("maxSkew", 1),
                ("topologyKey", .string(key)),
                ("whenUnsatisfiable", .string(when)),
                ("labelSelector", kubeMap(("matchLabels", selector))),
                ("matchLabelKeys", .list(["pod-template-hash"]))
            )
        }
        return .list([
            constraint("topology.kubernetes.io/zone", "DoNotSchedule"),
            constraint("kubernetes.io/hostname", "ScheduleAnyway"),
        ])
    }

    static func resources(cpuMillicores: Int, memoryMiB: Int) -> YAML {
        // Requests are what the scheduler reserves; the CPU limit leaves headroom for bursts,
        // memory is capped at what was asked so a leak is killed rather than starving neighbours.
        kubeMap(
            ("requests", kubeMap(("cpu", Quantity.cpu(cpuMillicores)), ("memory", Quantity.memory(memoryMiB)))),
            ("limits", kubeMap(("cpu", Quantity.cpu(cpuMillicores * 2)), ("memory", Quantity.memory(memoryMiB))))
        )
    }
}
