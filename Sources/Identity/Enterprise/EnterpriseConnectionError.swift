/// Why a connection change was refused.
public enum EnterpriseConnectionError: Error, Equatable, Sendable {
    /// Not a connection of this tenant (another tenant's id reads the same: 404).
    case unknownConnection(String)
    /// `jit.organizationId` is not an organization of this tenant (404).
    case unknownOrganization(String)
    case tooManyConnections(Int)
    case invalid([FieldError])
}
