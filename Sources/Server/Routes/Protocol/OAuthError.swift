import Foundation
import HTTPTypes
import Hummingbird

/// An RFC 6749 §5.2 error object, the error body of every `/connect/*` route (DESIGN §5):
/// `{"error": …, "error_description": …}` with `Cache-Control: no-store`.
public struct OAuthError: HTTPResponseError, Sendable, Equatable {
    public enum Challenge: Sendable, Equatable {
        case none
        /// The client tried HTTP Basic: a 401 must say so (RFC 6749 §5.2).
        case basic
        /// A bearer token was refused (RFC 6750 §3).
        case bearer
        /// A DPoP-bound token or its proof was refused (RFC 9449 §7.1).
        case dpop
    }

    public var status: HTTPResponse.Status
    public var error: String
    public var description: String?
    public var challenge: Challenge

    public init(_ status: HTTPResponse.Status, error: String, description: String?, challenge: Challenge = .none) {
        self.status = status
        self.error = error
        self.description = description
        self.challenge = challenge
    }

    public static func invalidRequest(_ description: String, status: HTTPResponse.Status = .badRequest) -> OAuthError {
        OAuthError(status, error: "invalid_request", description: description)
    }

    public static func invalidClient(_ description: String = "client authentication failed", basic: Bool) -> OAuthError {
        OAuthError(.unauthorized, error: "invalid_client", description: description, challenge: basic ? .basic : .none)
    }

    public static func unauthorizedClient(_ description: String) -> OAuthError {
        OAuthError(.badRequest, error: "unauthorized_client", description: description)
    }

    public static func unsupportedGrantType(_ grantType: String) -> OAuthError {
        OAuthError(.badRequest, error: "unsupported_grant_type",
                   description: "grant_type '\(grantType)' is not supported")
    }

    public static func invalidGrant(_ description: String) -> OAuthError {
        OAuthError(.badRequest, error: "invalid_grant", description: description)
    }

    public static func invalidScope(_ description: String) -> OAuthError {
        OAuthError(.badRequest, error: "invalid_scope", description: description)
    }

    public static func invalidToken(_ description: String) -> OAuthError {
        OAuthError(.unauthorized, error: "invalid_token", description: description, challenge: .bearer)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var body: [String: String] = ["error": error]
        if let description { body["error_description"] = description }
        var headers = OAuthError.noStoreHeaders
        headers[.contentType] = "application/json"
        switch challenge {
        case .none: break
        case .basic: headers[.wwwAuthenticate] = #"Basic realm="arbiter", charset="UTF-8""#
        case .bearer: headers[.wwwAuthenticate] = #"Bearer realm="arbiter", error="\#(error)""#
        case .dpop: headers[.wwwAuthenticate] = Self.dpopChallenge(error)
        }
        let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A refused DPoP-bound token or proof (RFC 9449 §7.1): 401 with a `DPoP` challenge.
    static func invalidDPoP(_ error: String, _ description: String) -> OAuthError {
        OAuthError(.unauthorized, error: error, description: description, challenge: .dpop)
    }

    static func dpopChallenge(_ error: String) -> String { #"DPoP realm="arbiter", error="\#(error)", algs="ES256""# }

    /// RFC 6749 §5.1: token responses (and errors, and introspection answers) must not be cached.
    static let noStoreHeaders: HTTPFields = [.cacheControl: "no-store", HTTPField.Name("Pragma")!: "no-cache"]

    /// True for paths of the `/connect/*` family, globally or under a tenant's issuer.
    static func isProtocolPath(_ path: String) -> Bool {
        if path.hasPrefix("/connect/") || path == "/connect" { return true }
        guard path.hasPrefix("/t/") else { return false }
        let rest = path.dropFirst(3).drop { $0 != "/" }
        return rest.hasPrefix("/connect/") || rest == "/connect"
    }

    /// Any other error met on a `/connect/*` path, as an RFC 6749 error object.
    static func from(status: HTTPResponse.Status, detail: String?) -> OAuthError {
        if status.code >= 500 {
            return OAuthError(status, error: "server_error", description: detail ?? "the server failed")
        }
        return OAuthError(status, error: "invalid_request", description: detail ?? status.reasonPhrase)
    }
}
