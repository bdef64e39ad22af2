/// What a SCIM request is allowed to touch: one connection of one tenant, and the JIT
/// organization and roles its users get. Built from the authenticated connection, never
/// from a request body.
public struct SCIMConnectionScope: Sendable, Equatable {
    public var tenantId: String
    public var connectionId: String
    /// nil when the connection has no JIT defaults: it can read but not provision.
    public var organizationId: String?
    public var roles: [String]

    public init(tenantId: String, connectionId: String, organizationId: String?, roles: [String]) {
        self.tenantId = tenantId
        self.connectionId = connectionId
        self.organizationId = organizationId
        self.roles = roles
    }

    /// The audit actor of SCIM writes.
    public var actor: String { "scim:\(connectionId)" }
}
