import Evaluator
import HTTPTypes
import Hummingbird
import NIOCore
import PolicyLang

/// Writes runtime answers straight into a byte buffer: a check answer is a handful of
/// fields, and `JSONEncoder` (reflection, a Foundation `Data`, then a copy) would cost
/// more than the decision itself.
struct RuntimeJSONWriter {
    var bytes: [UInt8] = []
    private var needsComma = false

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    mutating func beginObject() { separator(); bytes.append(UInt8(ascii: "{")); needsComma = false }
    mutating func endObject() { bytes.append(UInt8(ascii: "}")); needsComma = true }
    mutating func beginArray() { separator(); bytes.append(UInt8(ascii: "[")); needsComma = false }
    mutating func endArray() { bytes.append(UInt8(ascii: "]")); needsComma = true }

    mutating func key(_ name: StaticString) {
        separator()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    mutating func key(_ name: String) {
        separator()
        appendString(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    mutating func string(_ text: String) { separator(); appendString(text); needsComma = true }
    mutating func int(_ value: Int64) {
        separator()
        // Digits straight into the buffer: `String(value)` allocated a string per number.
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[start...].reverse()
        needsComma = true
    }

    mutating func bool(_ value: Bool) {
        separator()
        let text: StaticString = value ? "true" : "false"
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        needsComma = true
    }
    mutating func null() { separator(); bytes.append(contentsOf: "null".utf8); needsComma = true }

    mutating func strings(_ values: [String]) {
        beginArray()
        for value in values { string(value) }
        endArray()
    }

    @inline(__always)
    private mutating func separator() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private mutating func appendString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        // Rule ids, revisions and most messages need no escaping: copy them in one go.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            bytes.append(contentsOf: text.utf8)
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    func response(_ status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    // MARK: Runtime shapes

    /// The fields of one decision (no braces): `decision, allowed, reasons, errors,
    /// permVer, entVer` and `trace` when explained.
    mutating func decisionFields(_ decision: RuntimeDecision) {
        key("decision"); string(decision.allowed ? "allow" : "deny")
        key("allowed"); bool(decision.allowed)
        key("reasons"); strings(decision.reasons)
        key("errors"); beginArray()
        for (source, error) in decision.errors {
            beginObject()
            key("rule"); string(error.ruleID)
            key("source"); string(source.rawValue)
            key("message"); string(error.message)
            if let location = error.location {
                key("location"); string(location.description)
            }
            endObject()
        }
        endArray()
        key("permVer"); int(decision.permVer)
        key("entVer"); int(decision.entVer)
        if let trace = decision.trace {
            key("trace"); beginArray()
            for (source, entry) in trace {
                beginObject()
                key("rule"); string(entry.ruleID)
                key("source"); string(source.rawValue)
                key("effect"); string(entry.effect == .allow ? "allow" : "deny")
                switch entry.outcome {
                case .outOfScope: key("outcome"); string("outOfScope")
                case .notSatisfied: key("outcome"); string("notSatisfied")
                case .satisfied: key("outcome"); string("satisfied")
                case .error(let message):
                    key("outcome"); string("error")
                    key("message"); string(message)
                }
                endObject()
            }
            endArray()
        }
    }
}
