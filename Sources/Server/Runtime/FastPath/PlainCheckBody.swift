import PolicyLang

/// The check body almost every caller sends, read straight from its bytes:
/// `{"principal": {"type": T, "id": I}, "action": A, "resource": {"type": T, "id": I}}`
/// with the members in any order, `principal` or `resource` left out, the action as an id
/// or as `{"type", "id"}`, and JSON whitespace anywhere between tokens.
///
/// Why: building the `JSON` tree and then `CheckBody` from it (two passes, an array and a
/// string per member) was ≈3.7% of a check's server CPU at c = 16. Only that exact shape is
/// read here, with strings of printable ASCII and no escapes; anything else — another
/// member (`context`, `explain`, `atLeastRevision`), a member twice, `null`, an escape, a
/// byte this grammar does not expect — answers nil, and the caller reads the body as
/// before (`JSON.runtimeBody`, `CheckBody.read`), which also reports every mistake. The
/// limits and the type-name rule are `CheckBody`'s own, so what is accepted here is read
/// exactly as there (a test compares both on fixed and mutated bodies).
enum PlainCheckBody {
    static func read(_ bytes: UnsafeRawBufferPointer) -> CheckBody? {
        var reader = Reader(bytes: bytes)
        return reader.body()
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        mutating func body() -> CheckBody? {
            guard take(UInt8(ascii: "{")) else { return nil }
            var action: EntityUID?
            var principal: EntityUID?
            var resource: EntityUID?
            var first = true
            while true {
                skipSpace()
                if !first || peek() == UInt8(ascii: "}") {
                    if take(UInt8(ascii: "}")) { break }
                    guard !first, take(UInt8(ascii: ",")) else { return nil }
                }
                first = false
                guard let key = string(), take(UInt8(ascii: ":")) else { return nil }
                switch key {
                case "action":
                    guard action == nil else { return nil }
                    skipSpace()
                    if peek() == UInt8(ascii: "\"") {
                        guard let id = string(), !id.isEmpty, id.utf8.count <= CheckBody.maxIdLength else { return nil }
                        action = EntityUID(type: "Action", id: id)
                    } else {
                        guard let uid = entity() else { return nil }
                        action = uid
                    }
                case "principal":
                    guard principal == nil, let uid = entity() else { return nil }
                    principal = uid
                case "resource":
                    guard resource == nil, let uid = entity() else { return nil }
                    resource = uid
                default:
                    return nil
                }
            }
            skipSpace()
            guard index == bytes.count, let action else { return nil }
            return CheckBody(action: action, resource: resource, principal: principal, context: [:], atLeastRevision: nil, explain: false)
        }

        /// `{"type": T, "id": I}` in either order, each once, valid as `CheckBody.entityUID` requires.
        mutating func entity() -> EntityUID? {
            guard take(UInt8(ascii: "{")) else { return nil }
            var type: String?
            var id: String?
            for position in 0..<2 {
                if position == 1 { guard take(UInt8(ascii: ",")) else { return nil } }
                guard let key = string(), take(UInt8(ascii: ":")), let value = string() else { return nil }
                switch key {
                case "type" where type == nil: type = value
                case "id" where id == nil: id = value
                default: return nil
                }
            }
            guard take(UInt8(ascii: "}")), let type, let id,
                  type.utf8.count <= CheckBody.maxTypeLength, CheckBody.isTypeName(type),
                  !id.isEmpty, id.utf8.count <= CheckBody.maxIdLength
            else { return nil }
            return EntityUID(type: type, id: id)
        }

        /// A string of printable ASCII without escapes, after optional whitespace.
        mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                    index += 1
                    return text
                }
                guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
                index += 1
            }
            return nil
        }

        /// Skips whitespace, then consumes `byte` if it is next.
        mutating func take(_ byte: UInt8) -> Bool {
            skipSpace()
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        func peek() -> UInt8? {
            index < bytes.count ? bytes[index] : nil
        }

        /// JSON's four whitespace bytes.
        mutating func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }
    }
}
