import Foundation
import HTTPTypes
import Hummingbird
import Identity
import Store

/// `/api/licensing/subscriptions` and `/{subscriptionId}`. A subscription to an installed
/// product entitles the tenant to every feature of it while `active`, with `seats` seats.
/// Any change moves `ent_ver` of every user and client of the tenant.
struct SubscriptionRoutes {
    let licensing: LicensingRoutes
    var services: ArbiterApplication.Services { licensing.services }
    var authorizer: ManagementAuthorizer { licensing.authorizer }

    func add(to group: RouterGroup<ArbiterRequestContext>) {
        group.post("subscriptions") { request, context in try await create(request, context) }
        group.get("subscriptions") { _, context in try list(context) }
        group.get("subscriptions/:subscriptionId") { _, context in try get(context) }
        group.patch("subscriptions/:subscriptionId") { request, context in try await update(request, context) }
    }

    static func entity(_ tenantId: String, _ id: String) -> PolicyEntity {
        LicensingAPI.entity("Subscription", tenantId: tenantId, id: id)
    }

    func pathSubscription(_ caller: ManagementCaller, _ context: ArbiterRequestContext) throws -> Subscription {
        let id = context.parameters.get("subscriptionId") ?? ""
        guard let subscription = try services.licensing.subscription(tenantId: caller.tenantId, id: id) else {
            throw ProblemError.notFound("no subscription '\(id.prefix(100))' in your tenant")
        }
        return subscription
    }

    static func seatsError(_ seats: Int64?) -> FieldError? {
        guard let seats, !(0...LicensingStore.maxSeats).contains(seats) else { return nil }
        return FieldError(field: "seats", message: "must be a whole number from 0 to \(LicensingStore.maxSeats)")
    }

    /// The write every subscription change ends with: the product's entities as the
    /// subscription now makes them, the revision, and `ent_ver` of the whole tenant.
    static func project(_ subscription: Subscription, services: ArbiterApplication.Services, in txn: WriteTransaction) throws {
        if let product = try services.licensing.product(key: subscription.productKey, in: txn) {
            try LicensingFacts.project(
                product, tenantId: subscription.tenantId, licensing: services.licensing, graph: services.graph, in: txn)
        }
        try txn.bumpRevision(tenant: subscription.tenantId)
        try LicensingFacts.bumpTenantEntitlements(
            tenantId: subscription.tenantId, identity: services.identityTables, oauth: services.oauthTables, in: txn)
    }

    func create(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        try authorizer.authorize(caller, .create, Self.entity(caller.tenantId, ManagementAuthorizer.newObjectID), logger: context.logger)
        var fields = try await ApplicationsAPI.fields(request, limit: licensing.maxBodyBytes)
        let productKey = fields.string("productKey")
        let seats = fields.optionalInteger("seats")
        var errors = fields.finish()
        if seats == nil, !errors.contains(where: { $0.field == "seats" }) {
            errors.append(FieldError(field: "seats", message: "is required"))
        }
        if let error = Self.seatsError(seats) { errors.append(error) }
        guard errors.isEmpty, let productKey, let seats else { throw ProblemError.validation(errors) }
        let services = self.services
        let subscription = try await LicensingAPI.mapping {
            try await services.environment.write { txn in
                let subscription = try services.licensing.createSubscription(
                    tenantId: caller.tenantId, productKey: productKey, seats: seats, actor: caller.actor, in: txn)
                try Self.project(subscription, services: services, in: txn)
                return subscription
            }
        }
        return try JSONResponse.make(
            .created, SubscriptionDTO(subscription, assigned: 0),
            headers: [.location: "/api/licensing/subscriptions/\(subscription.id)"])
    }

    func list(_ context: ArbiterRequestContext) throws -> Response {
        let caller = try authorizer.caller(context)
        try authorizer.authorize(caller, .read, ManagementAuthorizer.tenant(caller), logger: context.logger)
        let items = try services.environment.read { txn in
            try services.licensing.subscriptions(tenantId: caller.tenantId, in: txn)
                .filter { authorizer.allows(caller, .read, Self.entity(caller.tenantId, $0.id)) }
                .map { SubscriptionDTO($0, assigned: try assigned($0, txn)) }
        }
        return try JSONResponse.make(.ok, PageDTO(items: items, nextAfter: nil))
    }

    func assigned(_ subscription: Subscription, _ txn: some TransactionReading) throws -> Int {
        guard subscription.status == .active else { return 0 }
        return try services.licensing.assignedSeats(tenantId: subscription.tenantId, productKey: subscription.productKey, in: txn)
    }

    func get(_ context: ArbiterRequestContext) throws -> Response {
        let caller = try authorizer.caller(context)
        let subscription = try pathSubscription(caller, context)
        try authorizer.authorize(caller, .read, Self.entity(caller.tenantId, subscription.id), logger: context.logger)
        let count = try services.environment.read { try assigned(subscription, $0) }
        return try JSONResponse.make(.ok, SubscriptionDTO(subscription, assigned: count))
    }

    func update(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        let subscription = try pathSubscription(caller, context)
        try authorizer.authorize(caller, .update, Self.entity(caller.tenantId, subscription.id), logger: context.logger)
        var fields = try await ApplicationsAPI.fields(request, limit: licensing.maxBodyBytes)
        let seats = fields.optionalInteger("seats")
        let status = fields.optionalEnum("status", Subscription.Status.self)
        var errors = fields.finish()
        if let error = Self.seatsError(seats) { errors.append(error) }
        guard errors.isEmpty else { throw ProblemError.validation(errors) }
        try ApplicationsAPI.requireChanges(seats == nil && status == nil)
        let services = self.services
        let (updated, count) = try await LicensingAPI.mapping {
            try await services.environment.write { txn in
                let (_, after) = try services.licensing.updateSubscription(
                    tenantId: caller.tenantId, id: subscription.id, seats: seats, status: status, actor: caller.actor, in: txn)
                try Self.project(after, services: services, in: txn)
                return (after, try assigned(after, txn))
            }
        }
        return try JSONResponse.make(.ok, SubscriptionDTO(updated, assigned: count))
    }
}

struct SubscriptionDTO: Encodable {
    var id: String
    var productKey: String
    var seats: Int64
    var assignedSeats: Int
    var status: String
    var createdAt: Date
    var updatedAt: Date

    init(_ subscription: Subscription, assigned: Int) {
        id = subscription.id
        productKey = subscription.productKey
        seats = subscription.seats
        assignedSeats = assigned
        status = subscription.status.rawValue
        createdAt = subscription.createdAt
        updatedAt = subscription.updatedAt
    }
}
