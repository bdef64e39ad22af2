import Store

/// The LMDB tables of SCIM-provisioned resources. A SCIM user *is* an Arbiter `User` (with a
/// membership in its connection's JIT organization) and a SCIM group *is* a `MemberGroup` of
/// that organization; these tables only hold what SCIM adds (the connection that owns the
/// resource, its externalId, the attributes as the provider sent them, meta) and are keyed by
/// tenant and connection, so one connection's scan never meets another's resources.
public struct SCIMTables: Sendable {
    public let memberships: MembershipTables
    public let oauth: OAuthTables
    /// The connections whose tokens authenticate SCIM requests.
    public let enterprise: EnterpriseTables
    /// (tenantId, connectionId, userId) → SCIMUserRecord
    public let users: Table
    /// (tenantId, connectionId, groupId) → SCIMGroupRecord
    public let groups: Table

    public init(environment: Environment, memberships: MembershipTables, oauth: OAuthTables, enterprise: EnterpriseTables) throws {
        self.memberships = memberships
        self.oauth = oauth
        self.enterprise = enterprise
        users = try environment.table("scim.users")
        groups = try environment.table("scim.groups")
    }

    public var identity: IdentityTables { memberships.identity }
}
