import Evaluator
import Identity
import PolicyLang
import Store

/// Licensing as entities of a tenant's policy graph, written in the same write transaction
/// as the change that caused them. For every tenant holding a product (its publisher and
/// each tenant that installed it):
/// - `Product::"<productKey>"` {tenant, name}, parent the holding `Tenant` (so the
///   management rule `users-stay-in-their-tenant`, `resource in principal.tenant`, holds
///   for the tenant's own features)
/// - `Feature::"<productKey>/<featureKey>"` {tenant, product, name, roles, seatRequired,
///   entitled, seatPool, actions}, parent the Product. `entitled` is true while the tenant
///   holds an active subscription to the product; `actions` holds the feature's manifest
///   actions as Action entities.
/// - `SeatPool::"<productKey>"` {tenant, product, seats}, parent the Product; `seats` is
///   the active subscription's seat count (0 without one).
/// - `Action::"<productKey>/<action>"` {}, parent `Action::"use"`: an action group, so the
///   built-in rules written for `use` (Policies/licensing.yaml) also decide a check of a
///   manifest action, and `resource.actions.contains(action)` ties it to its feature.
/// - A user holding a seat has the parent `SeatPool::"<productKey>"` (see `syncSeatPools`).
enum LicensingFacts {
    static let useAction = EntityUID(type: "Action", id: "use")

    static func productUID(_ key: String) -> EntityUID { EntityUID(type: "Product", id: key) }
    static func featureUID(_ productKey: String, _ featureKey: String) -> EntityUID {
        EntityUID(type: "Feature", id: "\(productKey)/\(featureKey)")
    }
    static func seatPoolUID(_ productKey: String) -> EntityUID { EntityUID(type: "SeatPool", id: productKey) }
    static func actionUID(_ productKey: String, _ action: String) -> EntityUID {
        EntityUID(type: "Action", id: "\(productKey)/\(action)")
    }

    /// The product's entities as the tenant holding it sees them.
    static func entities(_ product: Product, tenantId: String, subscription: Subscription?) -> [Evaluator.Entity] {
        let tenant = ManagementAuthorizer.tenantUID(tenantId)
        let productUID = productUID(product.key)
        let pool = seatPoolUID(product.key)
        let entitled = subscription?.status == .active
        var result = [
            Evaluator.Entity(
                uid: productUID, attributes: ["tenant": .entity(tenant), "name": .string(product.name)], parents: [tenant]),
            Evaluator.Entity(
                uid: pool,
                attributes: [
                    "tenant": .entity(tenant), "product": .entity(productUID),
                    "seats": .long(entitled ? subscription!.seats : 0),
                ],
                parents: [productUID]),
        ]
        var actions: Set<String> = []
        for feature in product.features {
            actions.formUnion(feature.actions)
            result.append(Evaluator.Entity(
                uid: featureUID(product.key, feature.key),
                attributes: [
                    "tenant": .entity(tenant), "product": .entity(productUID), "name": .string(feature.name),
                    "roles": .set(Set(feature.roles.map(Value.string))), "seatRequired": .bool(feature.seatRequired),
                    "entitled": .bool(entitled), "seatPool": .entity(pool),
                    "actions": .set(Set(feature.actions.map { Value.entity(actionUID(product.key, $0)) })),
                ],
                parents: [productUID]))
        }
        for action in actions.sorted() {
            result.append(Evaluator.Entity(uid: actionUID(product.key, action), parents: [useAction]))
        }
        return result
    }

    /// Every uid a list of features projects to (features and their actions).
    static func featureUIDs(_ productKey: String, _ features: [FeatureDefinition]) -> Set<EntityUID> {
        var uids: Set<EntityUID> = []
        for feature in features {
            uids.insert(featureUID(productKey, feature.key))
            for action in feature.actions { uids.insert(actionUID(productKey, action)) }
        }
        return uids
    }

    // MARK: Writes inside the caller's transaction

    /// Writes the product's entities into the tenant's graph, deleting the features and
    /// actions a previous version had and this one has not.
    static func project(
        _ product: Product, previousFeatures: [FeatureDefinition] = [], tenantId: String, licensing: LicensingStore,
        graph: EntityGraph, in txn: WriteTransaction
    ) throws {
        let subscription = try licensing.activeSubscription(tenantId: tenantId, productKey: product.key, in: txn)
        let current = entities(product, tenantId: tenantId, subscription: subscription)
        let gone = featureUIDs(product.key, previousFeatures).subtracting(current.map(\.uid))
        if !gone.isEmpty {
            try graph.delete(gone.sorted { $0.description < $1.description }, tenant: tenantId, in: txn)
        }
        try graph.upsert(current, tenant: tenantId, in: txn)
    }

    /// Removes every entity of the product from the tenant's graph (an uninstall).
    static func remove(_ product: Product, tenantId: String, graph: EntityGraph, in txn: WriteTransaction) throws {
        let uids = [productUID(product.key), seatPoolUID(product.key)]
            + featureUIDs(product.key, product.features).sorted { $0.description < $1.description }
        try graph.delete(uids, tenant: tenantId, in: txn)
    }

    /// The `SeatPool` parents a user's entity gets from the seats it holds. The shared
    /// function for whoever projects `User` entities: `IdentityFacts` re-projections add
    /// these so a role change never drops a seat.
    static func seatPoolParents(
        tenantId: String, userId: String, licensing: LicensingStore, in txn: some TransactionReading
    ) throws -> [EntityUID] {
        try licensing.seatProductKeys(tenantId: tenantId, userId: userId, in: txn).map(seatPoolUID)
    }

    /// Rewrites only the `SeatPool` parents of the user's entity, as the seat records now
    /// say, leaving its attributes and other parents as the identity projection wrote them.
    /// A user with no entity yet is left alone: the identity projection creates it, with
    /// `seatPoolParents`, and without one no rule could allow the user anything anyway.
    static func syncSeatPools(
        tenantId: String, userId: String, licensing: LicensingStore, graph: EntityGraph, in txn: WriteTransaction
    ) throws {
        let uid = EntityUID(type: "User", id: userId)
        let key = Key(.string(tenantId), .string(uid.type), .string(uid.id))
        guard let attributes = try txn.withValue(graph.tables.entities, key, { record in try AttributeCodec.decodeAll(record) })
        else { return }
        var parents: [EntityUID] = []
        try txn.forEachDuplicate(graph.tables.parents, key) { value in
            let components = try Key(encoded: value).components()
            if components.count == 2, case .string(let type) = components[0], case .string(let id) = components[1],
               type != "SeatPool" {
                parents.append(EntityUID(type: type, id: id))
            }
            return true
        }
        parents += try seatPoolParents(tenantId: tenantId, userId: userId, licensing: licensing, in: txn)
        try graph.upsert([Evaluator.Entity(uid: uid, attributes: attributes, parents: parents)], tenant: tenantId, in: txn)
    }

    /// Moves `ent_ver` of every subject of the tenant — each user and each client — for a
    /// change of the tenant's subscriptions or entitlements. Per subject rather than one
    /// tenant-wide counter so a token's `ent_ver` stays one number read from one record.
    static func bumpTenantEntitlements(
        tenantId: String, identity: IdentityTables, oauth: OAuthTables, in txn: WriteTransaction
    ) throws {
        var subjects: [String] = []
        for table in [identity.users, oauth.clients] {
            try txn.scan(table, prefix: Key(.string(tenantId))) { key, _ in
                if case .string(let id)? = try Key(encoded: key).components().last { subjects.append(id) }
                return true
            }
        }
        for subject in subjects {
            try txn.bumpSubjectVersions(
                tenantId: tenantId, subjectId: subject, permissions: false, entitlements: true, tables: identity)
        }
    }
}
