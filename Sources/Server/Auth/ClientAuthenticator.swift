import Foundation
import Hummingbird
import Identity

/// Authenticates a confidential client at a `/connect/*` endpoint (RFC 6749 §2.3.1), by
/// `client_secret_basic` (HTTP Basic with the form-encoded id and secret) or
/// `client_secret_post` (`client_id` and `client_secret` in the body). Every failure is
/// `invalid_client` without saying which part was wrong; a 401 after Basic carries
/// `WWW-Authenticate: Basic`.
struct ClientAuthenticator: Sendable {
    let clients: ClientRegistry

    struct Authenticated {
        var client: OAuthClient
        var method: ClientAuthMethod
    }

    /// The credentials a request presents, if any, before they are checked.
    static func credentials(_ request: Request, _ form: FormBody) throws -> (id: String, secret: String, method: ClientAuthMethod)? {
        if let authorization = request.headers[.authorization], authorization.lowercased().hasPrefix("basic ") {
            guard form["client_secret"] == nil else {
                throw OAuthError.invalidRequest("use one client authentication method, not HTTP Basic and client_secret together")
            }
            let encoded = authorization.dropFirst(6).trimmingCharacters(in: .whitespaces)
            guard let decoded = Data(base64Encoded: encoded).map({ String(decoding: $0, as: UTF8.self) }),
                  let colon = decoded.firstIndex(of: ":"),
                  let id = FormBody.decode(decoded[..<colon]),
                  let secret = FormBody.decode(decoded[decoded.index(after: colon)...])
            else {
                throw OAuthError.invalidClient("the Authorization header is not valid HTTP Basic", basic: true)
            }
            if let bodyId = form["client_id"], bodyId != id {
                throw OAuthError.invalidClient("client_id in the body differs from the one in HTTP Basic", basic: true)
            }
            return (id, secret, .clientSecretBasic)
        }
        if let id = form["client_id"], let secret = form["client_secret"] {
            return (id, secret, .clientSecretPost)
        }
        return nil
    }

    /// The authenticated client, or an `invalid_client` error. With `tenantId`, the client
    /// must belong to that tenant (a tenant's issuer only serves its own clients).
    /// `certificate` is the request's TLS client certificate, for mTLS clients (RFC 8705).
    /// A client of a disabled application comes back disabled, so every endpoint's own
    /// status check (`unauthorized_client`, `invalid_client`) covers the application too.
    func authenticate(_ request: Request, _ form: FormBody, tenantId: String?, certificate: ClientCertificate? = nil) throws -> Authenticated {
        var authenticated = try identify(request, form, tenantId: tenantId, certificate: certificate)
        let client = authenticated.client
        if client.status == .active, !BuiltInClients.isBuiltIn(client.clientId),
           let application = try clients.application(tenantId: client.tenantId, id: client.applicationId),
           application.status != .active {
            authenticated.client.status = .disabled
        }
        return authenticated
    }

    private func identify(_ request: Request, _ form: FormBody, tenantId: String?, certificate: ClientCertificate?) throws -> Authenticated {
        guard let (id, secret, method) = try Self.credentials(request, form) else {
            // A public client (RFC 6749 §2.1) only names itself; PKCE or the device code
            // protects its grant. A confidential client that sent no secret fails here.
            if let id = form["client_id"], BuiltInClients.isBuiltIn(id) {
                guard let tenantId else {
                    throw OAuthError.invalidClient(
                        "\(id) is built into every tenant: use your tenant's issuer, {base}/t/{tenant}/connect/…",
                        basic: false)
                }
                return Authenticated(client: BuiltInClients.arbiterCLI(tenantId: tenantId), method: .none)
            }
            if let id = form["client_id"], let client = try clients.client(id: id), client.publicClient,
               tenantId == nil || client.tenantId == tenantId {
                return Authenticated(client: client, method: .none)
            }
            if let authenticated = try mtlsClient(form, tenantId: tenantId, certificate: certificate) { return authenticated }
            throw OAuthError.invalidClient(
                "authenticate the client with HTTP Basic, client_id and client_secret in the body, or its registered TLS client certificate",
                basic: false)
        }
        let basic = method == .clientSecretBasic
        guard let client = try clients.authenticate(clientId: id, secret: secret),
              tenantId == nil || client.tenantId == tenantId
        else { throw OAuthError.invalidClient(basic: basic) }
        guard client.authMethods.contains(method) else {
            throw OAuthError.invalidClient("this client does not use \(method.rawValue)", basic: basic)
        }
        return Authenticated(client: client, method: method)
    }
}
