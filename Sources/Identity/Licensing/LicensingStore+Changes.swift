import Foundation
import Store

/// The outcome of a publish: the product as it is now, the features it had before (to
/// know which entities to delete), and whether anything changed at all.
public struct PublishOutcome: Sendable {
    public var product: Product
    public var previousFeatures: [FeatureDefinition]
    public var changed: Bool
}

extension LicensingStore {
    public static let maxInstallationsPerTenant = 100
    public static let maxSubscriptionsPerTenant = 500
    public static let maxSeats: Int64 = 100_000
    public static let maxVersionsPerProduct = 1_000

    // MARK: Manifests

    /// Publishes `content` as the manifest of the publisher client's application.
    /// Content equal to the newest version's changes nothing (same version, no write);
    /// other content becomes version n+1. A publisher's version label names one content
    /// forever: reusing an older label for new content is refused.
    public func publish(
        _ content: ManifestContent, clientId: String, tenantId: String, tenantSlug: String, applicationId: String,
        now: Date = Date(), in txn: WriteTransaction
    ) throws -> PublishOutcome {
        guard let application = try txn.getJSON(
            Application.self, oauth.applications, Key(.string(tenantId), .string(applicationId))) else {
            throw LicensingError.unknownApplication
        }
        guard application.status == .active else { throw LicensingError.applicationDisabled }
        guard application.externalConsumption else { throw LicensingError.applicationNotExternal }
        let hash = content.contentHash
        let existingKey = try productKey(tenantId: tenantId, applicationId: applicationId, in: txn)
        let key = existingKey ?? "\(tenantSlug).\(application.key)"
        let previous = try product(key: key, in: txn)
        if existingKey == nil, previous != nil { throw LicensingError.productKeyTaken(key) }
        var versions: [ManifestVersion] = []
        if previous != nil {
            versions = try txn.entries(tables.manifestVersions, prefix: Key(.string(key)))
                .map { try StoredJSON.decode(ManifestVersion.self, from: $0.value) }
        }
        if let previous, let newest = versions.last, newest.contentHash == hash, previous.name == application.name {
            return PublishOutcome(product: previous, previousFeatures: previous.features, changed: false)
        }
        if let newest = versions.last, newest.contentHash == hash, let previous {
            // Only the application's name moved: the catalog follows, the version does not.
            var renamed = previous
            renamed.name = application.name
            try txn.putJSON(tables.products, Key(.string(key)), renamed)
            return PublishOutcome(product: renamed, previousFeatures: previous.features, changed: false)
        }
        if let label = content.label, versions.contains(where: { $0.label == label }) {
            throw LicensingError.versionLabelTaken(label)
        }
        guard versions.count < Self.maxVersionsPerProduct else {
            throw LicensingError.limitReached("versions per product", Self.maxVersionsPerProduct)
        }
        let version = (previous?.version ?? 0) + 1
        let record = ManifestVersion(
            productKey: key, applicationId: applicationId, version: version, label: content.label,
            features: content.features, contentHash: hash, publishedAt: now, publishedBy: clientId)
        let product = Product(
            key: key, tenantId: tenantId, applicationId: applicationId, name: application.name, version: version,
            label: content.label, features: content.features, publishedAt: now)
        try txn.putJSON(tables.manifestVersions, Key(.string(key), .uint(UInt64(version))), record)
        try txn.putJSON(tables.products, Key(.string(key)), product)
        try txn.put(tables.applicationProducts, Key(.string(tenantId), .string(applicationId)), Array(key.utf8))
        try txn.appendAudit(AuditEvent(
            time: now, tenantId: tenantId, actor: clientId, action: "manifest.publish", target: key,
            reason: "version \(version)" + (content.label.map { " (\($0))" } ?? "") + ", \(content.features.count) features"))
        return PublishOutcome(product: product, previousFeatures: previous?.features ?? [], changed: true)
    }

    // MARK: Installations

    public func install(tenantId: String, productKey: String, actor: String, now: Date = Date(), in txn: WriteTransaction) throws -> (Installation, Product) {
        guard LicensingStore.bounded(productKey), let product = try product(key: productKey, in: txn) else {
            throw LicensingError.unknownProduct(productKey)
        }
        if try installation(tenantId: tenantId, productKey: productKey, in: txn) != nil {
            throw LicensingError.alreadyInstalled(productKey)
        }
        guard try installations(tenantId: tenantId, in: txn).count < Self.maxInstallationsPerTenant else {
            throw LicensingError.limitReached("installations per tenant", Self.maxInstallationsPerTenant)
        }
        let installation = Installation(id: RandomID.make(prefix: "ins"), tenantId: tenantId, productKey: productKey, createdAt: now)
        try txn.putJSON(tables.installations, Key(.string(tenantId), .string(productKey)), installation)
        try txn.put(tables.productInstallations, Key(.string(productKey), .string(tenantId)), Array(installation.id.utf8))
        try txn.appendAudit(AuditEvent(
            time: now, tenantId: tenantId, actor: actor, action: "installation.create", target: installation.id,
            reason: "product \(productKey)"))
        return (installation, product)
    }

    /// Removes an installation. Refused while the tenant holds an active subscription or
    /// assigned seats of the product: cancel and release those first.
    public func uninstall(tenantId: String, id: String, actor: String, now: Date = Date(), in txn: WriteTransaction) throws -> Installation {
        guard let installation = try installations(tenantId: tenantId, in: txn).first(where: { $0.id == id }) else {
            throw LicensingError.unknownInstallation(id)
        }
        if try activeSubscription(tenantId: tenantId, productKey: installation.productKey, in: txn) != nil
            || assignedSeats(tenantId: tenantId, productKey: installation.productKey, in: txn) > 0 {
            throw LicensingError.installationInUse(installation.productKey)
        }
        try txn.delete(tables.installations, Key(.string(tenantId), .string(installation.productKey)))
        try txn.delete(tables.productInstallations, Key(.string(installation.productKey), .string(tenantId)))
        try txn.appendAudit(AuditEvent(
            time: now, tenantId: tenantId, actor: actor, action: "installation.delete", target: id,
            reason: "product \(installation.productKey)"))
        return installation
    }

    // MARK: Subscriptions

    public func createSubscription(
        tenantId: String, productKey: String, seats: Int64, actor: String, now: Date = Date(), in txn: WriteTransaction
    ) throws -> Subscription {
        guard LicensingStore.bounded(productKey), try product(key: productKey, in: txn) != nil else {
            throw LicensingError.unknownProduct(productKey)
        }
        guard try installation(tenantId: tenantId, productKey: productKey, in: txn) != nil else {
            throw LicensingError.notInstalled(productKey)
        }
        let existing = try subscriptions(tenantId: tenantId, in: txn)
        if existing.contains(where: { $0.productKey == productKey && $0.status == .active }) {
            throw LicensingError.subscriptionExists(productKey)
        }
        guard existing.count < Self.maxSubscriptionsPerTenant else {
            throw LicensingError.limitReached("subscriptions per tenant", Self.maxSubscriptionsPerTenant)
        }
        let subscription = Subscription(
            id: RandomID.make(prefix: "sub"), tenantId: tenantId, productKey: productKey, seats: seats, status: .active,
            createdAt: now, updatedAt: now)
        try txn.putJSON(tables.subscriptions, Key(.string(tenantId), .string(subscription.id)), subscription)
        try txn.appendAudit(AuditEvent(
            time: now, tenantId: tenantId, actor: actor, action: "subscription.create", target: subscription.id,
            reason: "product \(productKey), \(seats) seats"))
        return subscription
    }

    /// Changes the seat count and/or status. Fewer seats than are assigned, or cancelling
    /// while seats are assigned, is refused (release seats first); reactivating needs the
    /// product still installed and no other active subscription to it.
    public func updateSubscription(
        tenantId: String, id: String, seats: Int64?, status: Subscription.Status?, actor: String, now: Date = Date(),
        in txn: WriteTransaction
    ) throws -> (before: Subscription, after: Subscription) {
        let key = Key(.string(tenantId), .string(id))
        guard LicensingStore.bounded(id), let before = try txn.getJSON(Subscription.self, tables.subscriptions, key) else {
            throw LicensingError.unknownSubscription(id)
        }
        var after = before
        if let seats { after.seats = seats }
        if let status { after.status = status }
        let assigned = try assignedSeats(tenantId: tenantId, productKey: before.productKey, in: txn)
        if before.status == .active, assigned > 0, after.status == .cancelled || after.seats < Int64(assigned) {
            throw LicensingError.seatsInUse(assigned: assigned, seats: after.status == .cancelled ? 0 : after.seats)
        }
        if before.status == .cancelled, after.status == .active {
            guard try installation(tenantId: tenantId, productKey: before.productKey, in: txn) != nil else {
                throw LicensingError.notInstalled(before.productKey)
            }
            if try activeSubscription(tenantId: tenantId, productKey: before.productKey, in: txn) != nil {
                throw LicensingError.subscriptionExists(before.productKey)
            }
        }
        after.updatedAt = now
        try txn.putJSON(tables.subscriptions, key, after)
        try txn.appendAudit(AuditEvent(
            time: now, tenantId: tenantId, actor: actor, action: "subscription.update", target: id,
            reason: "seats \(before.seats)→\(after.seats), status \(before.status.rawValue)→\(after.status.rawValue)"))
        return (before, after)
    }

    // MARK: Seats

    public func assignSeat(
        tenantId: String, subscriptionId: String, userId: String, actor: String, now: Date = Date(), in txn: WriteTransaction
    ) throws -> SeatAssignment {
        guard LicensingStore.bounded(subscriptionId), let subscription = try txn.getJSON(
            Subscription.self, tables.subscriptions, Key(.string(tenantId), .string(subscriptionId))) else {
            throw LicensingError.unknownSubscription(subscriptionId)
        }
        guard LicensingStore.bounded(userId), try txn.contains(identity.users, Key(.string(tenantId), .string(userId))) else {
            throw LicensingError.unknownUser(userId)
        }
        guard subscription.status == .active else { throw LicensingError.subscriptionNotActive(subscriptionId) }
        let holderKey = Key(.string(tenantId), .string(subscription.productKey), .string(userId))
        if try txn.contains(tables.seatHolders, holderKey) {
            throw LicensingError.seatAlreadyAssigned(userId: userId, productKey: subscription.productKey)
        }
        // Counted inside the insert's transaction: two concurrent assignments of the last
        // seat serialize on the write lock, and the second sees the first. Device
        // activations of the product hold seats of the same subscription.
        let held = try assignedSeats(tenantId: tenantId, productKey: subscription.productKey, in: txn)
            + (seatsHeldElsewhere?(tenantId, subscription.productKey, txn) ?? 0)
        if Int64(held) >= subscription.seats {
            throw LicensingError.noSeatsLeft(seats: subscription.seats)
        }
        let seat = SeatAssignment(
            id: RandomID.make(prefix: "seat"), tenantId: tenantId, productKey: subscription.productKey,
            subscriptionId: subscriptionId, userId: userId, createdAt: now)
        try txn.putJSON(tables.seatAssignments, Key(.string(tenantId), .string(seat.id)), seat)
        try txn.put(tables.seatHolders, holderKey, Array(seat.id.utf8))
        try txn.appendAudit(AuditEvent(
            time: now, tenantId: tenantId, actor: actor, action: "seat.assign", target: seat.id,
            reason: "user \(userId), product \(subscription.productKey)"))
        return seat
    }

    public func releaseSeat(tenantId: String, id: String, actor: String, now: Date = Date(), in txn: WriteTransaction) throws -> SeatAssignment {
        let key = Key(.string(tenantId), .string(id))
        guard LicensingStore.bounded(id), let seat = try txn.getJSON(SeatAssignment.self, tables.seatAssignments, key) else {
            throw LicensingError.unknownSeatAssignment(id)
        }
        try txn.delete(tables.seatAssignments, key)
        try txn.delete(tables.seatHolders, Key(.string(tenantId), .string(seat.productKey), .string(seat.userId)))
        try txn.appendAudit(AuditEvent(
            time: now, tenantId: tenantId, actor: actor, action: "seat.release", target: id,
            reason: "user \(seat.userId), product \(seat.productKey)"))
        return seat
    }
}
