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
        guard let authorization = request.headers[.authorization], authorization.lowercased().hasPrefix("bearer ") else {
            return try await next(request, context)
        }
        let token = authorization.dropFirst(7).trimmingCharacters(in: .whitespaces)
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
}
