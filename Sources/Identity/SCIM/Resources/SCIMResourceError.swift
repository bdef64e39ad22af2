/// Why a SCIM resource change was refused; the routes answer each with the RFC 7644 §3.12
/// status and `scimType`.
public enum SCIMResourceError: Error, Equatable, Sendable {
    /// No such resource for this connection (404).
    case notFound(String)
    /// A unique attribute is taken (409 `uniqueness`).
    case uniqueness(String)
    /// A value breaks a rule (400 `invalidValue`).
    case invalidValue(String)
    /// The connection has no JIT organization to provision into (409).
    case noJITOrganization
    /// A bound was reached (409): groups per organization, members per group.
    case limit(String)
    /// The change would leave the tenant without an active administrator (409).
    case lastAdministrator
}
