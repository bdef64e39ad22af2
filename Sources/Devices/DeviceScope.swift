import Store

/// Whose devices a caller may see: always one tenant (the token's), and one organization
/// when the token carries one. Anything outside reads as absent (404), never as forbidden,
/// so a caller cannot learn that another organization's id exists.
public struct DeviceScope: Sendable, Equatable {
    public var tenantId: String
    public var organizationId: String?

    public init(tenantId: String, organizationId: String?) {
        self.tenantId = tenantId
        self.organizationId = organizationId
    }

    func admits(_ organizationId: String) -> Bool { self.organizationId.map { $0 == organizationId } ?? true }

    public func device(_ id: String, tables: DeviceTables, in txn: some TransactionReading) throws -> Device {
        guard let device = try DeviceStore.device(tenantId: tenantId, id: id, tables: tables, in: txn), admits(device.organizationId)
        else { throw DeviceError.unknownDevice(id) }
        return device
    }

    public func activation(_ id: String, tables: DeviceTables, in txn: some TransactionReading) throws -> LicenseActivation {
        guard let activation = try DeviceStore.activation(tenantId: tenantId, id: id, tables: tables, in: txn),
              admits(activation.organizationId)
        else { throw DeviceError.unknownActivation(id) }
        return activation
    }
}
