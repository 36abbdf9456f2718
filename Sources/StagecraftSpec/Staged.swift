/// A value that may differ by stage. `base` applies to every stage a stage-specific
/// value does not override; a stage with neither takes the stage policy's default.
public struct Staged<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var base: Value?
    public var mvp: Value?
    public var growth: Value?
    public var scale: Value?

    public init(base: Value? = nil, mvp: Value? = nil, growth: Value? = nil, scale: Value? = nil) {
        self.base = base
        self.mvp = mvp
        self.growth = growth
        self.scale = scale
    }

    /// The value the stack declares for `stage`, if any.
    public subscript(stage: Stage) -> Value? {
        switch stage {
        case .mvp: mvp ?? base
        case .growth: growth ?? base
        case .scale: scale ?? base
        }
    }
}

/// A declared value together with the line that declared it.
public struct Located<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var value: Value
    public var location: SourceLocation

    public init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }
}
