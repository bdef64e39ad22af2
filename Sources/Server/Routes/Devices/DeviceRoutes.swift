import Devices
import Foundation
import Hummingbird
import Identity
import Store

/// `/api/devices`: device trust (issue 7). The entry of the family — it registers every
/// Devices route file under one group with bearer authentication.
///
/// Two kinds of caller: device agents (a user token with `arbiter.devices.agent` and an
/// organization: activate, heartbeat, offline lease) and administrators (`arbiter.api`,
/// decided by the built-in management policies on `Device` / `DeviceActivation`). The
/// tenant and organization always come from the token; another tenant's or
/// organization's ids answer 404.
struct DeviceRoutes {
    let services: ArbiterApplication.Services
    let maxBodyBytes: Int

    var authorizer: ManagementAuthorizer { ManagementAuthorizer(services: services) }
    var tables: DeviceTables { services.deviceRecords.tables }
    var activations: Activations { Activations(records: services.deviceRecords, seats: services.deviceSeats) }

    func add(to router: Router<ArbiterRequestContext>) {
        let group = router.group("/api/devices")
            .add(middleware: ManagementAuthentication(bearer: BearerAuthenticator(verifier: services.tokenVerifier)))
        ActivationRoutes(devices: self).add(to: group)
        RiskRoutes(devices: self).add(to: group)
        CredentialRoutes(devices: self).add(to: group); PostureRoutes(devices: self).add(to: group); FleetRoutes(devices: self).add(to: group)
        group.get(":deviceId") { _, context in try readDevice(context) }
    }

    /// The device inside the caller's organization (404 otherwise), authorized for `action`.
    func authorizedDevice(_ context: ArbiterRequestContext, _ action: ManagementAction) throws -> (ManagementCaller, DeviceScope, Device) {
        let caller = try authorizer.caller(context)
        let scope = DevicesAPI.scope(caller, context)
        let id = String((context.parameters.get("deviceId") ?? "").prefix(200))
        let tables = self.tables
        let device = try DevicesAPI.mappingSync { try services.environment.read { try scope.device(id, tables: tables, in: $0) } }
        let (entity, related) = DevicesAPI.deviceEntity(device)
        try authorizer.authorize(caller, action, entity, related: related, logger: context.logger)
        return (caller, scope, device)
    }

    func readDevice(_ context: ArbiterRequestContext) throws -> Response {
        let (_, _, device) = try authorizedDevice(context, .read)
        let store = DeviceStore(environment: services.environment, tables: tables)
        let installations = try store.installations(tenantId: device.tenantId, deviceId: device.id).map {
            DeviceInstallationDTO(id: $0.id, productKey: $0.productKey, createdAt: $0.createdAt, activationId: $0.activationId)
        }
        return try JSONResponse.make(.ok, DeviceDetailDTO(device: DeviceDTO(device), installations: installations))
    }
}
