import PolicyLang
import Testing

@Suite struct CompilerBundleFormatTests {
    func sample() throws -> PolicyBundle {
        try PolicyCompiler.compile(rules: [
            CAST.rule("a", principal: .typeIn("User", EntityUID(type: "Group", id: "eng")), actions: ["read"],
                      resource: .equal(EntityUID(type: "Doc", id: "ü \"1\"")),
                      when: CAST.and(CAST.like(CAST.attr(CAST.principal, "email"), [.wildcard, .literal("@example.com")]),
                                     CAST.method(CAST.attr(CAST.context, "ip"), "isInRange", CAST.call("ip", CAST.string("2001:db8::/32")))),
                      unless: CAST.eq(CAST.record(("x", CAST.set(CAST.long(-1), CAST.bool(true)))), CAST.attr(CAST.context, "r"))),
            CAST.rule("b", .deny, resource: .in(EntityUID(type: "Folder", id: "f")),
                      when: CAST.ifThen(CAST.has(CAST.context, "d"),
                                        CAST.method(CAST.call("decimal", CAST.attr(CAST.context, "d")), "greaterThan", CAST.call("decimal", CAST.string("-2.5"))),
                                        CAST.bool(false))),
            CAST.rule("c"),
        ])
    }

    @Test func roundTripIsIdentical() throws {
        let bundle = try sample()
        let bytes = BundleFormat.encode(bundle)
        let loaded = try BundleFormat.decode(bytes)
        #expect(loaded == bundle)
        #expect(BundleFormat.encode(loaded) == bytes, "encoding is deterministic")
        #expect(loaded.disassemble(ruleID: "a") == bundle.disassemble(ruleID: "a"))
        #expect(loaded.rules[0].annotations == ["reason": "test a"])
        #expect(Array(bytes.prefix(4)) == Array("ARBP".utf8))
    }

    @Test func emptyBundleRoundTrips() throws {
        let empty = try PolicyCompiler.compile(rules: [])
        #expect(try BundleFormat.decode(BundleFormat.encode(empty)) == empty)
    }

    @Test func refusesDamagedOrForeignFiles() throws {
        let bytes = BundleFormat.encode(try sample())
        func refused(_ b: [UInt8]) -> String? {
            do {
                _ = try BundleFormat.decode(b)
                return nil
            } catch {
                return error.message
            }
        }
        #expect(refused([])?.contains("magic") == true)
        #expect(refused(Array("PK\u{3}\u{4}not a bundle".utf8))?.contains("magic") == true)
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x40
        #expect(refused(flipped)?.contains("checksum") == true)
        #expect(refused(Array(bytes.prefix(bytes.count - 9))) != nil)
        // Another format version, with a valid checksum: refused with a clear message.
        var future = Array(bytes.dropLast(4))
        future[4] = 2
        future += checksum(future)
        #expect(refused(future)?.contains("version 2 is not supported") == true)
    }

    @Test func refusesBytecodeThatWouldMisbehave() throws {
        var bundle = try sample()
        bundle.rules[2].chunk.code.insert(0xEE, at: 0)
        #expect(throws: BundleFormatError.self) { try BundleFormat.decode(BundleFormat.encode(bundle)) }
        var jump = try sample()
        jump.rules[1].chunk.code[4] = 0xFF  // the operand of the first jump: far past the end
        jump.rules[1].chunk.code[5] = 0xFF
        #expect(jump.rules[1].chunk.verify(symbolCount: jump.symbols.count) != nil)
    }

    /// FNV-1a, as the format specifies, appended little-endian.
    func checksum(_ bytes: [UInt8]) -> [UInt8] {
        var hash: UInt32 = 0x811C_9DC5
        for byte in bytes { hash = (hash ^ UInt32(byte)) &* 0x0100_0193 }
        return (0..<4).map { UInt8(truncatingIfNeeded: hash >> (8 * $0)) }
    }
}
