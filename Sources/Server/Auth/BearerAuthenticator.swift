import Foundation
import Hummingbird
import Identity

/// Verifies an `Authorization: Bearer` access token, if the request has one, and puts the
/// verified token (tenant, subject, client id, scopes) on the request context. A request
/// without a bearer token passes through untouched, so each route decides whether it
/// needs one; a bearer token that does not verify is a 401 `invalid_token` at once.
struct BearerAuthenticator: RouterMiddleware {
    typealias Context = ArbiterRequestContext
    let verifier: AccessTokenVerifier

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let authorization = request.headers[.authorization] else { return try await next(request, context) }
        let token: String
        let dpopScheme: Bool
        if let bearer = Self.bearerToken(authorization) {
            (token, dpopScheme) = (bearer, false)
        } else if let dpop = Self.dpopToken(authorization) {
            (token, dpopScheme) = (dpop, true)
        } else {
            return try await next(request, context)
        }
        var context = context
        do {
            context.accessToken = try await verifier.verify(token)
        } catch let error as TokenVerificationError {
            context.logger.info("bearer token refused", metadata: ["reason": "\(error)"])
            throw OAuthError.invalidToken("the access token is invalid or expired")
        }
        // RFC 8705 §3: a certificate-bound token is good only with the certificate it is bound to.
        if let bound = context.accessToken?.claims.cnf?.x5tS256,
           !ClientCertificateMatch.boundTokenMatches(thumbprint: bound, context.clientCertificate) {
            context.logger.info("bearer token refused", metadata: ["reason": "certificate-bound token without its certificate"])
            throw OAuthError.invalidToken("the access token is bound to a client certificate this request did not present")
        }
        try Self.checkBinding(token, dpopScheme: dpopScheme, request, context)
        context.logger[metadataKey: "client_id"] = .string(context.accessToken!.clientId)
        return try await next(request, context)
    }

    /// RFC 9449 §7 and continuous access evaluation (issue 7). A `jkt`-bound token is good
    /// only as `Authorization: DPoP <token>` with a `DPoP` proof of this request by that key
    /// (`ath` = its hash); a token that is not DPoP-bound is not accepted with the DPoP
    /// scheme. A device-bound token is checked against the device, its credential and its
    /// activation as they are NOW (`DeviceBinding.checkLive`): a revoked activation or a
    /// blocked or compromised device is a 401 `invalid_token` on the very next request, on
    /// every route (API and check routes alike — the check is refused rather than answered
    /// with a deny, since the caller's own credential is no longer good).
    static func checkBinding(_ token: String, dpopScheme: Bool, _ request: Request, _ context: Context) throws {
        guard let verified = context.accessToken else { return }
        let claims = verified.claims
        guard claims.cnf?.jkt != nil || dpopScheme || claims.isDeviceBound else { return }
        guard let devices = context.deviceBinding else {
            // Fail closed: nothing here can check the proof or the device.
            throw OAuthError.invalidToken("device-bound and DPoP-bound tokens are not accepted here")
        }
        if let jkt = claims.cnf?.jkt {
            guard dpopScheme else {
                context.logger.info("bearer token refused", metadata: ["reason": "DPoP-bound token sent as Bearer"])
                throw OAuthError.invalidDPoP("invalid_token", "the access token is DPoP-bound: send it as Authorization: DPoP <token> with a DPoP proof")
            }
            let proof: DPoPProof?
            do {
                proof = try devices.dpop.verify(request.head, accessToken: token)
            } catch {
                context.logger.info("DPoP proof refused", metadata: ["reason": .string(error.description)])
                throw OAuthError.invalidDPoP("invalid_dpop_proof", error.description)
            }
            guard let proof else {
                throw OAuthError.invalidDPoP("invalid_token", "the access token is DPoP-bound: this request has no DPoP proof")
            }
            guard proof.jkt == jkt else {
                throw OAuthError.invalidDPoP("invalid_dpop_proof", "the DPoP proof is signed by another key than the token is bound to")
            }
        } else if dpopScheme {
            throw OAuthError.invalidDPoP("invalid_token", "the access token is not DPoP-bound: send it as Authorization: Bearer <token>")
        }
        if claims.isDeviceBound {
            do {
                try devices.checkLive(verified)
            } catch let refusal as DeviceBindingRefusal {
                context.logger.info("device-bound token refused", metadata: [
                    "device_id": .string(claims.device_id ?? ""), "reason": .string(refusal.description),
                ])
                let message = "the device this token is bound to is no longer trusted: " + refusal.description
                if claims.cnf?.jkt != nil { throw OAuthError.invalidDPoP("invalid_token", message) }
                throw OAuthError.invalidToken(message)
            }
        }
    }

    /// The token of `DPoP <token>` (RFC 9449 §7.1), nil for any other scheme.
    static func dpopToken(_ authorization: String) -> String? {
        let utf8 = authorization.utf8
        guard utf8.count > 5, authorization.prefix(5).lowercased() == "dpop " else { return nil }
        let token = authorization.dropFirst(5).trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// The token of `Bearer <token>` (scheme case-insensitive, surrounding whitespace
    /// dropped), nil for any other scheme. Runs on every runtime check: the common shape
    /// (ASCII token, no padding) is sliced from the UTF-8 bytes; only a value with other
    /// padding goes through Foundation's `trimmingCharacters`, which bridges the whole
    /// ~600-byte token to NSString (≈10% of a check's CPU when it did so every time).
    static func bearerToken(_ authorization: String) -> String? {
        let utf8 = authorization.utf8
        guard utf8.count > 7 else { return authorization.lowercased() == "bearer " ? "" : nil }
        var index = utf8.startIndex
        for expected in "bearer ".utf8 {
            guard utf8[index] | (expected == UInt8(ascii: " ") ? 0 : 0x20) == expected else { return nil }
            index = utf8.index(after: index)
        }
        let rest = Substring(authorization.utf8[index...])
        if let first = rest.utf8.first, let last = rest.utf8.last,
           first > 0x20, first < 0x7F, last > 0x20, last < 0x7F {
            return String(rest)
        }
        return rest.trimmingCharacters(in: .whitespaces)
    }
}
