import Foundation
import Testing
@testable import Server

/// The byte-level shortcuts taken on every runtime check for speed (HTTP load benchmark,
/// BENCHMARKS.md "HTTP load") must answer exactly what the general code did.
@Suite struct CheckHotPathTests {
    @Test func bearerTokenIsSlicedLikeTheTrimmingItReplaced() {
        #expect(BearerAuthenticator.bearerToken("Bearer abc.def.ghi") == "abc.def.ghi")
        #expect(BearerAuthenticator.bearerToken("bearer abc") == "abc")
        #expect(BearerAuthenticator.bearerToken("BEARER abc") == "abc")
        #expect(BearerAuthenticator.bearerToken("Bearer   abc \t") == "abc")
        #expect(BearerAuthenticator.bearerToken("Bearer abc\u{00A0}") == "abc\u{00A0}".trimmingCharacters(in: .whitespaces))
        #expect(BearerAuthenticator.bearerToken("Bearer ") == "")
        #expect(BearerAuthenticator.bearerToken("Basic abc") == nil)
        #expect(BearerAuthenticator.bearerToken("Bearerabc") == nil)
        #expect(BearerAuthenticator.bearerToken("Bear") == nil)
        #expect(BearerAuthenticator.bearerToken("") == nil)
        #expect(BearerAuthenticator.bearerToken("Bearer\tabc") == nil)
    }

    @Test func jsonContentTypes() {
        #expect(RequestBody.isJSON("application/json"))
        #expect(RequestBody.isJSON("application/json; charset=utf-8"))
        #expect(RequestBody.isJSON("Application/JSON ; charset=UTF-8"))
        #expect(RequestBody.isJSON("application/problem+json"))
        #expect(!RequestBody.isJSON("text/plain"))
        #expect(!RequestBody.isJSON("application/jsonx"))
    }

    @Test func writerNumbersBooleansAndStrings() {
        var writer = RuntimeJSONWriter()
        writer.beginArray()
        for n: Int64 in [0, 7, 10, -1, -45, 1_234_567_890, .max, .min] { writer.int(n) }
        writer.bool(true)
        writer.bool(false)
        writer.string("plain-rule.id")
        writer.string("quote \" back \\ nl \n tab \t ctl \u{01} é")
        writer.endArray()
        let text = String(decoding: writer.bytes, as: UTF8.self)
        #expect(text == #"[0,7,10,-1,-45,1234567890,9223372036854775807,-9223372036854775808,true,false,"plain-rule.id","quote \" back \\ nl \n tab \t ctl \u0001 é"]"#)
    }
}
