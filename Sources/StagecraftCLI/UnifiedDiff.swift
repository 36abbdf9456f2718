/// A unified diff of two texts (Myers' O((N+M)·D) algorithm), as `diff -u` prints it.
enum UnifiedDiff {
    enum Edit: Equatable {
        case same(String), removed(String), added(String)
    }

    static func render(old: String, new: String, oldName: String, newName: String, context: Int = 3) -> String {
        let edits = diff(lines(old), lines(new))
        guard edits.contains(where: { if case .same = $0 { false } else { true } }) else { return "" }
        var out = "--- \(oldName)\n+++ \(newName)\n"
        for hunk in hunks(edits, context: context) { out += hunk }
        return out
    }

    private static func lines(_ text: String) -> [String] {
        guard !text.isEmpty else { return [] }
        var result = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if result.last == "" { result.removeLast() }
        return result
    }

    static func diff(_ a: [String], _ b: [String]) -> [Edit] {
        let n = a.count, m = b.count, max = n + m
        guard max > 0 else { return [] }
        var v = [Int](repeating: 0, count: 2 * max + 2)
        var trace: [[Int]] = []
        outer: for d in 0...max {
            trace.append(v)
            for k in stride(from: -d, through: d, by: 2) {
                var x = (k == -d || (k != d && v[max + k - 1] < v[max + k + 1])) ? v[max + k + 1] : v[max + k - 1] + 1
                var y = x - k
                while x < n && y < m && a[x] == b[y] { x += 1; y += 1 }
                v[max + k] = x
                if x >= n && y >= m { break outer }
            }
        }
        var edits: [Edit] = []
        var x = n, y = m
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let v = trace[d]
            let k = x - y
            let previousK = (k == -d || (k != d && v[max + k - 1] < v[max + k + 1])) ? k + 1 : k - 1
            let previousX = v[max + previousK]
            let previousY = previousX - previousK
            while x > previousX && y > previousY { x -= 1; y -= 1; edits.append(.same(a[x])) }
            if d > 0 {
                if x == previousX { y -= 1; edits.append(.added(b[y])) } else { x -= 1; edits.append(.removed(a[x])) }
            }
        }
        return edits.reversed()
    }

    private static func hunks(_ edits: [Edit], context: Int) -> [String] {
        let changed = edits.indices.filter { if case .same = edits[$0] { false } else { true } }
        var groups: [(Int, Int)] = []
        for index in changed {
            let start = Swift.max(0, index - context), end = Swift.min(edits.count - 1, index + context)
            if let last = groups.last, start <= last.1 + 1 { groups[groups.count - 1].1 = end } else { groups.append((start, end)) }
        }
        var result: [String] = []
        for (start, end) in groups {
            var oldLine = 1, newLine = 1
            for edit in edits[..<start] {
                switch edit {
                case .same: oldLine += 1; newLine += 1
                case .removed: oldLine += 1
                case .added: newLine += 1
                }
            }
            var body = "", oldCount = 0, newCount = 0
            for edit in edits[start...end] {
                switch edit {
                case .same(let line): body += " \(line)\n"; oldCount += 1; newCount += 1
                case .removed(let line): body += "-\(line)\n"; oldCount += 1
                case .added(let line): body += "+\(line)\n"; newCount += 1
                }
            }
            let oldStart = oldCount == 0 ? oldLine - 1 : oldLine
            let newStart = newCount == 0 ? newLine - 1 : newLine
            result.append("@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@\n" + body)
        }
        return result
    }
}
