import Foundation

/// A group of members inside a tenant; registration creates the first one.
public struct Organization: Codable, Sendable, Equatable {
    public var id: String
    public var tenantId: String
    public var name: String
    public var createdAt: Date
}
