import Devices
import Evaluator
import PolicyLang
import Store

/// Devices as entities of the tenant's policy graph, written by `DeviceRecords` inside the
/// transaction that changed them (its graph hook):
/// `Device::"<deviceId>"` {tenant, organization, riskState, trustLevel, activeProducts},
/// parent `Organization::"<organizationId>"` — so a rule can say
/// `context.device.trustLevel >= 2` or `resource in Organization::"…"` of a device.
enum DeviceFacts {
    static func uid(_ deviceId: String) -> EntityUID { EntityUID(type: "Device", id: deviceId) }

    static func entity(_ facts: DeviceGraphFacts) -> Evaluator.Entity {
        let device = facts.device
        let organization = EntityUID(type: "Organization", id: device.organizationId)
        return Evaluator.Entity(
            uid: uid(device.id),
            attributes: [
                "tenant": .entity(ManagementAuthorizer.tenantUID(device.tenantId)), "organization": .entity(organization),
                "riskState": .string(device.riskState.rawValue), "trustLevel": .long(Int64(device.riskState.trustLevel)),
                "activeProducts": .set(Set(facts.activeProducts.map(Value.string))),
            ],
            parents: [organization])
    }

    /// The hook `DeviceRecords` calls.
    static func hook(graph: EntityGraph) -> DeviceRecords.GraphHook {
        { facts, txn in try graph.upsert([entity(facts)], tenant: facts.device.tenantId, in: txn) }
    }
}
