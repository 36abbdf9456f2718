import StagecraftSpec

/// Where each declared data store stands in the stack, built once per plan, so resolving a
/// workload costs its own references rather than the size of the stack.
struct StackIndex {
    let databases: [String: Int]
    let caches: [String: Int]
    let buckets: [String: Int]
    /// Caches some worker takes jobs from.
    let queues: Set<String>

    init(_ spec: StackSpec) {
        func positions(_ names: [String]) -> [String: Int] {
            Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        }
        databases = positions(spec.databases.map(\.name))
        caches = positions(spec.caches.map(\.name))
        buckets = positions(spec.buckets.map(\.name))
        queues = Set(spec.workers.compactMap(\.queue?.value))
    }

    /// The names in `uses` that `kind` declares, in declaration order.
    func ordered(_ uses: Set<String>, in kind: [String: Int]) -> [String] {
        uses.compactMap { name in kind[name].map { ($0, name) } }.sorted { $0.0 < $1.0 }.map(\.1)
    }
}
