import Foundation
import Identity
import JWTKit

/// The claims of a Security Event Token (RFC 8417, SSF 1.0 §4): `iss` (the tenant issuer),
/// `aud` (the stream's audience), `jti`, `iat`, the subject as the top-level `sub_id`, and
/// one event under `events`. They are fixed when the SET is queued, so every retry sends
/// the same claims (and `jti`); the JWS over them is made at send time, with the tenant's
/// active signing key (`typ: secevent+jwt`, the kid of the tenant's JWKS).
enum SecurityEventToken {
    static let type = "secevent+jwt"
    static let contentType = "application/secevent+jwt"

    static func claims(
        issuer: String, audience: [String], jti: String, issuedAt: Date, subject: SSFSubject, eventType: String,
        event: [String: JSONValue]
    ) -> JSONValue {
        .object([
            "iss": .string(issuer),
            "aud": audience.count == 1 ? .string(audience[0]) : .array(audience.map { .string($0) }),
            "jti": .string(jti),
            "iat": .integer(Int64(issuedAt.timeIntervalSince1970)),
            "sub_id": subject.json,
            "events": .object([eventType: .object(event)]),
        ])
    }

    static func encode(_ claims: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(claims), as: UTF8.self)
    }

    /// The compact JWS of stored claims, signed by the tenant's active key.
    static func sign(claims: String, tenantId: String, issuer: AccessTokenIssuer, now: Date = Date()) async throws -> String {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(claims.utf8))
        return try await issuer.sign(Payload(claims: value), tenantId: tenantId, typ: type, now: now)
    }

    /// Stored claims as a JWT payload (JWTKit encodes it as is).
    struct Payload: JWTPayload {
        var claims: JSONValue

        init(claims: JSONValue) { self.claims = claims }
        init(from decoder: any Decoder) throws { claims = try JSONValue(from: decoder) }
        func encode(to encoder: any Encoder) throws { try claims.encode(to: encoder) }
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }
}
