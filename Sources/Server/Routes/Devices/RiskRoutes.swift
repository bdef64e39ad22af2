import Devices
import Foundation
import Hummingbird
import Identity
import Store

/// `PUT /api/devices/{deviceId}/risk`: an administrator moves a device's risk state along
/// the allowed transitions (`DeviceRiskState.allowedNext`; anything else is a 409 naming
/// the states it may go to), with a reason. The device's graph facts (`riskState`,
/// `trustLevel`) change in the same transaction, so the next check sees them.
struct RiskRoutes {
    let devices: DeviceRoutes
    var services: ArbiterApplication.Services { devices.services }

    func add(to group: RouterGroup<ArbiterRequestContext>) {
        group.put(":deviceId/risk") { request, context in try await setRisk(request, context) }
    }

    func setRisk(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let (caller, scope, device) = try devices.authorizedDevice(context, .update)
        var fields = try await ApplicationsAPI.fields(request, limit: devices.maxBodyBytes)
        let state = fields.optionalEnum("riskState", DeviceRiskState.self)
        let missing = state == nil && fields.errors.isEmpty
        var (reason, errors) = DevicesAPI.finish(&fields)
        if missing { errors.append(FieldError(field: "riskState", message: "is required")) }
        guard errors.isEmpty, let reason, let state else { throw ProblemError.validation(errors) }
        let records = services.deviceRecords
        let updated = try await DevicesAPI.mapping {
            try await services.environment.write { txn in
                try RiskStates.set(scope, deviceId: device.id, to: state, actor: caller.actor, reason: reason, records: records, in: txn)
            }
        }
        return try JSONResponse.make(.ok, DeviceDTO(updated))
    }
}
