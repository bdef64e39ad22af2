import Foundation
import Store

/// Licensing and the marketplace: products published from manifests, installations,
/// subscriptions and seat assignments.
///
/// Reads open their own read transaction. Changes are transaction-level functions
/// (`LicensingStore+Changes.swift`) taking the caller's `WriteTransaction`: the Server
/// projects the change into the entity graph, bumps revisions and `ent_ver` and appends
/// the audit event in that same transaction, so nothing is ever half-written.
public struct LicensingStore: Sendable {
    public let environment: Environment
    public let tables: LicensingTables
    public let identity: IdentityTables
    public let oauth: OAuthTables
    /// Seats of a product held outside licensing (device activations, which live in the
    /// Devices module Identity never imports): counted with the users' seats, so the two
    /// together never exceed the subscription.
    public let seatsHeldElsewhere: SeatsHeldElsewhere?

    public typealias SeatsHeldElsewhere = @Sendable (_ tenantId: String, _ productKey: String, _ txn: WriteTransaction) throws -> Int

    public init(
        environment: Environment, tables: LicensingTables, identity: IdentityTables, oauth: OAuthTables,
        seatsHeldElsewhere: SeatsHeldElsewhere? = nil
    ) {
        self.environment = environment
        self.tables = tables
        self.identity = identity
        self.oauth = oauth
        self.seatsHeldElsewhere = seatsHeldElsewhere
    }

    static func bounded(_ id: String) -> Bool { !id.isEmpty && id.utf8.count <= 200 }

    // MARK: Catalog

    public func product(key: String) throws -> Product? {
        guard Self.bounded(key) else { return nil }
        return try environment.read { try product(key: key, in: $0) }
    }

    public func product(key: String, in txn: some TransactionReading) throws -> Product? {
        try txn.getJSON(Product.self, tables.products, Key(.string(key)))
    }

    /// One page of the catalog, in product-key order.
    public func products(after: String?, limit: Int) throws -> Page<Product> {
        let limit = min(max(limit, 1), Page<Product>.maxLimit)
        return try environment.read { txn in
            let rows = try txn.entries(
                tables.products, prefix: Key(), after: after.map { Key(.string($0)) }, limit: limit + 1)
            let items = try rows.prefix(limit).map { try StoredJSON.decode(Product.self, from: $0.value) }
            return Page(items: items, nextAfter: rows.count > limit ? items.last?.key : nil)
        }
    }

    public func productKey(tenantId: String, applicationId: String, in txn: some TransactionReading) throws -> String? {
        try txn.get(tables.applicationProducts, Key(.string(tenantId), .string(applicationId)))
            .map { String(decoding: $0, as: UTF8.self) }
    }

    /// A product's versions, newest first.
    public func manifestVersions(productKey: String, limit: Int) throws -> [ManifestVersion] {
        try environment.read { txn in
            try txn.entries(tables.manifestVersions, prefix: Key(.string(productKey)))
                .reversed().prefix(limit).map { try StoredJSON.decode(ManifestVersion.self, from: $0.value) }
        }
    }

    // MARK: A tenant's holdings

    public func installations(tenantId: String) throws -> [Installation] {
        try environment.read { try installations(tenantId: tenantId, in: $0) }
    }

    public func installations(tenantId: String, in txn: some TransactionReading) throws -> [Installation] {
        try txn.entries(tables.installations, prefix: Key(.string(tenantId)))
            .map { try StoredJSON.decode(Installation.self, from: $0.value) }
    }

    public func installation(tenantId: String, id: String) throws -> Installation? {
        try installations(tenantId: tenantId).first { $0.id == id }
    }

    public func installation(tenantId: String, productKey: String, in txn: some TransactionReading) throws -> Installation? {
        try txn.getJSON(Installation.self, tables.installations, Key(.string(tenantId), .string(productKey)))
    }

    /// Which tenants have the product's entities in their graph: the publisher and every
    /// tenant that installed it.
    public func tenantsHolding(_ product: Product, in txn: some TransactionReading) throws -> [String] {
        var tenants: [String] = [product.tenantId]
        for row in try txn.entries(tables.productInstallations, prefix: Key(.string(product.key))) {
            if case .string(let tenant)? = try row.key.components().last, tenant != product.tenantId { tenants.append(tenant) }
        }
        return tenants
    }

    public func subscriptions(tenantId: String) throws -> [Subscription] {
        try environment.read { try subscriptions(tenantId: tenantId, in: $0) }
    }

    public func subscriptions(tenantId: String, in txn: some TransactionReading) throws -> [Subscription] {
        try txn.entries(tables.subscriptions, prefix: Key(.string(tenantId)))
            .map { try StoredJSON.decode(Subscription.self, from: $0.value) }
    }

    public func subscription(tenantId: String, id: String) throws -> Subscription? {
        guard Self.bounded(id) else { return nil }
        return try environment.read {
            try $0.getJSON(Subscription.self, tables.subscriptions, Key(.string(tenantId), .string(id)))
        }
    }

    /// The tenant's active subscription to a product, if any (at most one exists).
    public func activeSubscription(tenantId: String, productKey: String, in txn: some TransactionReading) throws -> Subscription? {
        try subscriptions(tenantId: tenantId, in: txn).first { $0.productKey == productKey && $0.status == .active }
    }

    public func seatAssignments(tenantId: String) throws -> [SeatAssignment] {
        try environment.read { txn in
            try txn.entries(tables.seatAssignments, prefix: Key(.string(tenantId)))
                .map { try StoredJSON.decode(SeatAssignment.self, from: $0.value) }
        }
    }

    public func seatAssignment(tenantId: String, id: String) throws -> SeatAssignment? {
        guard Self.bounded(id) else { return nil }
        return try environment.read {
            try $0.getJSON(SeatAssignment.self, tables.seatAssignments, Key(.string(tenantId), .string(id)))
        }
    }

    /// How many seats of a product the tenant's users hold.
    public func assignedSeats(tenantId: String, productKey: String, in txn: some TransactionReading) throws -> Int {
        try txn.entries(tables.seatHolders, prefix: Key(.string(tenantId), .string(productKey))).count
    }

    /// The products a user holds a seat of: the `SeatPool::"<productKey>"` parents of its
    /// `User` entity. Whoever re-projects a user (IdentityFacts) adds these.
    public func seatProductKeys(tenantId: String, userId: String, in txn: some TransactionReading) throws -> [String] {
        var keys: [String] = []
        try txn.scan(tables.seatAssignments, prefix: Key(.string(tenantId))) { _, value in
            let seat = try StoredJSON.decode(SeatAssignment.self, from: value)
            if seat.userId == userId { keys.append(seat.productKey) }
            return true
        }
        return keys.sorted()
    }

    /// Features the tenant is entitled to: every feature of each product it holds an
    /// active subscription to.
    public func entitlements(tenantId: String) throws -> [Entitlement] {
        try environment.read { txn in
            var result: [Entitlement] = []
            for subscription in try subscriptions(tenantId: tenantId, in: txn) where subscription.status == .active {
                guard let product = try product(key: subscription.productKey, in: txn) else { continue }
                for feature in product.features {
                    result.append(Entitlement(productKey: product.key, subscriptionId: subscription.id, feature: feature))
                }
            }
            return result
        }
    }
}
