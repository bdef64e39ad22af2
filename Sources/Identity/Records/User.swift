import Foundation

/// A person who signs in. Only the password's bcrypt hash is ever stored.
public struct User: Codable, Sendable, Equatable {
    public var id: String
    public var tenantId: String
    public var userName: String
    public var email: String
    public var passwordHash: String
    public var active: Bool
    public var createdAt: Date
}
