import Crypto
import Devices
import Foundation
import HTTPTypes
import Identity
import Testing
@testable import Server

/// A P-256 key that makes DPoP proofs (RFC 9449 §4.2), with knobs to break each part.
struct DPoPTestKey {
    let key = P256.Signing.PrivateKey()

    var x: String { Base64URL.encode(key.publicKey.rawRepresentation.prefix(32)) }
    var y: String { Base64URL.encode(key.publicKey.rawRepresentation.suffix(32)) }
    var jwk: [String: Any] { ["kty": "EC", "crv": "P-256", "x": x, "y": y] }
    var jwkStrings: [String: String] { ["kty": "EC", "crv": "P-256", "x": x, "y": y] }
    /// RFC 7638, computed here independently of the server's code.
    var thumbprint: String {
        let canonical = "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"\(x)\",\"y\":\"\(y)\"}"
        return Base64URL.encode(Array(SHA256.hash(data: Data(canonical.utf8))))
    }

    func proof(
        method: String = "POST", url: String, accessToken: String? = nil, iat: Int64 = Int64(Date().timeIntervalSince1970),
        jti: String = UUID().uuidString, header: [String: Any] = [:], claims: [String: Any] = [:], removing: [String] = [],
        signer: P256.Signing.PrivateKey? = nil
    ) -> String {
        var head: [String: Any] = ["typ": "dpop+jwt", "alg": "ES256", "jwk": jwk]
        head.merge(header) { _, new in new }
        var body: [String: Any] = ["jti": jti, "htm": method, "htu": url, "iat": iat]
        if let accessToken { body["ath"] = Base64URL.encode(Array(SHA256.hash(data: Data(accessToken.utf8)))) }
        body.merge(claims) { _, new in new }
        for name in removing {
            head.removeValue(forKey: name)
            body.removeValue(forKey: name)
        }
        let input = Self.segment(head) + "." + Self.segment(body)
        let signature = try! (signer ?? key).signature(for: Data(input.utf8))
        return input + "." + Base64URL.encode(signature.rawRepresentation)
    }

    static func segment(_ object: [String: Any]) -> String {
        Base64URL.encode(try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }
}

@Suite struct DPoPProofTests {
    static let base = "https://arbiter.example"
    static let url = base + "/t/acme/connect/token"
    let verifier = DPoPVerifier(baseURL: DPoPProofTests.base, replay: DPoPReplayCache())
    let key = DPoPTestKey()

    func verify(_ proof: String, method: String = "POST", path: String = "/t/acme/connect/token", token: String? = nil) throws(DPoPProofError) -> DPoPProof {
        try verifier.verify(proof, method: method, path: path, accessToken: token)
    }

    func refusal(_ proof: String, method: String = "POST", path: String = "/t/acme/connect/token", token: String? = nil) -> DPoPProofError? {
        do {
            _ = try verify(proof, method: method, path: path, token: token)
            return nil
        } catch {
            return error
        }
    }

    @Test func aValidProofNamesItsKeysThumbprint() throws {
        let proof = try verify(key.proof(url: Self.url))
        #expect(proof.jkt == key.thumbprint)
        // Normalization: scheme and host case, the default port, query and fragment.
        #expect(refusal(key.proof(url: "HTTPS://Arbiter.Example:443/t/acme/connect/token?x=1#f")) == nil)
        // With an access token, ath must be its hash.
        #expect(refusal(key.proof(method: "GET", url: Self.base + "/api/x", accessToken: "tok"), method: "GET", path: "/api/x", token: "tok") == nil)
    }

    @Test func thumbprintsFollowRFC7638AndMatchTheDeviceKeyRegistry() throws {
        // The EC key of RFC 7517 Appendix A.1; the value was computed with Python's hashlib.
        let x = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", y = "x_FEzRjGPzA7PpzgXgqagFmbHsw2AdDR9t3c6zGVNko"
        #expect(DPoPVerifier.thumbprint(x: x, y: y) == "9CCmfPUdwoJK1qIREbu9IEFmGAVRG-RuggVHljpt1oQ")
        // Activation registers keys under Devices' thumbprint; a proof must find the same one.
        #expect(try DevicePublicKey(jwk: key.jwkStrings).thumbprint == DPoPVerifier.thumbprint(x: key.x, y: key.y))
        #expect(DPoPVerifier.thumbprint(x: key.x, y: key.y) == key.thumbprint)
    }

    @Test func everyMalformedProofIsRefused() {
        #expect(refusal("not-a-jwt") == .malformed)
        #expect(refusal("a.b") == .malformed)
        #expect(refusal("e30.e30.AAAA") == .wrongType)
        #expect(refusal(String(repeating: "a", count: 5000)) == .tooLarge)
        // Claims of the wrong JSON type make the proof malformed.
        #expect(refusal(key.proof(url: Self.url, claims: ["iat": "yesterday"])) == .malformed)
    }

    @Test func headerChecks() {
        #expect(refusal(key.proof(url: Self.url, header: ["typ": "JWT"])) == .wrongType)
        #expect(refusal(key.proof(url: Self.url, removing: ["typ"])) == .wrongType)
        #expect(refusal(key.proof(url: Self.url, header: ["alg": "RS256"])) == .unsupportedAlgorithm)
        #expect(refusal(key.proof(url: Self.url, header: ["alg": "none"])) == .unsupportedAlgorithm)
        #expect(refusal(key.proof(url: Self.url, removing: ["jwk"])) == .badKey)
        var rsa = key.jwk
        rsa["kty"] = "RSA"
        #expect(refusal(key.proof(url: Self.url, header: ["jwk": rsa])) == .badKey)
        var p384 = key.jwk
        p384["crv"] = "P-384"
        #expect(refusal(key.proof(url: Self.url, header: ["jwk": p384])) == .badKey)
        var shortX = key.jwk
        shortX["x"] = "AAAA"
        #expect(refusal(key.proof(url: Self.url, header: ["jwk": shortX])) == .badKey)
        var withPrivate = key.jwk
        withPrivate["d"] = Base64URL.encode(key.key.rawRepresentation)
        #expect(refusal(key.proof(url: Self.url, header: ["jwk": withPrivate])) == .privateKey)
    }

    @Test func signatureChecks() {
        // Signed by another key than the one in the header.
        #expect(refusal(key.proof(url: Self.url, signer: P256.Signing.PrivateKey())) == .badSignature)
        // A valid proof with its payload swapped.
        let good = key.proof(url: Self.url).split(separator: ".")
        let other = key.proof(url: Self.url, jti: "other").split(separator: ".")
        #expect(refusal([good[0], other[1], good[2]].joined(separator: ".")) == .badSignature)
    }

    @Test func claimChecks() {
        #expect(refusal(key.proof(url: Self.url, removing: ["jti"])) == .missingClaim("jti"))
        #expect(refusal(key.proof(url: Self.url, jti: "")) == .missingClaim("jti"))
        #expect(refusal(key.proof(url: Self.url, removing: ["htm"])) == .missingClaim("htm"))
        #expect(refusal(key.proof(url: Self.url, removing: ["htu"])) == .missingClaim("htu"))
        #expect(refusal(key.proof(url: Self.url, removing: ["iat"])) == .missingClaim("iat"))
        #expect(refusal(key.proof(method: "GET", url: Self.url)) == .wrongMethod)
        #expect(refusal(key.proof(url: Self.base + "/t/other/connect/token")) == .wrongURI)
        #expect(refusal(key.proof(url: "http://arbiter.example/t/acme/connect/token")) == .wrongURI)
        #expect(refusal(key.proof(url: "https://evil.example/t/acme/connect/token")) == .wrongURI)
        #expect(refusal(key.proof(url: "https://arbiter.example:8443/t/acme/connect/token")) == .wrongURI)
        #expect(refusal(key.proof(url: "/t/acme/connect/token")) == .wrongURI)
        let now = Int64(Date().timeIntervalSince1970)
        #expect(refusal(key.proof(url: Self.url, iat: now - 61)) == .stale)
        #expect(refusal(key.proof(url: Self.url, iat: now + 60)) == .issuedInFuture)
        #expect(refusal(key.proof(url: Self.url, iat: now - 30)) == nil)
    }

    @Test func accessTokenHash() {
        let url = Self.base + "/api/runtime/authorization/check"
        let path = "/api/runtime/authorization/check"
        #expect(refusal(key.proof(url: url), path: path, token: "tok") == .missingTokenHash)
        #expect(refusal(key.proof(url: url, accessToken: "other"), path: path, token: "tok") == .wrongTokenHash)
        #expect(refusal(key.proof(url: url, accessToken: "tok"), path: path, token: "tok") == nil)
    }

    @Test func aProofIsUsedOnce() throws {
        let proof = key.proof(url: Self.url, jti: "once")
        _ = try verify(proof)
        #expect(refusal(proof) == .replayed)
        // The same jti from another key is another proof.
        #expect(refusal(DPoPTestKey().proof(url: Self.url, jti: "once")) == nil)
        // A proof refused for another reason does not use its jti up.
        #expect(refusal(key.proof(method: "GET", url: Self.url, jti: "later")) == .wrongMethod)
        #expect(refusal(key.proof(url: Self.url, jti: "later")) == nil)
    }

    @Test func theReplayCacheIsBoundedAndForgetsExpiredEntries() throws {
        let cache = DPoPReplayCache(capacity: 2)
        try cache.use("a", until: 100, now: 50)
        try cache.use("b", until: 100, now: 50)
        #expect(throws: DPoPProofError.replayCacheFull) { try cache.use("c", until: 100, now: 60) }
        #expect(throws: DPoPProofError.replayed) { try cache.use("a", until: 100, now: 60) }
        // Once a and b are past their windows they are dropped to make room.
        try cache.use("c", until: 200, now: 101)
        #expect(cache.count == 1)
    }

    @Test func headersOfARequest() throws {
        var request = HTTPRequest(method: .post, scheme: "https", authority: "arbiter.example", path: "/t/acme/connect/token?a=b")
        #expect(try verifier.verify(request, accessToken: nil) == nil)
        request.headerFields[DPoPVerifier.headerName] = key.proof(url: Self.url)
        #expect(try verifier.verify(request, accessToken: nil)?.jkt == key.thumbprint)
        request.headerFields[values: DPoPVerifier.headerName] = [key.proof(url: Self.url), key.proof(url: Self.url)]
        #expect(throws: DPoPProofError.multipleProofs) { try verifier.verify(request, accessToken: nil) }
    }
}
