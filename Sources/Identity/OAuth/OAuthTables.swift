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
    /// (tenantId, application key) → applicationId (keys are unique within a tenant)
    public let applicationKeys: Table
    /// (tenantId, applicationId, environmentId) → ApplicationEnvironment
    public let environments: Table
    /// (tenantId, SHA-256 hex of the token) → RefreshTokenRecord
    public let refreshTokens: Table
    /// (tenantId, familyId) → RefreshTokenFamily
    public let refreshFamilies: Table
    /// (tenantId, jti) → RevokedAccessToken, kept until the token would have expired
    public let revokedAccessTokens: Table

    /// (tenantId, SHA-256 of the device code) → DeviceAuthorization (RFC 8628)
    public let deviceAuthorizations: Table
    /// SHA-256 of the normalized user code → (tenantId, device-code hash) key bytes; global,
    /// because the `/device` page learns the tenant from the user code
    public let deviceUserCodes: Table
    /// (expiry seconds, tenantId, device-code hash) → empty, to purge old requests in order
    public let deviceExpiries: Table

    public init(environment: Environment) throws {
        signingKeys = try environment.table("oauth.signing_keys")
        applications = try environment.table("identity.applications")
        clients = try environment.table("oauth.clients")
        clientTenants = try environment.table("oauth.client_tenants")
        applicationKeys = try environment.table("identity.application_keys")
        environments = try environment.table("identity.application_environments")
        deviceAuthorizations = try environment.table("oauth.device_authorizations")
        deviceUserCodes = try environment.table("oauth.device_user_codes")
        deviceExpiries = try environment.table("oauth.device_expiries")
        refreshTokens = try environment.table("oauth.refresh_tokens")
        refreshFamilies = try environment.table("oauth.refresh_families")
        revokedAccessTokens = try environment.table("oauth.revoked_access_tokens")
    }
}
