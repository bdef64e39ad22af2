import Foundation
import HTTPTypes
import Identity
import Store

/// A validated authorization request (OIDC Core §3.1.2.1, RFC 6749 §4.1.1, RFC 7636 §4.3).
struct AuthorizationRequest: Sendable {
    var tenant: Tenant
    var client: OAuthClient
    var redirectURI: String
    var scopes: [String]
    var state: String?
    var nonce: String?
    /// The S256 challenge; nil only for a confidential client that sent none.
    var codeChallenge: String?
    var prompt: Set<String>
    /// OIDC `max_age`: a session older than this many seconds must sign in again.
    var maxAge: Int?
    /// OIDC `login_hint`, used only to prefill the user name.
    var loginHint: String?

    var issuer: String = ""

    static let maxQueryBytes = 8 * 1024
    static let maxRedirectURIBytes = 2048
    static let maxStateBytes = 1024
    static let maxNonceBytes = 512
    static let maxLoginHintBytes = 256
    static let promptValues: Set<String> = ["none", "login", "consent", "select_account"]

    /// What is wrong with a request before its client and redirect URI are trusted: shown
    /// to the user as a page, never sent anywhere (RFC 6749 §4.1.2.1, so the endpoint can
    /// never be made an open redirector).
    struct PageError: Error {
        var status: HTTPResponse.Status
        var title: String
        var text: String
    }

    /// Parses and checks `parameters` (from the query, or a POSTed form). `pathTenant` is the
    /// tenant of a `/t/{slug}/…` path; the client must be one of its clients.
    static func parse(
        _ parameters: FormBody, pathTenant: Tenant?, services: ArbiterApplication.Services
    ) throws -> Result<AuthorizationRequest, AuthorizationRedirect> {
        guard let clientId = parameters["client_id"] else {
            throw PageError(status: .badRequest, title: "Cannot sign in", text: "The application did not say who it is (client_id is missing).")
        }
        guard let client = try services.clients.client(id: clientId),
              client.purpose == .interactiveWeb,
              pathTenant == nil || client.tenantId == pathTenant?.id
        else {
            throw PageError(status: .badRequest, title: "Cannot sign in", text: "The application is not known here (unknown client_id).")
        }
        guard client.status == .active else {
            throw PageError(status: .badRequest, title: "Cannot sign in", text: "This application is disabled.")
        }
        guard let redirectURI = parameters["redirect_uri"] else {
            throw PageError(status: .badRequest, title: "Cannot sign in", text: "The application did not say where to return (redirect_uri is missing).")
        }
        guard redirectURI.utf8.count <= maxRedirectURIBytes, (client.redirectURIs ?? []).contains(redirectURI) else {
            throw PageError(
                status: .badRequest, title: "Cannot sign in",
                text: "The redirect_uri is not one registered for this application; it must match exactly.")
        }
        let tenant: Tenant
        if let pathTenant {
            tenant = pathTenant
        } else {
            guard let found = try services.environment.read({
                try $0.getJSON(Tenant.self, services.identityTables.tenants, Key(.string(client.tenantId)))
            }) else {
                throw PageError(status: .badRequest, title: "Cannot sign in", text: "The application is not known here (unknown client_id).")
            }
            tenant = found
        }
        let issuer = services.tokenIssuer.naming.issuer(slug: tenant.slug)

        // From here on the redirect URI is trusted: errors go back to the client.
        let rawState = parameters["state"]
        let state = rawState.flatMap { $0.utf8.count <= maxStateBytes ? $0 : nil }
        func failure(_ error: String, _ description: String) -> Result<AuthorizationRequest, AuthorizationRedirect> {
            .failure(AuthorizationRedirect(
                redirectURI: redirectURI, parameters: [("error", error), ("error_description", description)], state: state,
                issuer: issuer))
        }
        if rawState != nil && state == nil {
            return failure("invalid_request", "state is limited to \(maxStateBytes) bytes")
        }
        if parameters["request"] != nil {
            return failure("request_not_supported", "request objects are not supported")
        }
        if parameters["request_uri"] != nil {
            return failure("request_uri_not_supported", "request_uri is not supported")
        }
        guard let responseType = parameters["response_type"] else {
            return failure("invalid_request", "response_type is required")
        }
        guard responseType == "code" else {
            return failure("unsupported_response_type", "only response_type=code is supported")
        }
        if let mode = parameters["response_mode"], mode != "query" {
            return failure("invalid_request", "only response_mode=query is supported")
        }
        var scopes = client.scopes
        if let requested = parameters["scope"] {
            guard let parsed = OAuthScopes.parse(requested), requested.utf8.count <= 1024 else {
                return failure("invalid_scope", "scope is malformed")
            }
            let notGranted = parsed.filter { !client.scopes.contains($0) }
            guard notGranted.isEmpty else {
                return failure("invalid_scope", "not granted to this client: \(notGranted.joined(separator: " "))")
            }
            if !parsed.isEmpty { scopes = client.scopes.filter { parsed.contains($0) } }
        }
        let challenge = parameters["code_challenge"]
        let method = parameters["code_challenge_method"]
        if let method, method != "S256" {
            return failure("invalid_request", "code_challenge_method must be S256; plain is not accepted")
        }
        if let challenge {
            // RFC 7636 §4.3: an absent method means plain, which is refused.
            guard method != nil else {
                return failure("invalid_request", "code_challenge_method must be S256; plain is not accepted")
            }
            guard PKCE.isValidChallenge(challenge) else {
                return failure("invalid_request", "code_challenge must be the 43-character base64url SHA-256 of the verifier")
            }
        } else if method != nil {
            return failure("invalid_request", "code_challenge_method was sent without code_challenge")
        } else if client.publicClient {
            return failure("invalid_request", "PKCE is required: send code_challenge and code_challenge_method=S256")
        }
        let nonce = parameters["nonce"]
        if let nonce, nonce.utf8.count > maxNonceBytes {
            return failure("invalid_request", "nonce is limited to \(maxNonceBytes) bytes")
        }
        var prompt: Set<String> = []
        if let value = parameters["prompt"] {
            let values = value.split(separator: " ").map(String.init)
            guard values.allSatisfy(promptValues.contains) else {
                return failure("invalid_request", "prompt may only be none, login, consent or select_account")
            }
            prompt = Set(values)
            if prompt.contains("none") && prompt.count > 1 {
                return failure("invalid_request", "prompt=none cannot be combined with other values")
            }
        }
        var maxAge: Int?
        if let value = parameters["max_age"] {
            guard let seconds = Int(value), seconds >= 0 else {
                return failure("invalid_request", "max_age must be a non-negative integer")
            }
            maxAge = seconds
        }
        let loginHint = parameters["login_hint"].flatMap { $0.utf8.count <= maxLoginHintBytes ? $0 : nil }
        return .success(AuthorizationRequest(
            tenant: tenant, client: client, redirectURI: redirectURI, scopes: scopes, state: state, nonce: nonce,
            codeChallenge: challenge, prompt: prompt, maxAge: maxAge, loginHint: loginHint, issuer: issuer))
    }

    /// Error responses once the redirect URI is trusted.
    func failure(_ error: String, _ description: String) -> AuthorizationRedirect {
        AuthorizationRedirect(
            redirectURI: redirectURI, parameters: [("error", error), ("error_description", description)], state: state,
            issuer: issuer)
    }

    func success(code: String) -> AuthorizationRedirect {
        AuthorizationRedirect(redirectURI: redirectURI, parameters: [("code", code)], state: state, issuer: issuer)
    }
}

/// A response to an authorization request, sent back to the client through the browser:
/// `redirect_uri` with the parameters added to its query (RFC 6749 §4.1.2), `state` echoed,
/// and `iss` so the client knows which issuer answered (RFC 9207).
struct AuthorizationRedirect: Error, Sendable {
    var redirectURI: String
    var parameters: [(String, String)]
    var state: String?
    var issuer: String

    var location: String {
        var all = parameters
        if let state { all.append(("state", state)) }
        all.append(("iss", issuer))
        return Self.appendQuery(all, to: redirectURI)
    }

    /// Appends `parameters` to `uri`'s query, keeping any query it already has (RFC 6749
    /// §3.1.2) and putting them before a fragment (registered URIs have none).
    static func appendQuery(_ parameters: [(String, String)], to uri: String) -> String {
        let query = parameters.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
        let separator = uri.contains("?") ? (uri.hasSuffix("?") || uri.hasSuffix("&") ? "" : "&") : "?"
        return uri + separator + query
    }

    static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    static func encode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    var response: HTTPFields { [.location: location, .cacheControl: "no-store"] }
}
