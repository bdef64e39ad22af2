/// The scopes Arbiter knows (issue 5) and the rules for granting them to clients.
public enum OAuthScopes {
    public static let openid = "openid"
    public static let profile = "profile"
    public static let email = "email"
    public static let offlineAccess = "offline_access"
    public static let tenantContext = "tenant_context"
    public static let api = "arbiter.api"

    /// Narrow capability scopes. They authorize machine roles inside Arbiter itself, so only
    /// an operator (the `arbiter admin` CLI on the data directory) may grant them; a tenant's
    /// own application clients can never be given them through the API.
    public static let reservedCapabilities: Set<String> = [
        "arbiter.runtime.check", "arbiter.manifest.publish", "arbiter.devices.agent", "arbiter.scim.admin", sharedSignals,
    ]
    /// Manages the tenant's Shared Signals streams (SSF 1.0 §8.1): a receiver's client.
    public static let sharedSignals = "arbiter.ssf.manage"

    /// Scopes that describe a signed-in user. A client-credentials token has no user, so
    /// they cannot be granted to clients whose only grant is client credentials.
    public static let userScopes: Set<String> = [openid, profile, email, offlineAccess]

    /// Every scope the server knows, in a stable order.
    public static let all: [String] = [openid, profile, email, offlineAccess, tenantContext, api]
        + reservedCapabilities.sorted()

    /// Scopes a client-credentials client can hold and request (what discovery advertises
    /// while client credentials is the only grant).
    public static let clientCredentialsScopes: [String] = [tenantContext, api] + reservedCapabilities.sorted()

    /// Who is granting scopes to a client.
    public enum Grantor: Sendable, Equatable {
        /// The operator, on the server's own data directory.
        case `operator`
        /// A tenant administrator through the management API.
        case tenant
    }

    /// Every reason `scopes` cannot be granted to a client of `purpose` by `grantor`, as
    /// field errors on `field`.
    public static func grantErrors(_ scopes: [String], purpose: ClientPurpose, grantor: Grantor, field: String = "scopes") -> [FieldError] {
        var errors: [FieldError] = []
        var seen: Set<String> = []
        for scope in scopes {
            if !seen.insert(scope).inserted {
                errors.append(FieldError(field: field, message: "lists '\(scope)' twice"))
            } else if !all.contains(scope) {
                errors.append(FieldError(field: field, message: "'\(scope)' is not a known scope; known scopes: \(all.joined(separator: " "))"))
            } else if reservedCapabilities.contains(scope) && grantor == .tenant {
                errors.append(FieldError(field: field, message: "'\(scope)' is a reserved capability scope; only an operator can grant it"))
            } else if userScopes.contains(scope) && !purpose.hasUsers {
                errors.append(FieldError(field: field, message: "'\(scope)' needs a signed-in user; a \(purpose.rawValue) client gets client-credentials tokens only"))
            }
        }
        if scopes.isEmpty {
            errors.append(FieldError(field: field, message: "must name at least one scope"))
        }
        return errors
    }

    /// Splits a `scope` parameter (RFC 6749 §3.3: space-delimited, each token of the
    /// characters %x21 / %x23-5B / %x5D-7E). Nil when it is malformed.
    public static func parse(_ value: String) -> [String]? {
        let parts = value.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        for part in parts {
            guard part.utf8.allSatisfy({ $0 == 0x21 || (0x23...0x5B).contains($0) || (0x5D...0x7E).contains($0) }) else { return nil }
        }
        return parts
    }
}
