import Foundation

/// A user's place in an organization, with the roles that policies read.
public struct Membership: Codable, Sendable, Equatable {
    public var id: String
    public var tenantId: String
    public var organizationId: String
    public var userId: String
    public var roles: [String]
    public var createdAt: Date

    public static let administratorRole = "administrator"
}
