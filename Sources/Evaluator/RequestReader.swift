import PolicyLang

/// Reads the request lines of `arbiter policy eval` (and anything else that takes Cedar
/// requests as JSON), straight from the line's bytes into a `Request`: no JSON tree, no
/// copy of the line, entity references parsed in place.
///
/// The fast path takes the common shape only: `principal`, `action` and `resource` as
/// `"Type::\"id\""` strings with plain ASCII ids, and a `context` of ASCII strings
/// without escapes, integers, booleans, sets and records. Anything else (escapes,
/// non-ASCII text, the `{"type", "id"}` form, `__entity`/`__extn`, and every malformed
/// line) goes to `CedarJSON.request(from:)`, the reference reader, so the result and
/// every error message are exactly that reader's.
public struct RequestReader {
    public init() {}

    public mutating func request(from line: UnsafeBufferPointer<UInt8>) throws(EntityJSONError) -> Request {
        var cursor = Cursor(bytes: line)
        if let request = cursor.request() { return request }
        return try CedarJSON.request(from: Array(line))
    }
}

private enum RequestKey {
    case principal, action, resource, context
}

private struct Cursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    @inline(__always) var atEnd: Bool { position >= bytes.count }
    @inline(__always) var current: UInt8 { bytes[position] }

    @inline(__always)
    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    @inline(__always)
    mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    mutating func request() -> Request? {
        guard consume(UInt8(ascii: "{")) else { return nil }
        var principal: EntityUID?
        var action: EntityUID?
        var resource: EntityUID?
        var context: [String: Value]?
        if !consume(UInt8(ascii: "}")) {
            while true {
                guard let key = requestKey(), consume(UInt8(ascii: ":")) else { return nil }
                skipWhitespace()
                switch key {
                case .principal:
                    guard principal == nil, let uid = entityReference() else { return nil }
                    principal = uid
                case .action:
                    guard action == nil, let uid = entityReference() else { return nil }
                    action = uid
                case .resource:
                    guard resource == nil, let uid = entityReference() else { return nil }
                    resource = uid
                case .context:
                    guard context == nil, !atEnd, current == UInt8(ascii: "{"), let record = record(depth: 0) else { return nil }
                    context = record
                }
                if consume(UInt8(ascii: ",")) { continue }
                if consume(UInt8(ascii: "}")) { break }
                return nil
            }
        }
        skipWhitespace()
        guard atEnd, let principal, let action, let resource else { return nil }
        return Request(principal: principal, action: action, resource: resource, context: context ?? [:])
    }

    /// A member name of the request object; nil for any other name (the reference
    /// reader reports it).
    mutating func requestKey() -> RequestKey? {
        guard let (start, end) = plainString() else { return nil }
        // By length, then the bytes (a generic `elementsEqual` against a String's UTF-8
        // view was 5% of the whole run).
        switch end - start {
        case 9 where equals(start, "principal"): return .principal
        case 6 where equals(start, "action"): return .action
        case 8 where equals(start, "resource"): return .resource
        case 7 where equals(start, "context"): return .context
        default: return nil
        }
    }

    @inline(__always)
    func equals(_ start: Int, _ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        for i in 0..<count where bytes[start + i] != text.utf8Start[i] { return false }
        return true
    }

    /// A JSON string of printable ASCII without escapes: the byte range of its contents.
    @inline(__always)
    mutating func plainString() -> (Int, Int)? {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { return nil }
        position += 1
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return (start, position - 1)
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { return nil }
            position += 1
        }
        return nil
    }

    /// `"Type::\"id\""` as JSON: identifiers joined by `::`, then the id between two
    /// escaped quotes, with no other escape in it.
    mutating func entityReference() -> EntityUID? {
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { return nil }
        position += 1
        let typeStart = position
        var typeEnd: Int
        while true {
            guard position < bytes.count, CedarJSON.isIdentifierStart(bytes[position]) else { return nil }
            position += 1
            while position < bytes.count, CedarJSON.isIdentifierStart(bytes[position]) || (bytes[position] &- UInt8(ascii: "0")) < 10 {
                position += 1
            }
            typeEnd = position
            guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: ":"), bytes[position + 1] == UInt8(ascii: ":") else { return nil }
            position += 2
            if position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "\"") { break }
        }
        position += 2
        let idStart = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\"") || byte < 0x20 || byte >= 0x80 { break }
            position += 1
        }
        let idEnd = position
        guard position + 2 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "\""),
              bytes[position + 2] == UInt8(ascii: "\"") else { return nil }
        position += 3
        return EntityUID(type: ascii(typeStart, typeEnd), id: ascii(idStart, idEnd))
    }

    @inline(__always)
    func ascii(_ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    /// A context value, as `CedarJSON.value(from:)` would make it.
    mutating func value(depth: Int) -> Value? {
        guard depth < 32 else { return nil }
        skipWhitespace()
        guard position < bytes.count else { return nil }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            guard let record = record(depth: depth) else { return nil }
            return .record(record)
        case UInt8(ascii: "["):
            position += 1
            var set = Set<Value>()
            if consume(UInt8(ascii: "]")) { return .set(set) }
            while true {
                guard let element = value(depth: depth + 1) else { return nil }
                set.insert(element)
                if consume(UInt8(ascii: ",")) { continue }
                if consume(UInt8(ascii: "]")) { return .set(set) }
                return nil
            }
        case UInt8(ascii: "\""):
            guard let (start, end) = plainString() else { return nil }
            return .string(ascii(start, end))
        case UInt8(ascii: "t"):
            guard literal("true") else { return nil }
            return .bool(true)
        case UInt8(ascii: "f"):
            guard literal("false") else { return nil }
            return .bool(false)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return integer()
        default:
            // null is not a Cedar value; anything else is not JSON.
            return nil
        }
    }

    /// An object as a record. Names starting with `__` (the `__entity` and `__extn`
    /// escapes) and duplicate names are left to the reference reader.
    mutating func record(depth: Int) -> [String: Value]? {
        position += 1  // {
        var record: [String: Value] = [:]
        if consume(UInt8(ascii: "}")) { return record }
        while true {
            guard let (start, end) = plainString() else { return nil }
            if end - start >= 2, bytes[start] == UInt8(ascii: "_"), bytes[start + 1] == UInt8(ascii: "_") { return nil }
            guard consume(UInt8(ascii: ":")), let element = value(depth: depth + 1) else { return nil }
            guard record.updateValue(element, forKey: ascii(start, end)) == nil else { return nil }
            if consume(UInt8(ascii: ",")) { continue }
            if consume(UInt8(ascii: "}")) { return record }
            return nil
        }
    }

    @inline(__always)
    mutating func literal(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        for i in 0..<count where bytes[position + i] != text.utf8Start[i] { return false }
        position += count
        return true
    }

    /// A JSON integer that fits an Int64; fractions, exponents, leading zeros and
    /// overflow go to the reference reader.
    mutating func integer() -> Value? {
        let negative = bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        let digitsStart = position
        var value: Int64 = 0
        while position < bytes.count {
            let digit = bytes[position] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (n, o2) = negative ? m.subtractingReportingOverflow(Int64(digit)) : m.addingReportingOverflow(Int64(digit))
            guard !o1, !o2 else { return nil }
            value = n
            position += 1
        }
        guard position > digitsStart else { return nil }
        if bytes[digitsStart] == UInt8(ascii: "0"), position - digitsStart > 1 { return nil }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") || bytes[position] | 0x20 == UInt8(ascii: "e") { return nil }
        return .long(value)
    }
}
