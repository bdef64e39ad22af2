import Foundation
import Store

/// What the policy graph sees of a device after a change (Server projects it as
/// `Device::"<id>"`; Devices does not know the graph).
public struct DeviceGraphFacts: Sendable, Equatable {
    public var device: Device
    /// Products with an `active` activation on the device.
    public var activeProducts: Set<String>

    public init(device: Device, activeProducts: Set<String>) {
        self.device = device
        self.activeProducts = activeProducts
    }
}

/// The single write path of devices, installations, activations and their credentials.
/// Every write of those records goes through here, inside the caller's write transaction,
/// so the indexes (hardware ids, seat holders, key thumbprints, fleet facets), the graph
/// projection and the tenant revision never drift from the records. Audit events are the
/// caller's (it knows actor and reason) and go into the same transaction.
public struct DeviceRecords: Sendable {
    public typealias GraphHook = @Sendable (DeviceGraphFacts, WriteTransaction) throws -> Void

    public let tables: DeviceTables
    let graph: GraphHook?

    public init(tables: DeviceTables, graph: GraphHook? = nil) {
        self.tables = tables
        self.graph = graph
    }

    static func key(_ tenantId: String, _ id: String) -> Key { Key(.string(tenantId), .string(id)) }

    // MARK: Devices

    /// Writes a new device and its hardware-id index entry.
    public func insertDevice(_ device: Device, in txn: WriteTransaction) throws {
        _ = try txn.putJSON(tables.devices, Self.key(device.tenantId, device.id), device)
        try txn.put(
            tables.hardwareIds, Key(.string(device.tenantId), .string(device.organizationId), .string(device.hardwareIdHash)),
            Array(device.id.utf8))
        try FleetIndex.deviceChanged(previous: nil, current: device, tables: tables, in: txn)
        try project(device, in: txn)
    }

    /// Changes a device in place; the graph and the revision move only when what the graph
    /// holds (risk state) changed, so heartbeats and posture do not churn policy caches.
    @discardableResult
    public func updateDevice(
        tenantId: String, id: String, in txn: WriteTransaction, _ change: (inout Device) throws -> Void
    ) throws -> (before: Device, after: Device) {
        guard let before = try DeviceStore.device(tenantId: tenantId, id: id, tables: tables, in: txn) else {
            throw DeviceError.unknownDevice(id)
        }
        var after = before
        try change(&after)
        after.id = before.id
        after.tenantId = before.tenantId
        after.organizationId = before.organizationId
        after.hardwareIdHash = before.hardwareIdHash
        _ = try txn.putJSON(tables.devices, Self.key(tenantId, id), after)
        try FleetIndex.deviceChanged(previous: before, current: after, tables: tables, in: txn)
        if before.riskState != after.riskState { try project(after, in: txn) }
        return (before, after)
    }

    /// The device with this hardware-id hash in the organization.
    public func deviceId(tenantId: String, organizationId: String, hardwareIdHash: String, in txn: some TransactionReading) throws -> String? {
        try txn.get(tables.hardwareIds, Key(.string(tenantId), .string(organizationId), .string(hardwareIdHash)))
            .map { String(decoding: $0, as: UTF8.self) }
    }

    // MARK: Installations

    public func putInstallation(_ installation: DeviceInstallation, in txn: WriteTransaction) throws {
        _ = try txn.putJSON(tables.installations, Self.key(installation.tenantId, installation.id), installation)
        try txn.put(
            tables.deviceInstallations,
            Key(.string(installation.tenantId), .string(installation.deviceId), .string(installation.productKey)),
            Array(installation.id.utf8))
    }

    public func installation(tenantId: String, deviceId: String, productKey: String, in txn: some TransactionReading) throws -> DeviceInstallation? {
        guard let id = try txn.get(tables.deviceInstallations, Key(.string(tenantId), .string(deviceId), .string(productKey))) else { return nil }
        return try txn.getJSON(DeviceInstallation.self, tables.installations, Self.key(tenantId, String(decoding: id, as: UTF8.self)))
    }

    // MARK: Activations

    /// Writes a new activation: the seat-holder row when its state holds a seat, the
    /// installation's pointer to it, the fleet facets and the device's graph facts.
    public func insertActivation(_ activation: LicenseActivation, in txn: WriteTransaction) throws {
        _ = try txn.putJSON(tables.activations, Self.key(activation.tenantId, activation.id), activation)
        try syncSeat(previous: nil, current: activation, in: txn)
        if var installation = try txn.getJSON(
            DeviceInstallation.self, tables.installations, Self.key(activation.tenantId, activation.installationId)) {
            installation.activationId = activation.id
            try putInstallation(installation, in: txn)
        }
        try FleetIndex.activationChanged(previous: nil, current: activation, tables: tables, in: txn)
        if activation.state == .active { try projectDevice(tenantId: activation.tenantId, id: activation.deviceId, in: txn) }
    }

    /// Changes an activation in place (state, lease counter, last heartbeat…), keeping the
    /// seat-holder row and the graph in step with its state.
    @discardableResult
    public func updateActivation(
        tenantId: String, id: String, in txn: WriteTransaction, _ change: (inout LicenseActivation) throws -> Void
    ) throws -> (before: LicenseActivation, after: LicenseActivation) {
        guard let before = try DeviceStore.activation(tenantId: tenantId, id: id, tables: tables, in: txn) else {
            throw DeviceError.unknownActivation(id)
        }
        var after = before
        try change(&after)
        after.id = before.id
        after.tenantId = before.tenantId
        after.organizationId = before.organizationId
        after.deviceId = before.deviceId
        after.installationId = before.installationId
        after.productKey = before.productKey
        _ = try txn.putJSON(tables.activations, Self.key(tenantId, id), after)
        try syncSeat(previous: before, current: after, in: txn)
        try FleetIndex.activationChanged(previous: before, current: after, tables: tables, in: txn)
        if (before.state == .active) != (after.state == .active) {
            try projectDevice(tenantId: tenantId, id: after.deviceId, in: txn)
        }
        return (before, after)
    }

    private func syncSeat(previous: LicenseActivation?, current: LicenseActivation, in txn: WriteTransaction) throws {
        let key = Key(.string(current.tenantId), .string(current.productKey), .string(current.id))
        let held = previous?.state.holdsSeat ?? false
        if current.state.holdsSeat, !held {
            try txn.put(tables.seatHolders, key, [UInt8]())
        } else if !current.state.holdsSeat, held {
            _ = try txn.delete(tables.seatHolders, key)
        }
    }

    // MARK: Credentials

    /// Writes a credential; the thumbprint index holds active credentials only.
    public func putCredential(_ credential: DeviceCredential, in txn: WriteTransaction) throws {
        _ = try txn.putJSON(tables.credentials, Self.key(credential.tenantId, credential.id), credential)
        let index = Key(.string(credential.tenantId), .string(credential.kind.rawValue), .string(credential.thumbprint))
        if credential.status == .active {
            try txn.put(tables.credentialThumbprints, index, Array(credential.id.utf8))
        } else if let holder = try txn.get(tables.credentialThumbprints, index), holder == Array(credential.id.utf8) {
            _ = try txn.delete(tables.credentialThumbprints, index)
        }
    }

    /// The active credential under (kind, thumbprint) in the tenant.
    public func credential(tenantId: String, kind: DeviceCredential.Kind, thumbprint: String, in txn: some TransactionReading) throws -> DeviceCredential? {
        guard let id = try txn.get(tables.credentialThumbprints, Key(.string(tenantId), .string(kind.rawValue), .string(thumbprint))) else { return nil }
        return try txn.getJSON(DeviceCredential.self, tables.credentials, Self.key(tenantId, String(decoding: id, as: UTF8.self)))
    }

    // MARK: Graph

    private func projectDevice(tenantId: String, id: String, in txn: WriteTransaction) throws {
        guard let device = try DeviceStore.device(tenantId: tenantId, id: id, tables: tables, in: txn) else { return }
        try project(device, in: txn)
    }

    private func project(_ device: Device, in txn: WriteTransaction) throws {
        let products = try DeviceStore.activeProducts(tenantId: device.tenantId, deviceId: device.id, tables: tables, in: txn)
        try graph?(DeviceGraphFacts(device: device, activeProducts: products), txn)
        try txn.bumpRevision(tenant: device.tenantId)
    }
}
