import Foundation
import Hummingbird
import Identity

/// `POST /connect/deviceauthorization` and `/t/{slug}/connect/deviceauthorization`: the
/// device authorization endpoint of RFC 8628 §3.1–3.2. The client authenticates as at the
/// token endpoint (a public device client only names itself), must be allowed the device
/// grant, and may ask only for scopes it holds. The answer carries both codes once.
struct DeviceAuthorizationRoutes {
    let services: ArbiterApplication.Services

    func handle(_ request: Request, _ context: ArbiterRequestContext, tenant: Tenant?) async throws -> Response {
        let form = try await FormBody.read(request)
        let authenticated = try services.clientAuthenticator.authenticate(request, form, tenantId: tenant?.id)
        let client = authenticated.client
        guard client.status == .active else { throw OAuthError.unauthorizedClient("this client is disabled") }
        guard client.grantTypes.contains(ClientPurpose.deviceCode) else {
            throw OAuthError.unauthorizedClient("this client may not use the device authorization grant")
        }
        let scopes = try TokenEndpoint.grantedScopes(requested: form["scope"], client: client)
        let started = try await services.deviceAuthorizations.start(client: client, scopes: scopes)
        context.logger.info("device authorization started", metadata: [
            "client_id": .string(client.clientId), "tenant_id": .string(client.tenantId),
            "device_authorization": .string(started.authorization.id),
        ])
        let verificationURI = services.tokenIssuer.naming.baseURL + "/device"
        let body: [String: JSONValue] = [
            "device_code": .string(started.deviceCode),
            "user_code": .string(started.userCode),
            "verification_uri": .string(verificationURI),
            "verification_uri_complete": .string(verificationURI + "?user_code=" + started.userCode),
            "expires_in": .integer(Int64(started.expiresIn)),
            "interval": .integer(Int64(started.authorization.interval)),
        ]
        return try JSONResponse.make(.ok, body, headers: OAuthError.noStoreHeaders)
    }
}
