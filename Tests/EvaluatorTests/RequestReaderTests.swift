import Evaluator
import PolicyLang
import Testing

/// `RequestReader` (the fast path of `arbiter policy eval`) must read every line exactly
/// as `CedarJSON.request(from:)` does: the same request, or the same error message.
@Suite struct RequestReaderTests {
    static let lines: [String] = [
        #"{"principal": "User::\"alice\"", "action": "Action::\"read\"", "resource": "Doc::\"d1\"", "context": {"hour": 7}}"#,
        #"{"principal":"User::\"a\"","action":"Action::\"r\"","resource":"Doc::\"d\""}"#,
        #"  { "resource" : "Acme::Doc::\"d\"" , "principal" : "User::\"\"" , "action" : "Action::\"r\"" , "context" : { } }  "#,
        #"{"principal": "User::\"a\"", "action": "Action::\"r\"", "resource": "Doc::\"d\"", "context": {"a": [1, -2, "x", true, false, [], {}], "b": {"c": {"d": -9223372036854775808}}, "s": "t\u00e9"}}"#,
        #"{"principal": "User::\"a\\\"b\"", "action": "Action::\"r\"", "resource": "Doc::\"d\""}"#,
        #"{"principal": "User::\"a\\nb\"", "action": "Action::\"r\"", "resource": "Doc::\"d\""}"#,
        #"{"principal": "User::\"é\"", "action": "Action::\"r\"", "resource": "Doc::\"d\""}"#,
        #"{"principal": {"type": "User", "id": "a"}, "action": "Action::\"r\"", "resource": "Doc::\"d\""}"#,
        #"{"principal": "User::\"a\"", "action": "Action::\"r\"", "resource": "Doc::\"d\"", "context": {"e": {"__entity": {"type": "U", "id": "x"}}, "i": {"__extn": {"fn": "ip", "arg": "10.0.0.1"}}}}"#,
        #"{"principal": "User::\"a\"", "action": "Action::\"r\"", "resource": "Doc::\"d\"", "context": {"__entity": {"type": "U", "id": "x"}}}"#,
        #"{"principal": "User::\"a\"", "action": "Action::\"r\"", "resource": "Doc::\"d\"", "context": {"n": null}}"#,
        #"{"principal": "User::\"a\"", "action": "Action::\"r\"", "resource": "Doc::\"d\"", "context": {"n": 1.5}}"#,
        #"{"principal": "User::\"a\"", "action": "Action::\"r\"", "resource": "Doc::\"d\"", "context": {"n": 1e3}}"#,
        #"{"principal": "User::\"a\"", "action": "Action::\"r\"", "resource": "Doc::\"d\"", "context": {"n": 012}}"#,
        #"{"principal": "User::\"a\"", "action": "Action::\"r\"", "resource": "Doc::\"d\"", "context": {"n": 9223372036854775808}}"#,
        #"{"principal": "User::\"a\"", "action": "Action::\"r\"", "resource": "Doc::\"d\"", "context": {"n": -}}"#,
        #"{"principal": "User::\"a\"", "action": "Action::\"r\"", "resource": "Doc::\"d\"", "context": {"n": 1, "n": 2}}"#,
        #"{"principal": "User::\"a\"", "action": "Action::\"r\"", "resource": "Doc::\"d\"", "context": [1]}"#,
        #"{"principal": "User::\"a\"", "action": "Action::\"r\"", "resource": "Doc::\"d\"", "principal": "User::\"b\""}"#,
        #"{"principal": "User::\"a\"", "action": "Action::\"r\"", "resource": "Doc::\"d\"", "extra": 1}"#,
        #"{"principal": "User::\"a\"", "action": "Action::\"r\""}"#,
        #"{"principal": "User:\"a\"", "action": "Action::\"r\"", "resource": "Doc::\"d\""}"#,
        #"{"principal": "User::\"a\" ", "action": "Action::\"r\"", "resource": "Doc::\"d\""}"#,
        #"{"principal": "User::\"a", "action": "Action::\"r\"", "resource": "Doc::\"d\""}"#,
        #"{"principal": "1User::\"a\"", "action": "Action::\"r\"", "resource": "Doc::\"d\""}"#,
        #"{"principal": "User::\"a\"", "action": "Action::\"r\"", "resource": "Doc::\"d\""} x"#,
        #"{"principal": "User::\"a\"", "action": "Action::\"r\"", "resource": "Doc::\"d\"",}"#,
        #"[]"#, #"{}"#, #"{"#, #""#, #"null"#,
    ]

    @Test func fastPathReadsLikeTheReferenceReader() {
        var reader = RequestReader()
        for line in Self.lines { expectSame(line, &reader) }
    }

    /// Random single-byte edits of valid lines: every outcome must match.
    @Test func mutatedLinesReadLikeTheReferenceReader() {
        var reader = RequestReader()
        var rng = MutationRandom(seed: 42)
        let alphabet = Array(#"{}[]:,"\ -0123456789aeflnrstu_Ué"#.utf8)
        for base in Self.lines.prefix(4) {
            let bytes = Array(base.utf8)
            for _ in 0..<2_000 {
                var mutated = bytes
                for _ in 0..<(1 + Int(rng.next() % 3)) {
                    let at = Int(rng.next() % UInt64(mutated.count))
                    switch rng.next() % 3 {
                    case 0: mutated[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                    case 1: mutated.remove(at: at)
                    default: mutated.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: at)
                    }
                    if mutated.isEmpty { mutated = [0x7B] }
                }
                expectSame(mutated, &reader)
            }
        }
    }

    @Test func entityUIDParsingMatchesTheScalarReader() throws {
        let cases = [#"User::"a""#, #"A::B::C::"x""#, #"_a1::"""#, #"User::"a\"b""#, #"User::"a\\b""#, #"User::"a\nb\t\r\0\q""#,
                     #"User::"é\é""#, #"User::"a"#, #"User::"a"x"#, #"User::"a\"#, #"User:"a""#, #"1U::"a""#, #"U::V"#, #"é::"a""#,
                     #"User ::"a""#, #"::"a""#, "", #"User::"a""b""#]
        for text in cases {
            let fast = Result { () throws(EntityJSONError) in try CedarJSON.parseEntityUID(text) }
            let reference = Result { () throws(EntityJSONError) in try Self.referenceParseEntityUID(text) }
            #expect(fast == reference, "\(text)")
        }
    }

    private func expectSame(_ line: String, _ reader: inout RequestReader) {
        expectSame(Array(line.utf8), &reader)
    }

    private func expectSame(_ bytes: [UInt8], _ reader: inout RequestReader) {
        let reference = Result { () throws(EntityJSONError) in try CedarJSON.request(from: bytes) }
        let fast = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(EntityJSONError) in try reader.request(from: buffer) }
        }
        #expect(fast == reference, "\(String(decoding: bytes, as: UTF8.self))")
    }

    /// The scalar-by-scalar parser `CedarJSON.parseEntityUID` had before its byte version.
    static func referenceParseEntityUID(_ text: String) throws(EntityJSONError) -> EntityUID {
        let scalars = Array(text.unicodeScalars)
        var i = 0
        var type = ""
        func isIdentifierStart(_ c: Unicode.Scalar) -> Bool { c == "_" || (c.isASCII && c.properties.isAlphabetic) }
        func isIdentifier(_ c: Unicode.Scalar) -> Bool { isIdentifierStart(c) || ("0"..."9").contains(c) }
        while true {
            guard i < scalars.count, isIdentifierStart(scalars[i]) else {
                throw EntityJSONError("`\(text)` is not an entity reference like User::\"alice\"")
            }
            while i < scalars.count, isIdentifier(scalars[i]) { type.unicodeScalars.append(scalars[i]); i += 1 }
            guard i + 1 < scalars.count, scalars[i] == ":", scalars[i + 1] == ":" else {
                throw EntityJSONError("`\(text)` is not an entity reference like User::\"alice\"")
            }
            i += 2
            if i < scalars.count, scalars[i] == "\"" { break }
            type += "::"
        }
        i += 1
        var id = ""
        while i < scalars.count, scalars[i] != "\"" {
            if scalars[i] == "\\" {
                i += 1
                guard i < scalars.count else { break }
                switch scalars[i] {
                case "n": id += "\n"
                case "t": id += "\t"
                case "r": id += "\r"
                case "0": id += "\0"
                default: id.unicodeScalars.append(scalars[i])
                }
            } else {
                id.unicodeScalars.append(scalars[i])
            }
            i += 1
        }
        guard i == scalars.count - 1, scalars[i] == "\"" else {
            throw EntityJSONError("`\(text)` is not an entity reference like User::\"alice\" (unterminated or trailing text)")
        }
        return EntityUID(type: type, id: id)
    }
}

private struct MutationRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
