import Crypto
import Foundation
import HTTPTypes
import Identity
import Synchronization

/// A DPoP proof (RFC 9449) that passed every check of §4.3: its key's thumbprint is what
/// a token gets bound to (`cnf.jkt`).
struct DPoPProof: Sendable, Equatable {
    /// RFC 7638 SHA-256 thumbprint of the proof's public key, base64url.
    var jkt: String
    var jti: String
    var issuedAt: Int64
}

/// Why a DPoP proof was refused. Answered as `invalid_dpop_proof` (token endpoint: 400,
/// RFC 9449 §5; resource routes: 401 with a `DPoP` challenge, §7.1).
enum DPoPProofError: Error, Equatable, Sendable {
    case multipleProofs
    case tooLarge
    case malformed
    case wrongType
    case unsupportedAlgorithm
    case badKey
    case privateKey
    case badSignature
    case missingClaim(String)
    case wrongMethod
    case wrongURI
    case stale
    case issuedInFuture
    case replayed
    case missingTokenHash
    case wrongTokenHash
    /// More live proofs than the replay cache holds: refused rather than forgotten.
    case replayCacheFull

    var description: String {
        switch self {
        case .multipleProofs: "send exactly one DPoP header"
        case .tooLarge: "the DPoP proof is too large"
        case .malformed: "the DPoP proof is not a compact JWS with JSON header and claims"
        case .wrongType: "the DPoP proof's typ must be dpop+jwt"
        case .unsupportedAlgorithm: "the DPoP proof must be signed with ES256"
        case .badKey: "the DPoP proof's jwk must be a public EC P-256 key (kty, crv, x, y)"
        case .privateKey: "the DPoP proof's jwk contains private key material"
        case .badSignature: "the DPoP proof's signature does not verify with its jwk"
        case .missingClaim(let name): "the DPoP proof lacks a valid \(name) claim"
        case .wrongMethod: "the DPoP proof's htm is not this request's method"
        case .wrongURI: "the DPoP proof's htu is not this request's URL"
        case .stale: "the DPoP proof's iat is too old: make a fresh proof for every request"
        case .issuedInFuture: "the DPoP proof's iat is in the future"
        case .replayed: "this DPoP proof (jti) was already used"
        case .missingTokenHash: "the DPoP proof must carry ath, the hash of the access token it is sent with"
        case .wrongTokenHash: "the DPoP proof's ath does not match the access token"
        case .replayCacheFull: "too many DPoP proofs in flight; retry shortly"
        }
    }
}

/// Checks DPoP proofs (RFC 9449 §4.3): one `DPoP` header; a compact JWS whose header has
/// `typ: dpop+jwt`, `alg: ES256` and a public P-256 `jwk` (no private members); a valid
/// signature with that key; `htm` equal to the method and `htu` equal to this request's
/// URL at the server's public base URL (scheme and host case-insensitive, default port
/// dropped, query and fragment ignored); `iat` within `maxAge` seconds past (and at most
/// `futureLeeway` ahead); a `jti` not seen for that key while its proof could still be
/// accepted; and, at resource routes, `ath` = base64url SHA-256 of the access token.
/// No server nonce (§8) is issued.
struct DPoPVerifier: Sendable {
    let baseURL: String
    let replay: DPoPReplayCache
    var maxAge: Int64 = 60
    var futureLeeway: Int64 = 5
    static let maxProofBytes = 4096
    static let headerName = HTTPField.Name("DPoP")!

    /// Nil when the request carries no `DPoP` header.
    func verify(_ request: HTTPRequest, accessToken: String?, now: Date = Date()) throws(DPoPProofError) -> DPoPProof? {
        let values = request.headerFields[values: Self.headerName]
        if values.isEmpty { return nil }
        guard values.count == 1 else { throw .multipleProofs }
        // htu is compared without query or fragment (RFC 9449 §4.3 (9)).
        let target = request.path ?? "/"
        let path = target.firstIndex(of: "?").map { String(target[..<$0]) } ?? target
        return try verify(values[0], method: request.method.rawValue, path: path, accessToken: accessToken, now: now)
    }

    func verify(
        _ proof: String, method: String, path: String, accessToken: String?, now: Date = Date()
    ) throws(DPoPProofError) -> DPoPProof {
        guard proof.utf8.count <= Self.maxProofBytes else { throw .tooLarge }
        let parts = proof.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let headerBytes = Base64URL.decode(parts[0]),
              let header = (try? JSONSerialization.jsonObject(with: Data(headerBytes))) as? [String: Any],
              let payloadBytes = Base64URL.decode(parts[1]),
              let claims = try? JSONDecoder().decode(Claims.self, from: Data(payloadBytes)),
              let signatureBytes = Base64URL.decode(parts[2])
        else { throw .malformed }
        guard (header["typ"] as? String)?.lowercased() == "dpop+jwt" else { throw .wrongType }
        guard header["alg"] as? String == "ES256" else { throw .unsupportedAlgorithm }
        guard let jwk = header["jwk"] as? [String: Any] else { throw .badKey }
        // RFC 9449 §4.3 (7): the header's key must not carry anything private.
        for member in ["d", "p", "q", "dp", "dq", "qi", "k", "oth"] where jwk[member] != nil { throw .privateKey }
        guard jwk["kty"] as? String == "EC", jwk["crv"] as? String == "P-256",
              let x = jwk["x"] as? String, let y = jwk["y"] as? String,
              let xBytes = Base64URL.decode(x), let yBytes = Base64URL.decode(y),
              xBytes.count == 32, yBytes.count == 32,
              // Canonical encodings only, so one key has exactly one thumbprint.
              Base64URL.encode(xBytes) == x, Base64URL.encode(yBytes) == y,
              let key = try? P256.Signing.PublicKey(rawRepresentation: xBytes + yBytes)
        else { throw .badKey }
        guard signatureBytes.count == 64, let signature = try? P256.Signing.ECDSASignature(rawRepresentation: signatureBytes),
              key.isValidSignature(signature, for: Data((parts[0] + "." + parts[1]).utf8))
        else { throw .badSignature }

        guard let jti = claims.jti, !jti.isEmpty, jti.utf8.count <= 256 else { throw .missingClaim("jti") }
        guard let htm = claims.htm else { throw .missingClaim("htm") }
        guard let htu = claims.htu else { throw .missingClaim("htu") }
        guard let iat = claims.iat else { throw .missingClaim("iat") }
        guard htm == method else { throw .wrongMethod }
        guard let presented = Self.normalized(htu), let expected = Self.normalized(baseURL + path),
              presented == expected
        else { throw .wrongURI }
        let nowSeconds = Int64(now.timeIntervalSince1970)
        guard iat >= nowSeconds - maxAge else { throw .stale }
        guard iat <= nowSeconds + futureLeeway else { throw .issuedInFuture }
        if let accessToken {
            guard let ath = claims.ath else { throw .missingTokenHash }
            let expectedHash = Base64URL.encode(Array(SHA256.hash(data: Data(accessToken.utf8))))
            guard ClientSecrets.constantTimeEqual(ath, expectedHash) else { throw .wrongTokenHash }
        }
        let jkt = Self.thumbprint(x: x, y: y)
        // Checked last, so a proof refused for another reason does not use its jti up.
        try replay.use(jkt + " " + jti, until: iat + maxAge + 1, now: nowSeconds)
        return DPoPProof(jkt: jkt, jti: jti, issuedAt: iat)
    }

    /// The proof's claims; a member of the wrong JSON type makes the proof malformed.
    struct Claims: Decodable {
        var jti: String?
        var htm: String?
        var htu: String?
        var iat: Int64?
        var ath: String?
    }

    /// RFC 7638 §3.2: the SHA-256 of the required members in lexicographic order, no spaces.
    static func thumbprint(x: String, y: String) -> String {
        let canonical = #"{"crv":"P-256","kty":"EC","x":""# + x + #"","y":""# + y + #""}"#
        return Base64URL.encode(Array(SHA256.hash(data: Data(canonical.utf8))))
    }

    /// Scheme, host (lowercased), port (nil for the scheme's default) and path of `url`,
    /// without query or fragment (RFC 9449 §4.3 (9)).
    struct NormalizedURL: Equatable {
        var scheme: String
        var host: String
        var port: Int?
        var path: String
    }

    static func normalized(_ url: String) -> NormalizedURL? {
        guard url.utf8.count <= 2048, let components = URLComponents(string: url),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host?.lowercased(), !host.isEmpty
        else { return nil }
        var port = components.port
        if (scheme == "http" && port == 80) || (scheme == "https" && port == 443) { port = nil }
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        return NormalizedURL(scheme: scheme, host: host, port: port, path: path)
    }
}

/// The `jti`s of DPoP proofs still inside their acceptance window, bounded in memory: an
/// entry lives only until its proof would be stale anyway. When full of live entries it
/// refuses new proofs (fail closed) instead of forgetting ones that could be replayed.
final class DPoPReplayCache: Sendable {
    private let entries = Mutex<[String: Int64]>([:])
    let capacity: Int

    init(capacity: Int = 100_000) { self.capacity = max(capacity, 1) }

    func use(_ key: String, until expiry: Int64, now: Int64) throws(DPoPProofError) {
        let outcome: DPoPProofError? = entries.withLock { entries in
            if let existing = entries[key], existing >= now { return .replayed }
            if entries.count >= capacity {
                entries = entries.filter { $0.value >= now }
                if entries.count >= capacity { return .replayCacheFull }
            }
            entries[key] = expiry
            return nil
        }
        if let outcome { throw outcome }
    }

    var count: Int { entries.withLock { $0.count } }
}
