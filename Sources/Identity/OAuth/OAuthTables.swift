import Store

/// The LMDB tables of the OAuth/OIDC server. Like every Identity table, keys start with the
/// tenant id, except `clientTenants`, the global index a token endpoint needs to find which
/// tenant a `client_id` belongs to before it knows anything else.
public struct OAuthTables: Sendable {
    /// (tenantId, kid) → SigningKey
    public let signingKeys: Table
    /// (tenantId, applicationId) → Application
    public let applications: Table
    /// (tenantId, clientId) → OAuthClient
    public let clients: Table
    /// clientId → tenantId
    public let clientTenants: Table

    public init(environment: Environment) throws {
        signingKeys = try environment.table("oauth.signing_keys")
        applications = try environment.table("identity.applications")
        clients = try environment.table("oauth.clients")
        clientTenants = try environment.table("oauth.client_tenants")
    }
}
