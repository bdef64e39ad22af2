import Store

/// The LMDB tables Identity keeps. Every key starts with the tenant id, so one range scan
/// lists one tenant's objects and nothing of another's.
public struct IdentityTables: Sendable {
    /// tenantId → Tenant
    public let tenants: Table
    /// slug → tenantId (global uniqueness of slugs)
    public let tenantSlugs: Table
    /// (tenantId, organizationId) → Organization
    public let organizations: Table
    /// (tenantId, userId) → User
    public let users: Table
    /// (tenantId, lowercased user name) → userId
    public let userNames: Table
    /// (tenantId, membershipId) → Membership
    public let memberships: Table
    /// (tenantId, sessionId) → SignInSession
    public let sessions: Table
    /// (tenantId, subjectId) → SubjectVersions (`perm_ver`/`ent_ver` of a user or client)
    public let subjectVersions: Table

    public init(environment: Environment) throws {
        tenants = try environment.table("identity.tenants")
        tenantSlugs = try environment.table("identity.tenant_slugs")
        organizations = try environment.table("identity.organizations")
        users = try environment.table("identity.users")
        userNames = try environment.table("identity.user_names")
        memberships = try environment.table("identity.memberships")
        sessions = try environment.table("identity.sessions")
        subjectVersions = try environment.table("identity.subject_versions")
    }
}
