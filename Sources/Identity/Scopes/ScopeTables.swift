import Store

/// The LMDB tables of resource scopes. Keys start with the tenant id like every Identity
/// table, so nothing of one tenant is ever reached from another's prefix.
public struct ScopeTables: Sendable {
    /// (tenantId, scopeId) → Scope
    public let scopes: Table
    /// (tenantId, path) → scopeId (paths are unique per tenant)
    public let paths: Table
    /// (tenantId, organizationId, scopeId) → empty: an organization's scopes, for listing
    public let byOrganization: Table
    /// (tenantId, parentId, childId) → empty: whether a scope still has children
    public let children: Table
    /// (tenantId, scopeId, memberId) → MemberGrants
    public let grants: Table

    public init(environment: Environment) throws {
        scopes = try environment.table("scopes.scopes")
        paths = try environment.table("scopes.paths")
        byOrganization = try environment.table("scopes.by_organization")
        children = try environment.table("scopes.children")
        grants = try environment.table("scopes.grants")
    }
}
