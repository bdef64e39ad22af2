import Foundation
import Hummingbird
import Identity
import Store

/// `GET /api/licensing/entitlements`: what the tenant's active subscriptions entitle it to —
/// every feature of each subscribed product (the same facts the graph's `Feature.entitled`
/// holds) — and each product's seats with how many are assigned.
struct EntitlementRoutes {
    let licensing: LicensingRoutes
    var services: ArbiterApplication.Services { licensing.services }
    var authorizer: ManagementAuthorizer { licensing.authorizer }

    func add(to group: RouterGroup<ArbiterRequestContext>) {
        group.get("entitlements") { _, context in try list(context) }
    }

    func list(_ context: ArbiterRequestContext) throws -> Response {
        let caller = try authorizer.caller(context)
        try authorizer.authorize(caller, .read, ManagementAuthorizer.tenant(caller), logger: context.logger)
        let entitlements = try services.licensing.entitlements(tenantId: caller.tenantId)
        let seats = try services.environment.read { txn in
            try services.licensing.subscriptions(tenantId: caller.tenantId, in: txn).filter { $0.status == .active }.map {
                SeatPoolDTO(
                    productKey: $0.productKey, subscriptionId: $0.id, seats: $0.seats,
                    assigned: try services.licensing.assignedSeats(tenantId: caller.tenantId, productKey: $0.productKey, in: txn))
            }
        }
        return try JSONResponse.make(.ok, EntitlementsDTO(items: entitlements.map(EntitlementDTO.init), seats: seats))
    }
}

struct EntitlementDTO: Encodable {
    /// The graph id: `Feature::"<featureId>"`.
    var featureId: String
    var productKey: String
    var featureKey: String
    var name: String
    var actions: [String]
    var roles: [String]
    var seatRequired: Bool
    var subscriptionId: String

    init(_ entitlement: Entitlement) {
        featureId = "\(entitlement.productKey)/\(entitlement.feature.key)"
        productKey = entitlement.productKey
        featureKey = entitlement.feature.key
        name = entitlement.feature.name
        actions = entitlement.feature.actions
        roles = entitlement.feature.roles
        seatRequired = entitlement.feature.seatRequired
        subscriptionId = entitlement.subscriptionId
    }
}

struct SeatPoolDTO: Encodable {
    var productKey: String
    var subscriptionId: String
    var seats: Int64
    var assigned: Int
}

struct EntitlementsDTO: Encodable {
    var items: [EntitlementDTO]
    var seats: [SeatPoolDTO]
}
