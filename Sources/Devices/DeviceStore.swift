import Foundation
import Store

/// Reads of device-trust records. Every lookup is inside one tenant (keys start with the
/// tenant id); organization-scoped callers also compare `organizationId`, so another
/// tenant's or organization's id reads as absent.
public struct DeviceStore: Sendable {
    public let environment: Environment
    public let tables: DeviceTables

    public init(environment: Environment, tables: DeviceTables) {
        self.environment = environment
        self.tables = tables
    }

    public func device(tenantId: String, id: String) throws -> Device? {
        try environment.read { try Self.device(tenantId: tenantId, id: id, tables: tables, in: $0) }
    }

    public func activation(tenantId: String, id: String) throws -> LicenseActivation? {
        try environment.read { try Self.activation(tenantId: tenantId, id: id, tables: tables, in: $0) }
    }

    public func installation(tenantId: String, id: String) throws -> DeviceInstallation? {
        try environment.read { try $0.getJSON(DeviceInstallation.self, tables.installations, Key(.string(tenantId), .string(id))) }
    }

    /// The device's installations, in product-key order.
    public func installations(tenantId: String, deviceId: String) throws -> [DeviceInstallation] {
        try environment.read { txn in
            try txn.entries(tables.deviceInstallations, prefix: Key(.string(tenantId), .string(deviceId)), limit: 1000)
                .compactMap { entry -> DeviceInstallation? in
                    let id = String(decoding: entry.value, as: UTF8.self)
                    return try txn.getJSON(DeviceInstallation.self, tables.installations, Key(.string(tenantId), .string(id)))
                }
        }
    }

    /// Seats of the product held by activations (pending or active).
    public func usedSeats(tenantId: String, productKey: String) throws -> Int {
        try environment.read { try Self.usedSeats(tenantId: tenantId, productKey: productKey, tables: tables, in: $0) }
    }

    /// The active credential registered under (kind, thumbprint).
    public func credential(tenantId: String, kind: DeviceCredential.Kind, thumbprint: String) throws -> DeviceCredential? {
        try environment.read { txn in
            guard let id = try txn.get(tables.credentialThumbprints, Key(.string(tenantId), .string(kind.rawValue), .string(thumbprint))) else { return nil }
            return try txn.getJSON(
                DeviceCredential.self, tables.credentials, Key(.string(tenantId), .string(String(decoding: id, as: UTF8.self))))
        }
    }

    // MARK: Inside a caller's transaction

    public static func device(tenantId: String, id: String, tables: DeviceTables, in txn: some TransactionReading) throws -> Device? {
        try txn.getJSON(Device.self, tables.devices, Key(.string(tenantId), .string(id)))
    }

    public static func activation(tenantId: String, id: String, tables: DeviceTables, in txn: some TransactionReading) throws -> LicenseActivation? {
        try txn.getJSON(LicenseActivation.self, tables.activations, Key(.string(tenantId), .string(id)))
    }

    public static func usedSeats(tenantId: String, productKey: String, tables: DeviceTables, in txn: some TransactionReading) throws -> Int {
        var count = 0
        try txn.scan(tables.seatHolders, prefix: Key(.string(tenantId), .string(productKey))) { _, _ in
            count += 1
            return true
        }
        return count
    }

    /// Product keys with an `active` activation on the device (the graph's `activeProducts`).
    public static func activeProducts(tenantId: String, deviceId: String, tables: DeviceTables, in txn: some TransactionReading) throws -> Set<String> {
        var result: Set<String> = []
        for entry in try txn.entries(tables.deviceInstallations, prefix: Key(.string(tenantId), .string(deviceId))) {
            let installationId = String(decoding: entry.value, as: UTF8.self)
            guard let installation = try txn.getJSON(
                DeviceInstallation.self, tables.installations, Key(.string(tenantId), .string(installationId))),
                let activationId = installation.activationId,
                let activation = try activation(tenantId: tenantId, id: activationId, tables: tables, in: txn),
                activation.state == .active
            else { continue }
            result.insert(installation.productKey)
        }
        return result
    }
}
