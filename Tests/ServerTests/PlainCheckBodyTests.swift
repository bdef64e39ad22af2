import Evaluator
import Identity
import PolicyLang
import Testing
import TestSupport
@testable import Server

/// `PlainCheckBody` reads the common check body from its bytes; whatever it accepts must
/// read exactly as the general path (`JSON.runtimeBody`, then `CheckBody.read`) reads it,
/// and whatever else it must leave to that path.
@Suite struct PlainCheckBodyTests {
    static let common: [String] = [
        #"{"principal":{"type":"User","id":"u3691"},"action":"read","resource":{"type":"Document","id":"d33100"}}"#,
        #"{"action":"read","resource":{"id":"d1","type":"Document"},"principal":{"id":"alice","type":"User"}}"#,
        " \n{ \"action\" : \"read\" ,\t\"resource\" : { \"type\" : \"Acme::Document\" , \"id\" : \"a b/c\" } }\r\n",
        #"{"action":{"type":"Action","id":"read"},"resource":{"type":"Document","id":"d1"}}"#,
        #"{"action":{"type":"App::Action","id":"export"}}"#,
        #"{"action":"read"}"#,
    ]

    /// Well-formed or not, these are the general path's to read (or to refuse).
    static let others: [String] = [
        #"{"action":"read","context":{"ip":"1.2.3.4"}}"#,
        #"{"action":"read","context":{}}"#,
        #"{"action":"read","explain":true}"#,
        #"{"action":"read","explain":false}"#,
        #"{"action":"read","atLeastRevision":"r1"}"#,
        #"{"action":"read","principal":null}"#,
        #"{"action":"re\"ad"}"#,
        #"{"action":"re\u0061d"}"#,
        #"{"action":"réad"}"#,
        #"{"action":"read","action":"write"}"#,
        #"{"action":"read","resource":{"type":"Document","id":"d1","id":"d2"}}"#,
        #"{"action":"read","resource":{"type":"Document","id":"d1","extra":1}}"#,
        #"{"action":"read","resource":{"type":"Document"}}"#,
        #"{"action":"read","resource":{"type":"9Document","id":"d1"}}"#,
        #"{"action":"read","resource":{"type":"Document","id":""}}"#,
        #"{"action":""}"#,
        #"{"action":"read",}"#,
        #"{,"action":"read"}"#,
        #"{"action":"read"} x"#,
        #"{"action":"read"}}"#,
        #"{"resource":{"type":"Document","id":"d1"}}"#,
        #"{}"#,
        #"[]"#,
        #""read""#,
        #"{"action":7}"#,
        "{\"action\":\"read\u{7F}\"}",
        "{\"action\":\"a\tb\"}",
        #"{"action":"read","resource":{"type":"Document","id":"\#(String(repeating: "x", count: CheckBody.maxIdLength + 1))"}}"#,
        #"{"action":"read","resource":{"type":"\#(String(repeating: "T", count: CheckBody.maxTypeLength + 1))","id":"d"}}"#,
    ]

    static func reference(_ text: String) -> CheckBody? {
        guard let json = try? JSON.runtimeBody(Array(text.utf8)) else { return nil }
        var errors: [FieldError] = []
        return CheckBody.read(json, errors: &errors)
    }

    static func plain(_ bytes: [UInt8]) -> CheckBody? {
        bytes.withUnsafeBytes(PlainCheckBody.read)
    }

    @Test func theCommonShapesAreReadAsTheGeneralPathReadsThem() throws {
        for text in Self.common {
            let read = try #require(Self.plain(Array(text.utf8)), "not read: \(text)")
            #expect(read == Self.reference(text), "\(text)")
        }
        #expect(Self.plain(Array(Self.common[0].utf8))?.principal == EntityUID(type: "User", id: "u3691"))
        #expect(Self.plain(Array(Self.common[2].utf8))?.resource == EntityUID(type: "Acme::Document", id: "a b/c"))
        #expect(Self.plain(Array(Self.common[5].utf8))?.action == EntityUID(type: "Action", id: "read"))
    }

    @Test func everythingElseIsLeftToTheGeneralPath() {
        for text in Self.others {
            #expect(Self.plain(Array(text.utf8)) == nil, "\(text)")
        }
    }

    /// Bytes deleted, inserted, replaced and swapped at random in the common bodies: a
    /// body read here is always one the general path reads, the same.
    @Test func mutatedBodiesAreReadAsTheGeneralPathOrLeftToIt() {
        var random = SplitMix(seed: 0x5eed_cbad)
        let alphabet = Array(#"{}[]":,. \tatyperidnulx0\é"#.utf8) + [0x00, 0x7F, 0xFF]
        var readHere = 0
        for round in 0..<6_000 {
            var bytes = Array(Self.common[round % Self.common.count].utf8)
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let at = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes.remove(at: at)
                case 1: bytes.insert(alphabet.randomElement(using: &random)!, at: at)
                case 2: bytes[at] = alphabet.randomElement(using: &random)!
                default: bytes.swapAt(at, Int.random(in: 0..<bytes.count, using: &random))
                }
                if bytes.isEmpty { bytes = [0x7B] }
            }
            guard let read = Self.plain(bytes) else { continue }
            readHere += 1
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(read == Self.reference(text), "\(text)")
        }
        // Some mutations keep the shape (a space, another id byte): the comparison ran.
        #expect(readHere > 100)
    }
}
