import Devices
import Foundation
import Hummingbird
import Identity
import Store

/// `POST /api/devices/{deviceId}/posture-snapshots`: a posture report in the fixed schema
/// (`PostureSchema`: os, osVersion, patchAgeDays, diskEncrypted, firewallEnabled,
/// screenLockEnabled, edrRunning, jailbroken — every one required, nothing else accepted;
/// unknown keys, wrong types and out-of-range values are 400 field errors). The snapshot is
/// kept and becomes the device's `posture` (what checks see as `context.device.posture`,
/// what the fleet filters on) in one write transaction with its audit event.
///
/// Two callers: an administrator (`arbiter.api`, allowed to update the device), or the
/// device's agent (`arbiter.devices.agent`, a user token of the device's organization).
struct PostureRoutes {
    let devices: DeviceRoutes
    var services: ArbiterApplication.Services { devices.services }

    func add(to group: RouterGroup<ArbiterRequestContext>) {
        group.post(":deviceId/posture-snapshots") { request, context in try await report(request, context) }
    }

    func report(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let scope: DeviceScope, actor: String
        let deviceId = String((context.parameters.get("deviceId") ?? "").prefix(200))
        if let token = context.accessToken, !token.scopes.contains(ManagementAuthorizer.requiredScope), token.scopes.contains(DevicesAPI.agentScope) {
            let agent = try DevicesAPI.agent(context)
            (scope, actor) = (agent.scope, agent.subject)
        } else {
            let (caller, callerScope, _) = try devices.authorizedDevice(context, .update)
            (scope, actor) = (callerScope, caller.actor)
        }
        let object = try await RequestBody.jsonObject(request, limit: min(devices.maxBodyBytes, 16 * 1024))
        let facts: PostureFacts
        switch PostureSchema.validate(object.mapValues(Self.postureValue)) {
        case .success(let valid): facts = valid
        case .failure(let invalid): throw ProblemError.validation(invalid.errors.map { FieldError(field: $0.field, message: $0.message) })
        }
        let snapshots = PostureSnapshots(records: services.deviceRecords)
        let (snapshot, _) = try await DevicesAPI.mapping {
            try await services.environment.write { txn in
                let result = try snapshots.record(facts, scope: scope, deviceId: deviceId, source: "api", reportedBy: actor, in: txn)
                // Checks read posture live (context.device.posture); the revision tells
                // readers asking for "at least" this write that it is visible.
                try txn.bumpRevision(tenant: scope.tenantId)
                return result
            }
        }
        return try JSONResponse.make(.created, PostureSnapshotDTO(snapshot))
    }

    static func postureValue(_ value: JSONValue) -> PostureValue {
        switch value {
        case .string(let string): .string(string)
        case .integer(let integer): .integer(integer)
        case .bool(let bool): .bool(bool)
        case .null: .other("null")
        case .number: .other("number")
        case .array: .other("array")
        case .object: .other("object")
        }
    }
}
