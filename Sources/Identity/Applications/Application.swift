import Foundation

/// Something a tenant builds that talks to Arbiter; its OAuth clients hang off it.
public struct Application: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case active
        case disabled
    }

    public var id: String
    public var tenantId: String
    public var name: String
    public var status: Status
    public var createdAt: Date
}
