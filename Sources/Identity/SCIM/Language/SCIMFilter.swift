/// An attribute path as filters and PATCH paths name it (RFC 7644 §3.10):
/// `[schemaURN ":"] attribute ["." subAttribute]`.
public struct SCIMAttributePath: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The schema URN prefix as written, nil when the name had none.
    public var schema: String?
    public var attribute: String
    public var subAttribute: String?

    public init(schema: String? = nil, attribute: String, subAttribute: String? = nil) {
        self.schema = schema
        self.attribute = attribute
        self.subAttribute = subAttribute
    }

    public var description: String {
        (schema.map { $0 + ":" } ?? "") + attribute + (subAttribute.map { "." + $0 } ?? "")
    }

    public static func == (lhs: SCIMAttributePath, rhs: SCIMAttributePath) -> Bool {
        lhs.description.lowercased() == rhs.description.lowercased()
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(description.lowercased()) }
}

public enum SCIMCompareOperator: String, Sendable, CaseIterable {
    case eq, ne, co, sw, ew, gt, ge, lt, le
}

/// A parsed SCIM filter (RFC 7644 §3.4.2.2). `and`/`or` hold two or more operands, so long
/// chains stay flat instead of nesting one level per term.
public indirect enum SCIMFilter: Sendable, Equatable, CustomStringConvertible {
    case compare(SCIMAttributePath, SCIMCompareOperator, SCIMValue)
    case present(SCIMAttributePath)
    case and([SCIMFilter])
    case or([SCIMFilter])
    case not(SCIMFilter)
    /// `attr[valueFilter]`: some value of the multi-valued `attr` matches `valueFilter`, whose
    /// attribute names are relative to that value.
    case valuePath(SCIMAttributePath, SCIMFilter)

    /// Canonical text, fully parenthesised where it matters; parsing it gives the same filter.
    public var description: String {
        switch self {
        case .compare(let path, let op, let value): return "\(path) \(op.rawValue) \(value.jsonString)"
        case .present(let path): return "\(path) pr"
        case .and(let operands): return operands.map { $0.operandText(inside: .and) }.joined(separator: " and ")
        case .or(let operands): return operands.map { $0.operandText(inside: .or) }.joined(separator: " or ")
        case .not(let inner): return "not (\(inner))"
        case .valuePath(let path, let inner): return "\(path)[\(inner)]"
        }
    }

    private enum Context { case and, or }

    private func operandText(inside context: Context) -> String {
        switch (self, context) {
        case (.or, _), (.and, .and): return "(\(description))"
        default: return description
        }
    }
}
