import Hummingbird
import Identity

/// `POST /connect/mtls/token` and `/t/{slug}/connect/mtls/token`: the token endpoint's
/// mTLS alias (RFC 8705 §5, advertised as `mtls_endpoint_aliases.token_endpoint`). The
/// same grants and client authentication as `/connect/token`, but the request must come
/// with a client certificate (its own TLS handshake, or forwarded by a trusted proxy) and
/// every access token issued here is bound to it: `cnf: {"x5t#S256": …}` (§3). Resource
/// routes then accept such a token only from a request presenting that same certificate.
struct MTLSTokenRoutes {
    let services: ArbiterApplication.Services

    func add(to router: Router<ArbiterRequestContext>) {
        let tokenEndpoint = TokenEndpoint(services: services)
        let protocolRoutes = ProtocolRoutes(services: services)
        router.post("/connect/mtls/token") { request, context in
            try await Self.handle(request, context, tenant: nil, tokenEndpoint: tokenEndpoint)
        }
        router.post("/t/:tenant/connect/mtls/token") { request, context in
            let tenant = try protocolRoutes.pathTenant(context, oauth: true)
            return try await Self.handle(request, context, tenant: tenant, tokenEndpoint: tokenEndpoint)
        }
    }

    static func handle(
        _ request: Request, _ context: ArbiterRequestContext, tenant: Tenant?, tokenEndpoint: TokenEndpoint
    ) async throws -> Response {
        guard let certificate = context.clientCertificate else {
            // RFC 8705 §2: no certificate, no mTLS client authentication (and nothing to
            // bind a token to, whatever else the client authenticates with).
            throw OAuthError.invalidClient(
                "the mTLS token endpoint needs a TLS client certificate; use /connect/token without one", basic: false)
        }
        context.logger.debug("mTLS token request", metadata: [
            "x5t#S256": .string(certificate.thumbprint), "certificate_source": .string(certificate.source.rawValue),
        ])
        return try await tokenEndpoint.handle(request, context, tenant: tenant, certificateThumbprint: certificate.thumbprint)
    }
}
