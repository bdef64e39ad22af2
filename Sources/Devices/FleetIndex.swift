import Foundation
import Store

/// Keeps the fleet view's secondary indexes in step with devices and activations, inside
/// the write transaction that changed them, so `GET /api/devices/fleet` never scans every
/// device. Every write of a `Device` or a `LicenseActivation` goes through here.
///
/// Rows of `DeviceTables.fleetIndex`, all under (tenantId, organizationId):
/// - equality facets `(facet, value, deviceId)` → empty: `all` (value ""), `risk`, `os`
///   and the posture booleans (`"true"`/`"false"`);
/// - ordered facets `(facet, uint value, deviceId)` → empty: `last-seen` (epoch seconds)
///   and `patch-age` (days), so a range is one contiguous scan of matching rows;
/// - activation facets `(facet, value, deviceId, activationId)` → empty: `activation`
///   (state), `product` (product key) and `product-activation` (`state:productKey`). A
///   device with two activations in one state has two rows, next to each other;
/// - counters `("#count", facet, value)` → 8-byte big-endian count of devices: `devices`
///   (value ""), `risk` per state, `activation` per state (devices with at least one
///   activation in that state), read in O(1) for the fleet's counts.
///
/// Every row of every facet sorts by deviceId inside its (facet, value) prefix (except the
/// ordered facets), which is what lets the query intersect filters by seeking cursors.
public enum FleetIndex {
    public enum Facet: String, Sendable, CaseIterable {
        case all
        case risk
        case os
        case diskEncrypted
        case firewallEnabled
        case screenLockEnabled
        case edrRunning
        case jailbroken
        case lastSeen = "last-seen"
        case patchAge = "patch-age"
        case activation
        case product
        case productActivation = "product-activation"
    }

    static let countFacet = "#count"

    /// Call after writing `current` (nil: deleted) over `previous` (nil: new).
    public static func deviceChanged(previous: Device?, current: Device?, tables: DeviceTables, in txn: WriteTransaction) throws {
        let old = previous.map(rows(of:)) ?? []
        let new = current.map(rows(of:)) ?? []
        for row in old where !new.contains(row) { try txn.delete(tables.fleetIndex, row) }
        for row in new where !old.contains(row) { try txn.put(tables.fleetIndex, row, EmptyCollection<UInt8>()) }

        let oldCounters = previous.map(counters(of:)) ?? []
        let newCounters = current.map(counters(of:)) ?? []
        for key in oldCounters where !newCounters.contains(key) { try add(-1, to: key, tables: tables, in: txn) }
        for key in newCounters where !oldCounters.contains(key) { try add(1, to: key, tables: tables, in: txn) }
    }

    /// Call after writing `current` over `previous` (nil: new).
    public static func activationChanged(previous: LicenseActivation?, current: LicenseActivation, tables: DeviceTables, in txn: WriteTransaction) throws {
        let old = previous.map(rows(of:)) ?? []
        let new = rows(of: current)
        for row in old where !new.contains(row) {
            try txn.delete(tables.fleetIndex, row.key)
            // The device leaves this state's count when its last activation in it left.
            if row.facet == .activation, try !hasEntries(row.devicePrefix, tables: tables, in: txn) {
                try add(-1, to: counterKey(row.tenantId, row.organizationId, .activation, row.value), tables: tables, in: txn)
            }
        }
        for row in new where !old.contains(row) {
            if row.facet == .activation, try !hasEntries(row.devicePrefix, tables: tables, in: txn) {
                try add(1, to: counterKey(row.tenantId, row.organizationId, .activation, row.value), tables: tables, in: txn)
            }
            try txn.put(tables.fleetIndex, row.key, EmptyCollection<UInt8>())
        }
    }

    // MARK: Keys

    /// The prefix of one equality facet value: rows under it are (deviceId[, activationId]).
    public static func prefix(tenantId: String, organizationId: String, facet: Facet, value: String) -> Key {
        Key(.string(tenantId), .string(organizationId), .string(facet.rawValue), .string(value))
    }

    /// The prefix of one ordered facet: rows under it are (uint value, deviceId).
    public static func orderedPrefix(tenantId: String, organizationId: String, facet: Facet) -> Key {
        Key(.string(tenantId), .string(organizationId), .string(facet.rawValue))
    }

    static func counterKey(_ tenantId: String, _ organizationId: String, _ facet: Facet, _ value: String) -> Key {
        Key(.string(tenantId), .string(organizationId), .string(countFacet), .string(facet.rawValue), .string(value))
    }

    /// The number of the organization's devices counted under (facet, value); facets
    /// counted: `all` (value ""), `risk`, `activation`.
    public static func count(tenantId: String, organizationId: String, facet: Facet, value: String, tables: DeviceTables, in txn: some TransactionReading) throws -> Int {
        let raw = try txn.withValue(tables.fleetIndex, counterKey(tenantId, organizationId, facet, value)) { bytes -> UInt64 in
            bytes.count == 8 ? bytes.reduce(0) { $0 << 8 | UInt64($1) } : 0
        }
        return Int(clamping: raw ?? 0)
    }

    public static func bool(_ value: Bool) -> String { value ? "true" : "false" }

    /// Epoch seconds as the `last-seen` facet keeps them (before 1970 counts as 0).
    public static func seconds(_ date: Date) -> UInt64 { UInt64(max(0, date.timeIntervalSince1970.rounded(.down))) }

    private static func rows(of device: Device) -> Set<Key> {
        let t = device.tenantId, o = device.organizationId, d = device.id
        func equality(_ facet: Facet, _ value: String) -> Key { prefix(tenantId: t, organizationId: o, facet: facet, value: value).appending(.string(d)) }
        func ordered(_ facet: Facet, _ value: UInt64) -> Key { orderedPrefix(tenantId: t, organizationId: o, facet: facet).appending(.uint(value), .string(d)) }
        var rows: Set<Key> = [equality(.all, ""), equality(.risk, device.riskState.rawValue)]
        if let lastSeen = device.lastSeenAt { rows.insert(ordered(.lastSeen, seconds(lastSeen))) }
        if let posture = device.posture {
            rows.insert(equality(.os, posture.os))
            rows.insert(equality(.diskEncrypted, bool(posture.diskEncrypted)))
            rows.insert(equality(.firewallEnabled, bool(posture.firewallEnabled)))
            rows.insert(equality(.screenLockEnabled, bool(posture.screenLockEnabled)))
            rows.insert(equality(.edrRunning, bool(posture.edrRunning)))
            rows.insert(equality(.jailbroken, bool(posture.jailbroken)))
            rows.insert(ordered(.patchAge, UInt64(max(0, posture.patchAgeDays))))
        }
        return rows
    }

    private static func counters(of device: Device) -> Set<Key> {
        [counterKey(device.tenantId, device.organizationId, .all, ""),
         counterKey(device.tenantId, device.organizationId, .risk, device.riskState.rawValue)]
    }

    private struct ActivationRow: Hashable {
        var tenantId: String
        var organizationId: String
        var facet: Facet
        var value: String
        var deviceId: String
        var activationId: String

        var devicePrefix: Key { prefix(tenantId: tenantId, organizationId: organizationId, facet: facet, value: value).appending(.string(deviceId)) }
        var key: Key { devicePrefix.appending(.string(activationId)) }
    }

    private static func rows(of activation: LicenseActivation) -> Set<ActivationRow> {
        func row(_ facet: Facet, _ value: String) -> ActivationRow {
            ActivationRow(
                tenantId: activation.tenantId, organizationId: activation.organizationId, facet: facet, value: value,
                deviceId: activation.deviceId, activationId: activation.id)
        }
        return [
            row(.activation, activation.state.rawValue),
            row(.product, activation.productKey),
            row(.productActivation, productActivationValue(state: activation.state, productKey: activation.productKey)),
        ]
    }

    /// The `product-activation` value: the state first (states have no colon).
    public static func productActivationValue(state: LicenseActivation.State, productKey: String) -> String {
        state.rawValue + ":" + productKey
    }

    private static func hasEntries(_ prefix: Key, tables: DeviceTables, in txn: some TransactionReading) throws -> Bool {
        var found = false
        try txn.scan(tables.fleetIndex, prefix: prefix) { _, _ in
            found = true
            return false
        }
        return found
    }

    private static func add(_ delta: Int64, to key: Key, tables: DeviceTables, in txn: WriteTransaction) throws {
        let current = try txn.withValue(tables.fleetIndex, key) { bytes -> Int64 in
            bytes.count == 8 ? Int64(bitPattern: bytes.reduce(0) { $0 << 8 | UInt64($1) }) : 0
        } ?? 0
        let next = max(0, current + delta)
        if next == 0 {
            try txn.delete(tables.fleetIndex, key)
        } else {
            try txn.put(tables.fleetIndex, key, withUnsafeBytes(of: UInt64(next).bigEndian) { Array($0) })
        }
    }
}
