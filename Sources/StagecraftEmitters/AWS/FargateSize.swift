import StagecraftSpec

/// The smallest Fargate task size that gives a workload at least the CPU and memory it asks
/// for. Fargate only accepts certain pairs: each CPU size has a memory range and step.
struct FargateSize: Equatable {
    /// CPU units (1024 = one vCPU) and memory in MiB.
    var cpu: Int
    var memory: Int

    private static let sizes: [(cpu: Int, memory: ClosedRange<Int>, step: Int)] = [
        (256, 512...2048, 512),
        (512, 1024...4096, 1024),
        (1024, 2048...8192, 1024),
        (2048, 4096...16384, 1024),
        (4096, 8192...30720, 1024),
        (8192, 16384...61440, 4096),
        (16384, 32768...122880, 8192),
    ]

    init(_ resources: ResourcesSpec) {
        let wantedCPU = (resources.cpuMillicores * 1024 + 999) / 1000
        for size in Self.sizes where size.cpu >= wantedCPU && size.memory.upperBound >= resources.memoryMiB {
            let atLeast = max(size.memory.lowerBound, resources.memoryMiB)
            let rounded = (atLeast - size.memory.lowerBound + size.step - 1) / size.step * size.step + size.memory.lowerBound
            (cpu, memory) = (size.cpu, min(rounded, size.memory.upperBound))
            return
        }
        (cpu, memory) = (16384, 122880)
    }
}
