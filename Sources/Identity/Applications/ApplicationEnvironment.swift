import Foundation

/// One deployment stage of an application. An application has at most one of each kind,
/// and its clients may be tied to one (`OAuthClient.environmentId`).
public struct ApplicationEnvironment: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case development
        case staging
        case production
    }

    public var id: String
    public var tenantId: String
    public var applicationId: String
    public var kind: Kind
    public var name: String
    public var createdAt: Date

    public init(id: String, tenantId: String, applicationId: String, kind: Kind, name: String, createdAt: Date) {
        self.id = id
        self.tenantId = tenantId
        self.applicationId = applicationId
        self.kind = kind
        self.name = name
        self.createdAt = createdAt
    }
}
