import Testing
import Foundation
@testable import Identity

@Suite struct SCIMValueTests {
    @Test func parsesKeepingOrderAndCaseInsensitiveLookup() throws {
        let value = try SCIMValue.parse(#"{"schemas":["a"],"userName":"Bob","Name":{"givenName":"B"},"n":1.5,"i":-3,"t":true,"z":null}"#)
        #expect(value.objectValue?.keys == ["schemas", "userName", "Name", "n", "i", "t", "z"])
        #expect(value["USERNAME"] == "Bob")
        #expect(value["name"]?["GIVENNAME"] == "B")
        #expect(value["n"] == .decimal(1.5))
        #expect(value["i"] == .integer(-3))
        #expect(value["z"] == .null)
        #expect(value.jsonString == #"{"schemas":["a"],"userName":"Bob","Name":{"givenName":"B"},"n":1.5,"i":-3,"t":true,"z":null}"#)
    }

    @Test func escapesRoundTrip() throws {
        let value = try SCIMValue.parse(#"["a\"b\\c\n\u00e9\ud83d\ude00/\/"]"#)
        #expect(value == ["a\"b\\c\né😀//"])
        #expect(try SCIMValue.parse(value.jsonString) == value)
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "01", "1.", "\"\\x\"", "\"\\ud800\"", "tru",
        "{\"a\":1,\"A\":2}", "[1] x", "\"a\nb\"", "-", "1e",
    ])
    func rejectsMalformed(_ text: String) {
        #expect(throws: SCIMJSONError.self) { try SCIMValue.parse(text) }
    }

    @Test func boundsDepth() throws {
        let deep = String(repeating: "[", count: 70) + String(repeating: "]", count: 70)
        #expect(throws: SCIMJSONError.self) { try SCIMValue.parse(deep) }
        let ok = String(repeating: "[", count: 10) + String(repeating: "]", count: 10)
        _ = try SCIMValue.parse(ok)
    }

    @Test func objectSetReplacesInPlaceAndEqualityIgnoresOrderAndCase() {
        var object: SCIMObject = ["a": 1, "B": 2]
        object["b"] = 3
        #expect(object.keys == ["a", "B"])
        #expect(object["B"] == 3)
        object["a"] = nil
        #expect(object.keys == ["B"])
        let left: SCIMValue = ["x": 1, "y": ["z": true]]
        let right: SCIMValue = ["Y": ["Z": true], "X": 1.0]
        #expect(left == right)
        #expect(SCIMValue.integer(1) != SCIMValue.string("1"))
    }

    @Test func unassigned() {
        #expect(SCIMValue.null.isUnassigned)
        #expect(SCIMValue.array([]).isUnassigned)
        #expect(SCIMValue.object(["a": .null]).isUnassigned)
        #expect(!SCIMValue.bool(false).isUnassigned)
    }

    @Test func codableRoundTrip() throws {
        let value: SCIMValue = ["a": [1, 2.5, "x", .null, false], "b": ["c": "d"]]
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(SCIMValue.self, from: data) == value)
    }
}
