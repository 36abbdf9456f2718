/// A product's growth stage. Every default Stagecraft applies depends on it.
public enum Stage: String, Codable, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    /// A first version with its first users: one of everything, nothing that is not needed yet.
    case mvp
    /// A product that is taking off: redundancy, shared state, staging, backups with point-in-time recovery.
    case growth
    /// A product under real load: autoscaling across zones, pooled connections, tight RPO, progressive rollout.
    case scale

    public static func < (lhs: Stage, rhs: Stage) -> Bool { lhs.rank < rhs.rank }

    public var rank: Int { Stage.allCases.firstIndex(of: self)! }
    public var next: Stage? { rank + 1 < Stage.allCases.count ? Stage.allCases[rank + 1] : nil }
    public var previous: Stage? { rank > 0 ? Stage.allCases[rank - 1] : nil }
    public var description: String { rawValue }
}
