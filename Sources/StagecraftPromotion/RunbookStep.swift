/// The kinds of step a stage change is carried out in, in the order that keeps the product
/// up while it grows: rehearse on staging, put the new capacity in place, move state and
/// traffic onto it, then tighten recovery. A demotion walks them backwards.
public enum RunbookStep: String, Sendable, CaseIterable, Comparable {
    case environments, platform, cache, loadBalancer, instances, readReplicas, pooling, cdn, backups, monitoring, delivery

    public static func < (lhs: RunbookStep, rhs: RunbookStep) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    var title: String {
        switch self {
        case .environments: "Create or retire environments"
        case .platform: "Move the platform and zones"
        case .cache: "Provision the cache and move sessions and queues to it"
        case .loadBalancer: "Reconfigure the load balancer"
        case .instances: "Change instance counts and sizes"
        case .readReplicas: "Add read replicas and move read traffic"
        case .pooling: "Put connection pooling in front of the database"
        case .cdn: "Serve static assets through the CDN"
        case .backups: "Change backups, then prove a restore"
        case .monitoring: "Change monitoring and alerting"
        case .delivery: "Change CI checks and deploy rules"
        }
    }
}
