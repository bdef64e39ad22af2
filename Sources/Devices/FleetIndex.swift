import Store

/// Keeps the fleet view's secondary indexes in step with devices and activations, inside
/// the write transaction that changed them, so `GET /api/devices/fleet` never scans every
/// device. Every write of a `Device` or a `LicenseActivation` goes through here.
public enum FleetIndex {
    /// Call after writing `current` (nil: deleted) over `previous` (nil: new).
    public static func deviceChanged(previous: Device?, current: Device?, tables: DeviceTables, in txn: WriteTransaction) throws {
        // Filled in by the fleet work (issue 7): risk, last seen and posture facets.
    }

    /// Call after writing `current` over `previous` (nil: new).
    public static func activationChanged(previous: LicenseActivation?, current: LicenseActivation, tables: DeviceTables, in txn: WriteTransaction) throws {
        // Filled in by the fleet work (issue 7): activation state and product facets.
    }
}
