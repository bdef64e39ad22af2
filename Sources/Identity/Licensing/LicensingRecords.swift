import Foundation

/// One feature an application declares in its manifest.
///
/// `roles` are the membership roles that may use it (empty: any active member);
/// `seatRequired` features also need a seat of the product; `actions` are the finer
/// verbs a backend checks inside the feature (`export`, `approve`, …).
public struct FeatureDefinition: Codable, Sendable, Equatable {
    public var key: String
    public var name: String
    public var actions: [String]
    public var roles: [String]
    public var seatRequired: Bool

    public init(key: String, name: String, actions: [String], roles: [String] = [], seatRequired: Bool = false) {
        self.key = key
        self.name = name
        self.actions = actions
        self.roles = roles
        self.seatRequired = seatRequired
    }
}

/// A product of the marketplace catalog: an application with `externalConsumption` whose
/// publisher client published a manifest. Holds the newest version's features.
public struct Product: Codable, Sendable, Equatable {
    /// `<publisher tenant slug>.<application key>`, frozen at the first publish so entity
    /// ids (`Feature::"<productKey>/<featureKey>"`) never move under installed tenants.
    public var key: String
    public var tenantId: String
    public var applicationId: String
    public var name: String
    public var version: Int64
    public var label: String?
    public var features: [FeatureDefinition]
    public var publishedAt: Date
}

/// One published version of a manifest, kept so publishers can list their history.
public struct ManifestVersion: Codable, Sendable, Equatable {
    public var productKey: String
    public var applicationId: String
    public var version: Int64
    /// The publisher's own version string (`1.4.0`), if it sent one.
    public var label: String?
    public var features: [FeatureDefinition]
    /// SHA-256 hex of the normalized content (label and features): equal content, equal hash.
    public var contentHash: String
    public var publishedAt: Date
    /// The publisher client.
    public var publishedBy: String
}

/// A product installed into a tenant: its features become entities of the tenant's graph.
public struct Installation: Codable, Sendable, Equatable {
    public var id: String
    public var tenantId: String
    public var productKey: String
    public var createdAt: Date
}

/// A tenant's subscription to an installed product. While `active`, every feature of the
/// product is entitled, and `seats` members may hold a seat of it.
public struct Subscription: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        case active
        case cancelled
    }

    public var id: String
    public var tenantId: String
    public var productKey: String
    public var seats: Int64
    public var status: Status
    public var createdAt: Date
    public var updatedAt: Date
}

/// A seat of a product held by one user of the tenant.
public struct SeatAssignment: Codable, Sendable, Equatable {
    public var id: String
    public var tenantId: String
    public var productKey: String
    public var subscriptionId: String
    public var userId: String
    public var createdAt: Date
}

/// One entitled feature, derived from an active subscription.
public struct Entitlement: Sendable, Equatable {
    public var productKey: String
    public var subscriptionId: String
    public var feature: FeatureDefinition
}
