import Foundation
import HTTPTypes
import Hummingbird
import Identity
import Store

/// The OpenID Connect / OAuth 2.0 protocol endpoints.
///
/// Tenancy: every tenant is its own issuer, `{publicBaseURL}/t/{slug}`, and its endpoints
/// live under that path (`/t/{slug}/.well-known/openid-configuration`, `…/jwks.json`,
/// `…/connect/token`, `…/connect/introspect`), which is what stock OIDC libraries expect.
/// The global `/connect/token` and `/connect/introspect` work too: the tenant is the one
/// of the authenticated client (client ids are unique across tenants) and tokens carry
/// the same tenant issuer. The global `/.well-known/*` documents need `?tenant=SLUG`,
/// since there is no default tenant, and otherwise answer 400 saying where to look.
struct ProtocolRoutes {
    let services: ArbiterApplication.Services

    var naming: IssuerNaming { services.tokenIssuer.naming }

    func add(to router: Router<ArbiterRequestContext>) {
        router.get("/.well-known/openid-configuration") { request, _ in
            try discovery(tenant: try globalTenant(request))
        }
        router.get("/.well-known/jwks.json") { request, _ in
            try await jwks(tenant: try globalTenant(request))
        }
        router.get("/t/:tenant/.well-known/openid-configuration") { _, context in
            try discovery(tenant: try pathTenant(context, oauth: false))
        }
        router.get("/t/:tenant/.well-known/jwks.json") { _, context in
            try await jwks(tenant: try pathTenant(context, oauth: false))
        }
        let tokenEndpoint = TokenEndpoint(services: services)
        router.post("/connect/token") { request, context in
            try await tokenEndpoint.handle(request, context, tenant: nil)
        }
        router.post("/t/:tenant/connect/token") { request, context in
            try await tokenEndpoint.handle(request, context, tenant: try pathTenant(context, oauth: true))
        }
        MTLSTokenRoutes(services: services).add(to: router)
        let deviceAuthorization = DeviceAuthorizationRoutes(services: services)
        router.post("/connect/deviceauthorization") { request, context in
            try await deviceAuthorization.handle(request, context, tenant: nil)
        }
        router.post("/t/:tenant/connect/deviceauthorization") { request, context in
            try await deviceAuthorization.handle(request, context, tenant: try pathTenant(context, oauth: true))
        }
        router.post("/connect/revocation") { request, context in
            try await revocation(request, context, tenant: nil)
        }
        router.post("/t/:tenant/connect/revocation") { request, context in
            try await revocation(request, context, tenant: try pathTenant(context, oauth: true))
        }
        let bearer = BearerAuthenticator(verifier: services.tokenVerifier)
        router.group("/connect/introspect").add(middleware: bearer).post { request, context in
            try await introspect(request, context, tenant: nil)
        }
        router.group("/t/:tenant/connect/introspect").add(middleware: bearer).post { request, context in
            try await introspect(request, context, tenant: try pathTenant(context, oauth: true))
        }
        // Browser sign-in and the code flow (A1): authorize, userinfo, end-session.
        AuthorizeRoutes(services: services).add(to: router)
        UserInfoRoutes(services: services).add(to: router)
        EndSessionRoutes(services: services).add(to: router)
    }

    // MARK: Tenants

    func tenant(slug: String) throws -> Tenant? {
        guard slug.utf8.count <= 63 else { return nil }
        return try services.environment.read { try services.identityTables.tenant(slug: slug, in: $0) }
    }

    func pathTenant(_ context: ArbiterRequestContext, oauth: Bool) throws -> Tenant {
        let slug = context.parameters.get("tenant") ?? ""
        guard let found = try tenant(slug: slug) else {
            if oauth { throw OAuthError.invalidRequest("no tenant with slug '\(slug)'", status: .notFound) }
            throw ProblemError.notFound("no tenant with slug '\(slug)'")
        }
        return found
    }

    func globalTenant(_ request: Request) throws -> Tenant {
        guard let slug = request.uri.queryParameters.get("tenant") else {
            throw ProblemError(
                .badRequest, type: "tenant-required", title: "Name the tenant",
                detail: "each tenant is its own issuer: fetch \(naming.baseURL)/t/{slug}/.well-known/openid-configuration, or add ?tenant={slug}")
        }
        guard let found = try tenant(slug: slug) else { throw ProblemError.notFound("no tenant with slug '\(slug)'") }
        return found
    }

    // MARK: Discovery and keys

    /// OpenID Connect Discovery 1.0 / RFC 8414 metadata. Lists only what is implemented: the
    /// grants the token endpoint serves, the code flow with PKCE S256 and query responses
    /// carrying `iss` (RFC 9207), ES256 ID tokens, userinfo, end-session and introspection.
    func discovery(tenant: Tenant) throws -> Response {
        let issuer = naming.issuer(slug: tenant.slug)
        let authMethods = [ClientAuthMethod.clientSecretBasic, .clientSecretPost].map { JSONValue.string($0.rawValue) }
        func strings(_ values: [String]) -> JSONValue { .array(values.map { .string($0) }) }
        let document: [String: JSONValue] = [
            "issuer": .string(issuer),
            "authorization_endpoint": .string(issuer + "/connect/authorize"),
            "token_endpoint": .string(issuer + "/connect/token"),
            "userinfo_endpoint": .string(issuer + "/connect/userinfo"),
            "end_session_endpoint": .string(issuer + "/connect/endsession"),
            "introspection_endpoint": .string(issuer + "/connect/introspect"),
            "revocation_endpoint": .string(issuer + "/connect/revocation"),
            "device_authorization_endpoint": .string(issuer + "/connect/deviceauthorization"),
            "jwks_uri": .string(issuer + "/.well-known/jwks.json"),
            "grant_types_supported": strings(TokenEndpoint.supportedGrantTypes),
            "response_types_supported": strings(["code"]),
            "response_modes_supported": strings(["query"]),
            "code_challenge_methods_supported": strings(["S256"]),
            "subject_types_supported": strings(["public"]),
            "id_token_signing_alg_values_supported": strings(["ES256"]),
            "authorization_response_iss_parameter_supported": .bool(true),
            "token_endpoint_auth_methods_supported": .array(authMethods + [.string(ClientAuthMethod.none.rawValue)]
                + [ClientAuthMethod.tlsClientAuth, .selfSignedTLSClientAuth].map { .string($0.rawValue) }),
            // RFC 8705 §5: the token endpoint's mTLS alias, whose tokens are certificate-bound.
            "mtls_endpoint_aliases": .object(["token_endpoint": .string(issuer + "/connect/mtls/token")]),
            "tls_client_certificate_bound_access_tokens": .bool(true),
            "introspection_endpoint_auth_methods_supported": .array(authMethods + [.string("bearer")]),
            // The capability scopes are for operator-made clients only; they are not advertised.
            "scopes_supported": strings(OAuthScopes.all.filter { !OAuthScopes.reservedCapabilities.contains($0) }),
            "claims_supported": strings([
                "iss", "sub", "aud", "exp", "iat", "nbf", "jti", "client_id", "scope", "tenant_id", "auth_time", "nonce", "sid",
                "azp", "at_hash", "name", "preferred_username", "email", "email_verified", "organization_id", "membership_id",
                "session_id", "perm_ver", "ent_ver", "cnf", "device_id", "device_risk_state", "device_trust_level",
            ]),
            "access_token_signing_alg_values_supported": .array([.string("ES256")]),
            // RFC 9449 §5.1: DPoP proofs at the token endpoint bind tokens to the proof's key.
            "dpop_signing_alg_values_supported": strings(["ES256"]),
            "service_documentation": .string(naming.baseURL + "/openapi.json"),
        ]
        return try JSONResponse.make(.ok, document, headers: [.cacheControl: "public, max-age=300"])
    }

    /// The tenant's published keys: the active one (made now if the tenant has none yet) and
    /// retired ones whose tokens may still be live.
    func jwks(tenant: Tenant) async throws -> Response {
        _ = try await services.signingKeys.activeKey(tenantId: tenant.id)
        let keys = try services.signingKeys.publishedKeys(tenantId: tenant.id).map { try $0.publicJWK() }
        struct KeySet: Encodable { var keys: [JSONWebKey] }
        // Short enough that a verifier sees a rotation soon; verifiers refetch on an unknown kid anyway.
        return try JSONResponse.make(.ok, KeySet(keys: keys), headers: [.cacheControl: "public, max-age=300"])
    }

    // MARK: Introspection (RFC 7662)

    /// Callers authenticate as a client (Basic or body credentials) or with their own
    /// bearer access token (RFC 7662 §2.1). A token answers `active: true` with its claims
    /// only when it verifies and belongs to the caller's tenant; anything else is
    /// `{"active": false}`, saying nothing about why.
    func introspect(_ request: Request, _ context: ArbiterRequestContext, tenant: Tenant?) async throws -> Response {
        let form = try await FormBody.read(request)
        let callerTenant: String
        if let caller = context.accessToken {
            guard tenant == nil || caller.tenantId == tenant?.id else {
                throw OAuthError.invalidToken("the access token belongs to another issuer")
            }
            callerTenant = caller.tenantId
        } else {
            let authenticated = try services.clientAuthenticator.authenticate(
                request, form, tenantId: tenant?.id, certificate: context.clientCertificate)
            guard authenticated.client.status == .active else {
                throw OAuthError.invalidClient("this client is disabled", basic: authenticated.method == .clientSecretBasic)
            }
            // RFC 7662 §2.1 wants the caller authenticated; a public client only names
            // itself (and `arbiter-cli` exists in every tenant), so it proves nothing.
            guard authenticated.method != .none else {
                throw OAuthError.invalidClient("introspection needs client credentials or a bearer token; a public client has neither", basic: false)
            }
            callerTenant = authenticated.client.tenantId
        }
        guard let token = form["token"] else { throw OAuthError.invalidRequest("token is required") }
        var body: [String: JSONValue] = ["active": .bool(false)]
        if RefreshTokenStore.looksLikeRefreshToken(token) {
            // Refresh tokens (whatever `token_type_hint` says: the shapes cannot be confused).
            if let refresh = try services.refreshTokens.describe(token, tenantId: callerTenant) {
                body = [
                    "active": .bool(true),
                    "token_type": .string("refresh_token"),
                    "client_id": .string(refresh.clientId),
                    "sub": .string(refresh.userId),
                    "scope": .string(refresh.scopes.joined(separator: " ")),
                    "exp": .integer(Int64(refresh.expiresAt.timeIntervalSince1970)),
                    "iat": .integer(Int64(refresh.issuedAt.timeIntervalSince1970)),
                ]
                if let tenant { body["iss"] = .string(naming.issuer(slug: tenant.slug)) }
            }
        } else if let verified = try? await services.tokenVerifier.verify(token), verified.tenantId == callerTenant {
            let claims = verified.claims
            body = [
                "active": .bool(true),
                "scope": .string(claims.scope),
                "client_id": .string(claims.client_id),
                "sub": .string(claims.sub),
                "aud": claims.aud.count == 1 ? .string(claims.aud[0]) : .array(claims.aud.map { .string($0) }),
                "iss": .string(claims.iss),
                "exp": .integer(claims.exp),
                "iat": .integer(claims.iat),
                "jti": .string(claims.jti),
                "token_type": .string(claims.cnf?.jkt != nil ? "DPoP" : "Bearer"),
            ]
            if let nbf = claims.nbf { body["nbf"] = .integer(nbf) }
            if let tenantId = claims.tenant_id { body["tenant_id"] = .string(tenantId) }
            if let cnf = claims.cnf {
                var confirmation: [String: JSONValue] = [:]
                if let x5t = cnf.x5tS256 { confirmation["x5t#S256"] = .string(x5t) }
                if let jkt = cnf.jkt { confirmation["jkt"] = .string(jkt) }
                body["cnf"] = .object(confirmation)
            }
            if let deviceId = claims.device_id {
                body["device_id"] = .string(deviceId)
                if let risk = claims.device_risk_state { body["device_risk_state"] = .string(risk) }
                if let level = claims.device_trust_level { body["device_trust_level"] = .integer(level) }
            }
        }
        return try JSONResponse.make(.ok, body, headers: OAuthError.noStoreHeaders)
    }
}
