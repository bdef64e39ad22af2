import Evaluator
import PolicyLang
import Foundation
import Hummingbird
import Identity
import Store

/// `GET /api/organizations/{organizationId}/audit-events`: the append-only audit log,
/// newest first, filtered by actor, action (exact, or a prefix ending in `*`), target,
/// outcome and time range, with an opaque cursor.
///
/// Events are the tenant's (every change of the tenant writes one in its own transaction);
/// an organization's view leaves out events tagged with another organization. Reading it
/// is the built-in policy's call on `AuditLog::"<organizationId>"` (administrators).
struct AuditEventRoutes {
    let organizations: OrganizationRoutes

    var authorizer: ManagementAuthorizer { organizations.authorizer }

    static let maxLimit = 200

    func add(to group: RouterGroup<ArbiterRequestContext>) {
        group.get(":organizationId/audit-events") { request, context in try list(request, context) }
    }

    static func entity(tenantId: String, organizationId: String) -> PolicyEntity {
        PolicyEntity(
            uid: EntityUID(type: "AuditLog", id: organizationId),
            attributes: ["tenant": .entity(ManagementAuthorizer.tenantUID(tenantId))],
            parents: [EntityUID(type: "Organization", id: organizationId)])
    }

    func list(_ request: Request, _ context: ArbiterRequestContext) throws -> Response {
        let caller = try authorizer.caller(context)
        let organization = try organizations.pathOrganization(caller, context)
        try authorizer.authorize(
            caller, .read, Self.entity(tenantId: caller.tenantId, organizationId: organization.id),
            related: [organizations.entity(organization)], logger: context.logger)
        let (query, cursor) = try Self.query(request, tenantId: caller.tenantId, organizationId: organization.id)
        let page = try services.environment.read { try $0.auditEvents(query, cursor: cursor) }
        return try JSONResponse.make(.ok, AuditPageDTO(
            items: page.events.map(AuditEventDTO.init), nextCursor: page.cursor.map { Self.base64url(Data($0)) }))
    }

    var services: ArbiterApplication.Services { organizations.services }

    /// The query parameters, each checked; every mistake is reported at once.
    static func query(_ request: Request, tenantId: String, organizationId: String) throws -> (AuditQuery, [UInt8]?) {
        let parameters = request.uri.queryParameters
        var errors: [FieldError] = []
        var query = AuditQuery(tenantId: tenantId)
        query.organizationId = organizationId
        func text(_ name: String) -> String? {
            guard let value = parameters.get(name) else { return nil }
            if value.isEmpty || value.utf8.count > 200 {
                errors.append(FieldError(field: name, message: "must be 1 to 200 characters"))
                return nil
            }
            return value
        }
        func time(_ name: String) -> Date? {
            guard let value = parameters.get(name) else { return nil }
            guard value.utf8.count <= 40, let date = try? Date(value, strategy: .iso8601) else {
                errors.append(FieldError(field: name, message: "must be an RFC 3339 time such as 2026-11-29T08:00:00Z"))
                return nil
            }
            return date
        }
        query.actor = text("actor")
        query.action = text("action")
        query.target = text("target")
        if let raw = text("outcome") {
            if let outcome = AuditEvent.Outcome(rawValue: raw) {
                query.outcome = outcome
            } else {
                errors.append(FieldError(field: "outcome", message: "must be success, failure or denied"))
            }
        }
        query.since = time("since")
        query.until = time("until")
        if let since = query.since, let until = query.until, until < since {
            errors.append(FieldError(field: "until", message: "must not be before since"))
        }
        if let raw = parameters.get("limit") {
            if let value = Int(raw), (1...maxLimit).contains(value) {
                query.limit = value
            } else {
                errors.append(FieldError(field: "limit", message: "must be a whole number from 1 to \(maxLimit)"))
            }
        }
        var cursor: [UInt8]?
        if let raw = parameters.get("cursor") {
            if raw.utf8.count <= 400, let bytes = decodeBase64url(raw), !bytes.isEmpty {
                cursor = bytes
            } else {
                errors.append(FieldError(field: "cursor", message: "must be the nextCursor of a previous page"))
            }
        }
        guard errors.isEmpty else { throw ProblemError.validation(errors) }
        return (query, cursor)
    }

    static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodeBase64url(_ text: String) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map { Array($0) }
    }
}

struct AuditPageDTO: Encodable {
    var items: [AuditEventDTO]
    var nextCursor: String?
}

struct AuditEventDTO: Encodable {
    var id: String
    var time: Date
    var actor: String
    var action: String
    var target: String
    var outcome: String
    var reason: String?
    var organizationId: String?

    init(_ event: AuditEvent) {
        id = event.id
        time = event.time
        actor = event.actor
        action = event.action
        target = event.target
        outcome = event.outcome.rawValue
        reason = event.reason
        organizationId = event.organizationId
    }
}
