import Foundation

/// What SCIM keeps about a provisioned group besides the organization's `MemberGroup` (same
/// id, named by `displayName`), whose member rows hold the group's members.
public struct SCIMGroupRecord: Codable, Sendable, Equatable {
    public var id: String
    public var tenantId: String
    public var connectionId: String
    public var displayName: String
    public var externalId: String?
    /// Other attributes as the provider sent them (JSON object text), without id, meta,
    /// schemas and members.
    public var attributes: String
    /// The `display` the provider gave each member (user id → text), echoed back instead
    /// of the userName; only for current members.
    public var memberDisplays: [String: String]?
    public var created: Date
    public var lastModified: Date
    public var version: Int64
}

public struct SCIMGroupInput: Sendable, Equatable {
    public var displayName: String
    public var externalId: String?
    public var attributes: String
    /// Member user ids in order, and the `display` sent with each (when any).
    public var memberIds: [String]
    public var memberDisplays: [String: String]

    public init(displayName: String, externalId: String?, attributes: String, memberIds: [String] = [], memberDisplays: [String: String] = [:]) {
        self.displayName = displayName
        self.externalId = externalId
        self.attributes = attributes
        self.memberIds = memberIds
        self.memberDisplays = memberDisplays
    }

    public func validate() throws(SCIMResourceError) {
        if let problem = MemberGroup.nameErrors(displayName).first {
            throw .invalidValue("displayName \(problem.message)")
        }
        if let externalId, externalId.isEmpty || externalId.utf8.count > 256 {
            throw .invalidValue("externalId must be 1 to 256 bytes")
        }
        guard memberIds.count <= MemberGroup.maxMembers else {
            throw .invalidValue("a group may have at most \(MemberGroup.maxMembers) members")
        }
        guard attributes.utf8.count <= SCIMUserRecord.maxAttributeBytes else {
            throw .invalidValue("the resource is larger than \(SCIMUserRecord.maxAttributeBytes) bytes")
        }
    }
}
