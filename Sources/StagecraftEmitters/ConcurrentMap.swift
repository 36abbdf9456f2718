import Dispatch
import Foundation

extension Array where Element: Sendable {
    /// `map` with the elements transformed concurrently, results in the elements' order:
    /// emitters are pure, so their parts can run on every core without changing the output.
    func concurrentMap<Result: Sendable>(_ transform: @Sendable (Element) throws -> Result) throws -> [Result] {
        let slots = Slots<Result>(count: count)
        DispatchQueue.concurrentPerform(iterations: count) { index in
            slots[index] = Swift.Result { try transform(self[index]) }
        }
        return try slots.all.map { try $0.get() }
    }
}

/// One result per element, filled from concurrent tasks.
private final class Slots<Value: Sendable>: @unchecked Sendable {
    private var slots: [Result<Value, any Error>?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    subscript(index: Int) -> Result<Value, any Error>? {
        get { lock.withLock { slots[index] } }
        set { lock.withLock { slots[index] = newValue } }
    }

    var all: [Result<Value, any Error>] { lock.withLock { slots.map { $0! } } }
}
