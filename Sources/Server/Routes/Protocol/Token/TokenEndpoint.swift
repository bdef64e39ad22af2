import Foundation
import Hummingbird
import Identity
import Store

/// `POST /connect/token` (and `/t/{slug}/connect/token`, and the mTLS alias): reads the
/// form, authenticates the client, and hands over to the grant named by `grant_type`.
/// Each grant lives in its own file as an extension of this type.
struct TokenEndpoint: Sendable {
    let services: ArbiterApplication.Services

    /// The grants this endpoint serves, in the order discovery lists them.
    static let supportedGrantTypes = [
        ClientPurpose.authorizationCode, ClientPurpose.refreshToken, ClientPurpose.clientCredentials, ClientPurpose.deviceCode,
    ]

    /// What every grant receives: the form, the authenticated client and its tenant.
    struct Call {
        var request: Request
        var context: ArbiterRequestContext
        var form: FormBody
        var client: OAuthClient
        var authMethod: ClientAuthMethod
        var tenant: Tenant
        /// base64url SHA-256 of the TLS client certificate when the call came through the
        /// mTLS endpoint (RFC 8705); tokens issued then are bound to it.
        var certificateThumbprint: String?
        /// The DPoP key and/or registered device the token gets bound to (`DeviceProof.swift`).
        var binding: TokenBinding?
    }

    func handle(_ request: Request, _ context: ArbiterRequestContext, tenant: Tenant?, certificateThumbprint: String? = nil) async throws -> Response {
        let form = try await FormBody.read(request)
        guard let grantType = form["grant_type"] else { throw OAuthError.invalidRequest("grant_type is required") }
        let known = Self.supportedGrantTypes
        guard known.contains(grantType) else { throw OAuthError.unsupportedGrantType(grantType) }
        let authenticated = try services.clientAuthenticator.authenticate(
            request, form, tenantId: tenant?.id, certificate: context.clientCertificate)
        let client = authenticated.client
        guard client.status == .active else {
            throw OAuthError.unauthorizedClient("this client is disabled")
        }
        guard client.grantTypes.contains(grantType) else {
            throw OAuthError.unauthorizedClient("this client may not use \(grantType)")
        }
        let owner: Tenant
        if let tenant {
            owner = tenant
        } else {
            guard let found = try services.environment.read({
                try $0.getJSON(Tenant.self, services.identityTables.tenants, Key(.string(client.tenantId)))
            }) else { throw OAuthError.invalidClient(basic: authenticated.method == .clientSecretBasic) }
            owner = found
        }
        var call = Call(
            request: request, context: context, form: form, client: client, authMethod: authenticated.method,
            tenant: owner, certificateThumbprint: certificateThumbprint)
        call.binding = try deviceProof(call)
        do {
            let response: Response
            switch grantType {
            case ClientPurpose.authorizationCode: response = try await authorizationCode(call)
            case ClientPurpose.refreshToken: response = try await refreshToken(call)
            case ClientPurpose.clientCredentials: response = try await clientCredentials(call)
            case ClientPurpose.deviceCode: response = try await deviceCode(call)
            default: throw OAuthError.unsupportedGrantType(grantType)
            }
            // Only a token response counts (the device grant answers 400 while pending).
            if response.status == .ok { services.metrics.tokenIssued(grantType: grantType) }
            return response
        } catch TokenBindingError.organizationMismatch {
            throw OAuthError.invalidGrant("the device of this proof belongs to another organization than the sign-in")
        }
    }

    /// The scopes a token will carry: all the client's scopes when none were asked for,
    /// otherwise the asked ones, each of which the client must hold (`invalid_scope`).
    /// `allowed` narrows further (a refresh cannot widen the original grant).
    static func grantedScopes(requested: String?, client: OAuthClient, allowed: [String]? = nil) throws -> [String] {
        let ceiling = allowed.map { allowed in client.scopes.filter { allowed.contains($0) } } ?? client.scopes
        guard let requested else { return ceiling }
        guard let parsed = OAuthScopes.parse(requested) else { throw OAuthError.invalidScope("scope is malformed") }
        let notGranted = parsed.filter { !ceiling.contains($0) }
        guard notGranted.isEmpty else {
            throw OAuthError.invalidScope("not granted to this client: \(notGranted.joined(separator: " "))")
        }
        // Deduplicated, in the client's own order.
        return parsed.isEmpty ? ceiling : ceiling.filter { parsed.contains($0) }
    }

    /// The JSON body of a successful token response (RFC 6749 §5.1), `no-store`.
    static func response(_ issued: IssuedAccessToken, refreshToken: String? = nil, idToken: String? = nil) throws -> Response {
        var body: [String: JSONValue] = [
            "access_token": .string(issued.token),
            // RFC 9449 §5: a DPoP-bound token is of type DPoP.
            "token_type": .string(issued.claims.cnf?.jkt != nil ? "DPoP" : "Bearer"),
            "expires_in": .integer(Int64(issued.expiresIn)),
            "scope": .string(issued.claims.scope),
        ]
        if let refreshToken { body["refresh_token"] = .string(refreshToken) }
        if let idToken { body["id_token"] = .string(idToken) }
        return try JSONResponse.make(.ok, body, headers: OAuthError.noStoreHeaders)
    }
}
