import Foundation

/// What SCIM keeps about a provisioned user besides the Arbiter `User` (same id) and its
/// membership in the connection's JIT organization.
public struct SCIMUserRecord: Codable, Sendable, Equatable {
    public var id: String
    public var tenantId: String
    public var connectionId: String
    public var membershipId: String
    public var userName: String
    public var externalId: String?
    public var active: Bool
    /// The resource's other attributes as the provider sent them (a JSON object: name,
    /// emails, displayName, …); `id`, `meta`, `groups` and `schemas` are never stored here.
    public var attributes: String
    public var created: Date
    public var lastModified: Date
    /// Moves with every change (`meta.version`).
    public var version: Int64
}

/// The typed part of a SCIM user that Arbiter itself reads, with the rest as JSON text.
public struct SCIMUserInput: Sendable, Equatable {
    public var userName: String
    public var externalId: String?
    public var active: Bool
    /// The primary (or first) email, "" when none.
    public var email: String
    public var attributes: String

    public init(userName: String, externalId: String?, active: Bool, email: String, attributes: String) {
        self.userName = userName
        self.externalId = externalId
        self.active = active
        self.email = email
        self.attributes = attributes
    }

    /// RFC 7643 bounds and Arbiter's user-name rule (a SCIM user signs in under its userName).
    public func validate() throws(SCIMResourceError) {
        guard TenantRegistration.isValidUserName(userName) else {
            throw .invalidValue("userName must be 1 to 100 characters with no spaces or control characters")
        }
        if let externalId, externalId.isEmpty || externalId.utf8.count > 256 {
            throw .invalidValue("externalId must be 1 to 256 bytes")
        }
        guard email.utf8.count <= 320 else { throw .invalidValue("emails.value must be at most 320 bytes") }
        guard attributes.utf8.count <= SCIMUserRecord.maxAttributeBytes else {
            throw .invalidValue("the resource is larger than \(SCIMUserRecord.maxAttributeBytes) bytes")
        }
    }
}

extension SCIMUserRecord {
    public static let maxAttributeBytes = 64 * 1024
    /// Users one connection may provision; a listing filters over all of them.
    public static let maxPerConnection = 20_000
}
