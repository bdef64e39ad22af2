import Foundation
import HTTPTypes
import Hummingbird
import Identity
import Store

/// `/api/licensing/seat-assignments` and `/{seatAssignmentId}`: a member (user) of the
/// tenant holding a seat of a product through its active subscription. Beyond the seat
/// count, or a second seat of the same product for the same user, is a 409. Each change
/// rewrites the user's `SeatPool` parents and moves that user's `ent_ver`.
struct SeatAssignmentRoutes {
    let licensing: LicensingRoutes
    var services: ArbiterApplication.Services { licensing.services }
    var authorizer: ManagementAuthorizer { licensing.authorizer }

    func add(to group: RouterGroup<ArbiterRequestContext>) {
        group.post("seat-assignments") { request, context in try await assign(request, context) }
        group.get("seat-assignments") { _, context in try list(context) }
        group.delete("seat-assignments/:seatAssignmentId") { _, context in try await release(context) }
    }

    static func entity(_ tenantId: String, _ id: String) -> PolicyEntity {
        LicensingAPI.entity("SeatAssignment", tenantId: tenantId, id: id)
    }

    /// The user's graph entity and `ent_ver` after its seats changed.
    static func seatsChanged(tenantId: String, userId: String, services: ArbiterApplication.Services, in txn: WriteTransaction) throws {
        try LicensingFacts.syncSeatPools(
            tenantId: tenantId, userId: userId, licensing: services.licensing, graph: services.graph, in: txn)
        try txn.bumpRevision(tenant: tenantId)
        try txn.bumpSubjectVersions(
            tenantId: tenantId, subjectId: userId, permissions: false, entitlements: true, tables: services.identityTables)
    }

    func assign(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        try authorizer.authorize(caller, .create, Self.entity(caller.tenantId, ManagementAuthorizer.newObjectID), logger: context.logger)
        var fields = try await ApplicationsAPI.fields(request, limit: licensing.maxBodyBytes)
        let subscriptionId = fields.string("subscriptionId")
        let userId = fields.string("userId")
        let errors = fields.finish()
        guard errors.isEmpty, let subscriptionId, let userId else { throw ProblemError.validation(errors) }
        let services = self.services
        let seat = try await LicensingAPI.mapping {
            try await services.environment.write { txn in
                let seat = try services.licensing.assignSeat(
                    tenantId: caller.tenantId, subscriptionId: subscriptionId, userId: userId, actor: caller.actor, in: txn)
                try Self.seatsChanged(tenantId: caller.tenantId, userId: userId, services: services, in: txn)
                return seat
            }
        }
        return try JSONResponse.make(
            .created, SeatAssignmentDTO(seat), headers: [.location: "/api/licensing/seat-assignments/\(seat.id)"])
    }

    func list(_ context: ArbiterRequestContext) throws -> Response {
        let caller = try authorizer.caller(context)
        try authorizer.authorize(caller, .read, ManagementAuthorizer.tenant(caller), logger: context.logger)
        let visible = try services.licensing.seatAssignments(tenantId: caller.tenantId)
            .filter { authorizer.allows(caller, .read, Self.entity(caller.tenantId, $0.id)) }
        return try JSONResponse.make(.ok, PageDTO(items: visible.map(SeatAssignmentDTO.init), nextAfter: nil))
    }

    func release(_ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        let id = context.parameters.get("seatAssignmentId") ?? ""
        guard try services.licensing.seatAssignment(tenantId: caller.tenantId, id: id) != nil else {
            throw ProblemError.notFound("no seat assignment '\(id.prefix(100))' in your tenant")
        }
        try authorizer.authorize(caller, .delete, Self.entity(caller.tenantId, id), logger: context.logger)
        let services = self.services
        try await LicensingAPI.mapping {
            try await services.environment.write { txn in
                let seat = try services.licensing.releaseSeat(tenantId: caller.tenantId, id: id, actor: caller.actor, in: txn)
                try Self.seatsChanged(tenantId: caller.tenantId, userId: seat.userId, services: services, in: txn)
            }
        }
        return Response(status: .noContent)
    }
}

struct SeatAssignmentDTO: Encodable {
    var id: String
    var productKey: String
    var subscriptionId: String
    var userId: String
    var createdAt: Date

    init(_ seat: SeatAssignment) {
        id = seat.id
        productKey = seat.productKey
        subscriptionId = seat.subscriptionId
        userId = seat.userId
        createdAt = seat.createdAt
    }
}
