import StagecraftPlanner

extension YAML {
    /// A patch's value as a document part.
    init(_ value: PatchValue) {
        switch value {
        case .string(let text): self = .string(text)
        case .number(let text): self = .number(text)
        case .bool(let flag): self = .bool(flag)
        case .null: self = .null
        case .list(let items): self = .list(items.map(YAML.init))
        case .map(let entries): self = .map(entries.map { ($0.key, YAML($0.value)) })
        }
    }

    /// This document with `patch` merged in, as a JSON Merge Patch (RFC 7386) merges: mappings
    /// key by key, a null removing the key, anything else replacing what was there.
    func merging(_ patch: PatchValue) -> YAML {
        guard case .map(let entries) = patch else { return YAML(patch) }
        var pairs: [(String, YAML)]
        if case .map(let existing) = self { pairs = existing } else { pairs = [] }
        for entry in entries {
            let position = pairs.firstIndex { $0.0 == entry.key }
            if entry.value == .null {
                if let position { pairs.remove(at: position) }
            } else if let position {
                pairs[position].1 = pairs[position].1.merging(entry.value)
            } else {
                pairs.append((entry.key, YAML.null.merging(entry.value)))
            }
        }
        return .map(pairs)
    }
}
