/// A YAML node with the position it started at. Only what policy and config files need:
/// scalars keep their text and whether they were quoted, so `"true"` stays a string.
public indirect enum YAMLNode: Sendable, Equatable {
    case scalar(String, quoted: Bool, at: SourceLocation)
    case sequence([YAMLNode], at: SourceLocation)
    case mapping([YAMLPair], at: SourceLocation)

    public var location: SourceLocation {
        switch self {
        case .scalar(_, _, let at), .sequence(_, let at), .mapping(_, let at): return at
        }
    }

    /// A short name of the node's shape for diagnostics ("a mapping", "a list", "text").
    public var kindDescription: String {
        switch self {
        case .scalar: return "a scalar"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }

    /// The text of a scalar, whatever it looks like.
    public var scalarText: String? {
        if case .scalar(let text, _, _) = self { return text }
        return nil
    }

    /// True for `null`, `~` and an empty plain scalar, per the YAML 1.2 core schema.
    public var isNull: Bool {
        if case .scalar(let text, let quoted, _) = self, !quoted {
            return text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
        }
        return false
    }

    public var boolValue: Bool? {
        guard case .scalar(let text, let quoted, _) = self, !quoted else { return nil }
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    public var intValue: Int? {
        guard case .scalar(let text, let quoted, _) = self, !quoted else { return nil }
        return Int(text)
    }

    public var sequenceItems: [YAMLNode]? {
        if case .sequence(let items, _) = self { return items }
        return nil
    }

    public var mappingPairs: [YAMLPair]? {
        if case .mapping(let pairs, _) = self { return pairs }
        return nil
    }

    /// The value under a plain string key of a mapping.
    public subscript(key: String) -> YAMLNode? {
        mappingPairs?.first { $0.key.scalarText == key }?.value
    }
}

public struct YAMLPair: Sendable, Equatable {
    public var key: YAMLNode
    public var value: YAMLNode

    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}
