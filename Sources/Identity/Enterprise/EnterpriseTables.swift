import Store

/// The LMDB tables of enterprise connections. Connections are keyed by tenant first like
/// every Identity table; the one global table maps a connection id to its tenant, because a
/// SCIM request names only the connection in its path.
public struct EnterpriseTables: Sendable {
    /// (tenantId, connectionId) → EnterpriseConnection
    public let connections: Table
    /// connectionId → tenantId bytes
    public let connectionTenants: Table

    public init(environment: Environment) throws {
        connections = try environment.table("enterprise.connections")
        connectionTenants = try environment.table("enterprise.connection_tenants")
    }
}
