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
        guard let authorization = request.headers[.authorization], let token = Self.bearerToken(authorization) else {
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
        context.logger[metadataKey: "client_id"] = .string(context.accessToken!.clientId)
        return try await next(request, context)
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
