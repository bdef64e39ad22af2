import Store

/// The tables of memberships and groups: Identity's own tables plus the group tables.
/// Group membership is kept as rows in both directions, so "who is in this group" and
/// "which groups is this membership in" are each one prefix scan.
public struct MembershipTables: Sendable {
    public let identity: IdentityTables
    /// (tenantId, groupId) → MemberGroup
    public let groups: Table
    /// (tenantId, groupId, membershipId) → userId
    public let groupMembers: Table
    /// (tenantId, membershipId, groupId) → empty
    public let membershipGroups: Table

    public init(environment: Environment, identity: IdentityTables) throws {
        self.identity = identity
        groups = try environment.table("identity.groups")
        groupMembers = try environment.table("identity.group_members")
        membershipGroups = try environment.table("identity.membership_groups")
    }
}
