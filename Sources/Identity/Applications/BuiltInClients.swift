import Foundation

/// Clients every tenant has without anyone creating them. They are not stored: a tenant's
/// issuer endpoints synthesize them when named, so there is nothing to migrate, rotate or
/// delete, and a tenant cannot change what they may do.
public enum BuiltInClients {
    /// `arbiter-cli`: the public device-flow client `arbiter login` uses, so an administrator
    /// can get a token on a machine with no browser. Only a tenant's issuer path can name it
    /// (the global endpoints cannot tell which tenant's it would be).
    public static let arbiterCLIId = "arbiter-cli"

    public static let arbiterCLIScopes = [
        OAuthScopes.openid, OAuthScopes.profile, OAuthScopes.email, OAuthScopes.offlineAccess,
        OAuthScopes.tenantContext, OAuthScopes.api,
    ]

    public static func arbiterCLI(tenantId: String) -> OAuthClient {
        OAuthClient(
            clientId: arbiterCLIId, tenantId: tenantId, applicationId: "builtin", name: "Arbiter CLI",
            purpose: .device, status: .active, scopes: arbiterCLIScopes, secrets: [],
            createdAt: Date(timeIntervalSince1970: 0), isPublic: true)
    }

    /// True when `clientId` names a built-in client (stored clients are `cli_…`).
    public static func isBuiltIn(_ clientId: String) -> Bool { clientId == arbiterCLIId }
}
