import Store

/// The LMDB tables of licensing and the marketplace. Products are global (the catalog is
/// shared by every tenant); everything a tenant holds — installations, subscriptions, seat
/// assignments — is keyed by the tenant id first, so one range scan lists one tenant's
/// objects and nothing of another's.
public struct LicensingTables: Sendable {
    /// productKey → Product (the newest published manifest of an external application)
    public let products: Table
    /// (publisher tenantId, applicationId) → productKey bytes (frozen at first publish)
    public let applicationProducts: Table
    /// (productKey, version) → ManifestVersion, every version ever published
    public let manifestVersions: Table
    /// (tenantId, productKey) → Installation
    public let installations: Table
    /// (productKey, tenantId) → installation id: which tenants a republish must reach
    public let productInstallations: Table
    /// (tenantId, subscriptionId) → Subscription
    public let subscriptions: Table
    /// (tenantId, seatAssignmentId) → SeatAssignment
    public let seatAssignments: Table
    /// (tenantId, productKey, userId) → seatAssignmentId: one seat per user and product,
    /// and the count of a product's assigned seats
    public let seatHolders: Table

    public init(environment: Environment) throws {
        products = try environment.table("licensing.products")
        applicationProducts = try environment.table("licensing.application_products")
        manifestVersions = try environment.table("licensing.manifest_versions")
        installations = try environment.table("licensing.installations")
        productInstallations = try environment.table("licensing.product_installations")
        subscriptions = try environment.table("licensing.subscriptions")
        seatAssignments = try environment.table("licensing.seat_assignments")
        seatHolders = try environment.table("licensing.seat_holders")
    }
}
