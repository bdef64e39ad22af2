import Foundation

/// An identity domain: its own users, organizations, clients and policies.
public struct Tenant: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var slug: String
    public var plan: Plan
    public var createdAt: Date
}
