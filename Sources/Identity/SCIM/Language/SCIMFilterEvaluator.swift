/// Evaluates a parsed filter against one resource. What an attribute means comes from the
/// resource's schema: `caseExact` decides string comparison (userName, emails, displayName
/// ignore case; id, externalId do not), `dateTime` attributes compare as instants, and
/// extension attributes are read from under their schema URN.
public struct SCIMFilterEvaluator: Sendable {
    public var schema: SCIMResourceSchema

    public init(schema: SCIMResourceSchema) { self.schema = schema }

    public func matches(_ filter: SCIMFilter, _ resource: SCIMValue) -> Bool {
        evaluate(filter, resource, within: nil)
    }

    /// `within` is the multi-valued attribute whose single value `node` is, inside `attr[…]`.
    private func evaluate(_ filter: SCIMFilter, _ node: SCIMValue, within: SCIMAttribute?) -> Bool {
        switch filter {
        case .and(let operands): return operands.allSatisfy { evaluate($0, node, within: within) }
        case .or(let operands): return operands.contains { evaluate($0, node, within: within) }
        case .not(let inner): return !evaluate(inner, node, within: within)
        case .present(let path):
            // A complex value is present when any of its sub-attributes is (RFC 7644 §3.4.2.2).
            return resolve(path, node, within: within, unwrapComplex: false).values.contains { !$0.isUnassigned }
        case .compare(let path, let op, let literal):
            let (values, definition) = resolve(path, node, within: within)
            switch (op, literal) {
            case (.eq, .null): return values.allSatisfy(\.isUnassigned)
            case (.ne, .null): return values.contains { !$0.isUnassigned }
            case (.ne, _): return !values.contains { Self.compare($0, .eq, literal, definition) }
            default: return values.contains { Self.compare($0, op, literal, definition) }
            }
        case .valuePath(let path, let inner):
            let (values, definition) = resolve(path, node, within: within, unwrapComplex: false)
            return values.contains { evaluate(inner, $0, within: definition ?? SCIMAttribute(path.attribute, .complex)) }
        }
    }

    /// Every value the path names (multi-valued attributes flattened) and its definition.
    private func resolve(
        _ path: SCIMAttributePath, _ node: SCIMValue, within: SCIMAttribute?, unwrapComplex: Bool = true
    ) -> (values: [SCIMValue], definition: SCIMAttribute?) {
        var definition: SCIMAttribute?
        var raw: SCIMValue?
        if let within {
            // Inside a value filter names are the outer attribute's sub-attributes.
            definition = within.subAttribute(path.attribute)
            raw = node[path.attribute]
        } else {
            if let urn = path.schema {
                guard schema.schema(urn: urn) != nil else { return ([], nil) }
                raw = schema.isExtension(urn) ? node[urn]?[path.attribute] : node[path.attribute]
            } else {
                raw = node[path.attribute]
            }
            definition = schema.attribute(schema: path.schema, name: path.attribute)
        }
        guard let raw else { return ([], nil) }
        var values = Self.flatten(raw)
        if let sub = path.subAttribute {
            definition = definition?.subAttribute(sub)
            values = values.flatMap { value -> [SCIMValue] in
                guard let child = value[sub] else { return [] }
                return Self.flatten(child)
            }
        } else if unwrapComplex, definition.map({ $0.kind == .complex && $0.multiValued })
                    ?? values.contains(where: { $0.objectValue != nil }) {
            // `emails co "x"` compares the values' `value` sub-attribute (RFC 7644 §3.4.2.2).
            let valueDefinition = definition?.subAttribute("value")
            values = values.compactMap { $0.objectValue == nil ? $0 : $0["value"] }
            definition = valueDefinition
        }
        return (values.filter { !$0.isNull }, definition)
    }

    private static func flatten(_ value: SCIMValue) -> [SCIMValue] {
        if case .array(let items) = value { return items }
        return [value]
    }

    static func compare(_ value: SCIMValue, _ op: SCIMCompareOperator, _ literal: SCIMValue, _ definition: SCIMAttribute?) -> Bool {
        switch (value, literal) {
        case (.string(let actual), .string(let expected)):
            if definition?.kind == .dateTime, let left = SCIMDateTime.instant(actual), let right = SCIMDateTime.instant(expected) {
                return order(left, right, op)
            }
            let caseExact = definition?.caseExact ?? false
            let a = caseExact ? actual : actual.lowercased()
            let b = caseExact ? expected : expected.lowercased()
            switch op {
            case .eq: return a == b
            case .ne: return a != b
            case .co: return a.contains(b)
            case .sw: return a.hasPrefix(b)
            case .ew: return a.hasSuffix(b)
            case .gt, .ge, .lt, .le: return order(a, b, op)
            }
        case (.integer, _), (.decimal, _):
            guard let a = value.doubleValue, let b = literal.doubleValue else { return false }
            switch op {
            case .co, .sw, .ew: return false
            default: return order(a, b, op)
            }
        case (.bool(let a), .bool(let b)):
            switch op {
            case .eq: return a == b
            case .ne: return a != b
            default: return false
            }
        default:
            return false
        }
    }

    private static func order<T: Comparable>(_ a: T, _ b: T, _ op: SCIMCompareOperator) -> Bool {
        switch op {
        case .eq: return a == b
        case .ne: return a != b
        case .gt: return a > b
        case .ge: return a >= b
        case .lt: return a < b
        case .le: return a <= b
        case .co, .sw, .ew: return false
        }
    }
}

extension SCIMFilter {
    public func matches(_ resource: SCIMValue, schema: SCIMResourceSchema) -> Bool {
        SCIMFilterEvaluator(schema: schema).matches(self, resource)
    }
}

/// RFC 3339 date-times (`2024-05-01T10:00:00Z`, `…00.123+02:00`) as comparable instants, so
/// `meta.lastModified gt "…"` compares moments, not text in different offsets.
enum SCIMDateTime {
    struct Instant: Comparable {
        var seconds: Int64
        var fraction: Double
        static func < (lhs: Instant, rhs: Instant) -> Bool {
            lhs.seconds != rhs.seconds ? lhs.seconds < rhs.seconds : lhs.fraction < rhs.fraction
        }
    }

    static func instant(_ text: String) -> Instant? {
        let bytes = Array(text.utf8)
        var offset = 0
        func digits(_ count: Int) -> Int64? {
            guard offset + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[offset..<offset + count] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int64(byte - 0x30)
            }
            offset += count
            return value
        }
        func literal(_ characters: String) -> Bool {
            guard offset < bytes.count, characters.utf8.contains(bytes[offset]) else { return false }
            offset += 1
            return true
        }
        guard let year = digits(4), literal("-"), let month = digits(2), literal("-"), let day = digits(2),
              literal("Tt "), let hour = digits(2), literal(":"), let minute = digits(2), literal(":"),
              let second = digits(2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var fraction = 0.0
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            var scale = 0.1
            let start = offset
            while offset < bytes.count, bytes[offset] >= 0x30, bytes[offset] <= 0x39 {
                fraction += Double(bytes[offset] - 0x30) * scale
                scale /= 10
                offset += 1
            }
            guard offset > start else { return nil }
        }
        var zoneOffset: Int64 = 0
        if literal("Zz") {
        } else if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") {
            let sign: Int64 = bytes[offset] == UInt8(ascii: "-") ? -1 : 1
            offset += 1
            guard let zoneHours = digits(2), literal(":"), let zoneMinutes = digits(2), zoneHours < 24, zoneMinutes < 60
            else { return nil }
            zoneOffset = sign * (zoneHours * 3600 + zoneMinutes * 60)
        } else {
            return nil
        }
        guard offset == bytes.count else { return nil }
        // Days from civil (Howard Hinnant's algorithm).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - zoneOffset
        return Instant(seconds: seconds, fraction: fraction)
    }
}
