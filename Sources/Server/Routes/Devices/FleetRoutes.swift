import Devices
import Evaluator
import Foundation
import Hummingbird
import Identity
import PolicyLang
import Store

/// `GET /api/devices/fleet`: the organization's devices, filtered, a page at a time, with
/// the organization's counts per risk state and activation state. Served from the fleet
/// indexes (`FleetIndex`, `FleetQuery`), never a scan of every device.
///
/// Query: `riskState`, `activationState`, `product`, `lastSeenBefore`, `lastSeenAfter`
/// (RFC 3339), `os`, `diskEncrypted`, `firewallEnabled`, `screenLockEnabled`, `edrRunning`,
/// `jailbroken` (`true`/`false`), `patchAgeDaysOver`, `limit` (1…500, default 100),
/// `cursor` (the `nextCursor` of the previous page), and `organizationId` (only for a
/// token without an organization; another organization than the token's is 404).
/// Unknown parameters are refused, so a misspelt filter never silently widens a query.
struct FleetRoutes {
    let devices: DeviceRoutes
    var services: ArbiterApplication.Services { devices.services }

    static let parameters: Set<String> = [
        "riskState", "activationState", "product", "lastSeenBefore", "lastSeenAfter", "os", "diskEncrypted", "firewallEnabled",
        "screenLockEnabled", "edrRunning", "jailbroken", "patchAgeDaysOver", "limit", "cursor", "organizationId",
    ]

    func add(to group: RouterGroup<ArbiterRequestContext>) {
        group.get("fleet") { request, context in try fleet(request, context) }
    }

    func fleet(_ request: Request, _ context: ArbiterRequestContext) throws -> Response {
        let caller = try devices.authorizer.caller(context)
        let (filter, limit, cursor, requestedOrganization) = try Self.read(request)
        let tokenOrganization = context.accessToken?.claims.organization_id
        let organizationId: String
        switch (tokenOrganization, requestedOrganization) {
        case let (mine?, asked?) where mine != asked:
            throw ProblemError.notFound("no organization '\(asked.prefix(100))' in your reach")
        case let (mine?, _):
            organizationId = mine
        case let (nil, asked?):
            let tables = services.membershipTables
            guard try services.environment.read({ try $0.organization(tenantId: caller.tenantId, id: asked, tables: tables) }) != nil else {
                throw ProblemError.notFound("no organization '\(asked.prefix(100))' in your tenant")
            }
            organizationId = asked
        case (nil, nil):
            throw ProblemError.validation([FieldError(field: "organizationId", message: "is required for a token without an organization")])
        }
        let organization = ManagementAuthorizer.organization(tenantId: caller.tenantId, id: organizationId)
        let fleetEntity = PolicyEntity(
            uid: EntityUID(type: "Device", id: ManagementAuthorizer.newObjectID),
            attributes: ["tenant": .entity(ManagementAuthorizer.tenantUID(caller.tenantId))], parents: [organization.uid])
        try devices.authorizer.authorize(caller, .read, fleetEntity, related: [organization], logger: context.logger)

        let query = FleetQuery(tables: devices.tables)
        let page: FleetPage
        do {
            page = try services.environment.read { txn in
                try query.page(tenantId: caller.tenantId, organizationId: organizationId, filter: filter, cursor: cursor, limit: limit, in: txn)
            }
        } catch FleetQueryError.badCursor {
            throw ProblemError.validation([FieldError(field: "cursor", message: "must be the nextCursor of a previous page")])
        }
        return try JSONResponse.make(
            .ok, FleetDTO(items: page.devices.map(DeviceDTO.init), nextCursor: page.nextCursor, counts: FleetCountsDTO(page.counts)))
    }

    /// Reads and checks every parameter, collecting one error per bad one.
    static func read(_ request: Request) throws -> (FleetFilter, Int, String?, String?) {
        let query = request.uri.queryParameters
        var errors: [FieldError] = []
        var seen: Set<String> = []
        for (key, _) in query {
            let name = String(key)
            if !parameters.contains(name) {
                errors.append(FieldError(field: String(name.prefix(64)), message: "is not a known parameter"))
            } else if !seen.insert(name).inserted {
                errors.append(FieldError(field: name, message: "may be given once"))
            }
        }
        func value(_ name: String) -> String? { query.get(name) }
        func enumeration<E: RawRepresentable & CaseIterable>(_ name: String, _: E.Type) -> E? where E.RawValue == String {
            guard let raw = value(name) else { return nil }
            guard let parsed = E(rawValue: raw) else {
                errors.append(FieldError(field: name, message: "must be one of " + E.allCases.map(\.rawValue).joined(separator: ", ")))
                return nil
            }
            return parsed
        }
        func boolean(_ name: String) -> Bool? {
            switch value(name) {
            case nil: return nil
            case "true": return true
            case "false": return false
            default:
                errors.append(FieldError(field: name, message: "must be true or false"))
                return nil
            }
        }
        func date(_ name: String) -> Date? {
            guard let raw = value(name) else { return nil }
            let plain = ISO8601DateFormatter()
            let fractional = ISO8601DateFormatter()
            fractional.formatOptions.insert(.withFractionalSeconds)
            guard raw.utf8.count <= 40, let parsed = plain.date(from: raw) ?? fractional.date(from: raw) else {
                errors.append(FieldError(field: name, message: "must be an RFC 3339 date-time, e.g. 2026-01-31T12:00:00Z"))
                return nil
            }
            return parsed
        }
        func integer(_ name: String, _ range: ClosedRange<Int>) -> Int? {
            guard let raw = value(name) else { return nil }
            guard raw.utf8.count <= 10, let parsed = Int(raw), range.contains(parsed) else {
                errors.append(FieldError(field: name, message: "must be a whole number from \(range.lowerBound) to \(range.upperBound)"))
                return nil
            }
            return parsed
        }
        func text(_ name: String, max: Int = 200) -> String? {
            guard let raw = value(name) else { return nil }
            guard !raw.isEmpty, raw.utf8.count <= max else {
                errors.append(FieldError(field: name, message: "must be 1 to \(max) characters"))
                return nil
            }
            return raw
        }

        var filter = FleetFilter()
        filter.riskState = enumeration("riskState", DeviceRiskState.self)
        filter.activationState = enumeration("activationState", LicenseActivation.State.self)
        filter.product = text("product")
        filter.lastSeenBefore = date("lastSeenBefore")
        filter.lastSeenAfter = date("lastSeenAfter")
        if let os = value("os") {
            if PostureSchema.operatingSystems.contains(os) {
                filter.os = os
            } else {
                errors.append(FieldError(field: "os", message: "must be one of " + PostureSchema.operatingSystems.joined(separator: ", ")))
            }
        }
        filter.diskEncrypted = boolean("diskEncrypted")
        filter.firewallEnabled = boolean("firewallEnabled")
        filter.screenLockEnabled = boolean("screenLockEnabled")
        filter.edrRunning = boolean("edrRunning")
        filter.jailbroken = boolean("jailbroken")
        filter.patchAgeDaysOver = integer("patchAgeDaysOver", 0...Int(PostureSchema.maxPatchAgeDays)).map(Int64.init)
        let limit = integer("limit", 1...FleetQuery.maxLimit) ?? FleetQuery.defaultLimit
        let cursor = text("cursor", max: 256)
        let organizationId = text("organizationId", max: 100)
        guard errors.isEmpty else { throw ProblemError.validation(errors) }
        return (filter, limit, cursor, organizationId)
    }
}
