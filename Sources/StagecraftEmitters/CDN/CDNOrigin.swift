import StagecraftPlanner

/// How a plan's CDN maps onto CloudFront's terms.
enum CDNOrigin {
    /// A CloudFront path pattern for a declared path: a folder (`/assets/`) covers what is inside it.
    static func pattern(_ path: String) -> String { path.hasSuffix("/") ? path + "*" : path }
}
