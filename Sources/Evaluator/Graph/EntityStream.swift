import Foundation
import PolicyLang

/// Reads a Cedar entities file one entity at a time. The file is memory-mapped and only
/// the bytes of the current element are parsed, so importing millions of entities needs
/// memory for one batch, not for the whole document.
public struct EntityStream {
    private let data: Data
    private var position: Int
    public private(set) var index = 0

    public init(path: String) throws {
        data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        position = 0
        let data = self.data
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) throws in
            skipWhitespace(bytes)
            guard position < bytes.count, bytes[position] == UInt8(ascii: "[") else {
                throw EntityJSONError("an entities file must be a JSON array")
            }
            position += 1
        }
    }

    /// The next entity, or nil at the closing bracket.
    public mutating func next() throws(EntityJSONError) -> Entity? {
        let data = self.data
        let element: [UInt8]?
        do {
            element = try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) throws -> [UInt8]? in
            skipWhitespace(bytes)
            if index > 0 {
                guard position < bytes.count else { throw EntityJSONError("unterminated entities array") }
                if bytes[position] == UInt8(ascii: "]") { return nil }
                guard bytes[position] == UInt8(ascii: ",") else {
                    throw EntityJSONError("expected ',' or ']' after entity #\(index)")
                }
                position += 1
                skipWhitespace(bytes)
            }
            guard position < bytes.count else { throw EntityJSONError("unterminated entities array") }
            if index == 0, bytes[position] == UInt8(ascii: "]") { return nil }
            let start = position
            try skipValue(bytes)
            return Array(bytes[start..<position])
            }
        } catch let error as EntityJSONError {
            throw error
        } catch {
            throw EntityJSONError("\(error)")
        }
        guard let element else { return nil }
        index += 1
        do throws(EntityJSONError) {
            return try CedarJSON.entity(from: try JSON.parse(element))
        } catch {
            throw EntityJSONError("entity #\(index): \(error.message)")
        }
    }

    private mutating func skipWhitespace(_ bytes: UnsafeRawBufferPointer) {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    /// Moves past one JSON value by bracket depth, respecting strings; the value itself is
    /// validated afterwards by the real parser.
    private mutating func skipValue(_ bytes: UnsafeRawBufferPointer) throws(EntityJSONError) {
        var depth = 0
        var inString = false
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            if inString {
                if byte == UInt8(ascii: "\\") { position += 1 } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth < 0 { throw EntityJSONError("unbalanced brackets near entity #\(index + 1)") }
            case UInt8(ascii: ","):
                if depth == 0 { position -= 1; return }
            default: break
            }
            if depth == 0, byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") { return }
        }
        throw EntityJSONError("unterminated entity #\(index + 1)")
    }
}
