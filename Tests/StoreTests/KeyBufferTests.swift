import Testing
@testable import Store

@Suite struct KeyBufferTests {
    static let strings = ["", "acme", "a\u{0}b", "\u{0}", "café", String(repeating: "x", count: 700), "User::\"x\""]

    @Test func encodesLikeKey() {
        var buffer = KeyBuffer(capacity: 16)
        defer { buffer.deallocate() }
        for a in Self.strings {
            for b in Self.strings {
                buffer.removeAll()
                buffer.appendString(a)
                buffer.appendString(b)
                #expect(Array(buffer.bytes) == Key(.string(a), .string(b)).bytes, "\(a.debugDescription), \(b.debugDescription)")
            }
        }
    }

    @Test func truncateKeepsThePrefix() {
        var buffer = KeyBuffer()
        defer { buffer.deallocate() }
        buffer.appendString("tenant")
        let prefix = buffer.count
        buffer.appendString("User")
        buffer.truncate(to: prefix)
        buffer.appendString("Group")
        #expect(Array(buffer.bytes) == Key(.string("tenant"), .string("Group")).bytes)
    }

    @Test func decodeStringReadsWhatKeyWrites() throws {
        for a in Self.strings {
            for b in Self.strings {
                let bytes = Key(.string(a), .string(b)).bytes
                try bytes.withUnsafeBytes { raw in
                    let (first, next) = try #require(Key.decodeString(raw, at: 0))
                    let (second, end) = try #require(Key.decodeString(raw, at: next))
                    #expect(first.utf8.elementsEqual(a.utf8))
                    #expect(second.utf8.elementsEqual(b.utf8))
                    #expect(end == raw.count)
                }
            }
        }
        // Not a string component, or unterminated: nil, not a crash.
        #expect(Key(.uint(7)).bytes.withUnsafeBytes { Key.decodeString($0, at: 0) } == nil)
        #expect([UInt8]([0x02, 0x61]).withUnsafeBytes { Key.decodeString($0, at: 0) } == nil)
    }
}
