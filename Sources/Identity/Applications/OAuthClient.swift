import Foundation

/// What a client is for, which fixes the grants it may use and how it authenticates.
/// Only the purposes whose grants exist today are listed; `interactive_web` and `device`
/// arrive with the authorization-code and device grants.
public enum ClientPurpose: String, Codable, Sendable, CaseIterable {
    /// A service calling Arbiter: client credentials, `client_secret_basic` or `client_secret_post`.
    case automation
    /// A CI job publishing policy manifests: client credentials with HTTP Basic only.
    case manifestPublisher = "manifest_publisher"

    public var grantTypes: [String] { ["client_credentials"] }

    public var authMethods: [ClientAuthMethod] {
        switch self {
        case .automation: return [.clientSecretBasic, .clientSecretPost]
        case .manifestPublisher: return [.clientSecretBasic]
        }
    }
}

/// How a confidential client proves itself at the token endpoint (RFC 6749 §2.3.1).
public enum ClientAuthMethod: String, Codable, Sendable, CaseIterable {
    case clientSecretBasic = "client_secret_basic"
    case clientSecretPost = "client_secret_post"
}

/// One secret of a client: only its SHA-256 is kept. After a rotation with a grace period
/// the old secret carries `expiresAt` and is accepted until then.
public struct ClientSecretRecord: Codable, Sendable, Equatable {
    public var id: String
    /// Lowercase hex SHA-256 of the secret's UTF-8 bytes.
    public var sha256: String
    public var createdAt: Date
    public var expiresAt: Date?

    public func isValid(at now: Date) -> Bool { expiresAt.map { now < $0 } ?? true }
}

/// An OAuth client of a tenant's application.
public struct OAuthClient: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case active
        /// Authenticates but may not obtain tokens (`unauthorized_client`).
        case disabled
    }

    public var clientId: String
    public var tenantId: String
    public var applicationId: String
    public var name: String
    public var purpose: ClientPurpose
    public var status: Status
    /// The scopes this client was granted; it can never receive others.
    public var scopes: [String]
    public var secrets: [ClientSecretRecord]
    public var createdAt: Date

    public var grantTypes: [String] { purpose.grantTypes }
    public var authMethods: [ClientAuthMethod] { purpose.authMethods }
}
