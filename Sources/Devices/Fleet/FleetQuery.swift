import Foundation
import Store

/// What `GET /api/devices/fleet` may filter on. Every filter set is a conjunction; unset
/// ones do not restrict.
public struct FleetFilter: Sendable, Equatable {
    public var riskState: DeviceRiskState?
    /// Devices with at least one activation in this state (of `product`, when set).
    public var activationState: LicenseActivation.State?
    /// Devices with an activation (in any state, unless `activationState` is set) of this product.
    public var product: String?
    /// `lastSeenAt < lastSeenBefore` (devices never seen match neither bound).
    public var lastSeenBefore: Date?
    /// `lastSeenAt >= lastSeenAfter`.
    public var lastSeenAfter: Date?
    public var os: String?
    public var diskEncrypted: Bool?
    public var firewallEnabled: Bool?
    public var screenLockEnabled: Bool?
    public var edrRunning: Bool?
    public var jailbroken: Bool?
    /// `posture.patchAgeDays > patchAgeDaysOver`.
    public var patchAgeDaysOver: Int64?

    public init() {}
}

/// One page of the fleet plus the organization's counts.
public struct FleetPage: Sendable {
    public var devices: [Device]
    /// Pass back as `cursor` for the next page; nil on the last page.
    public var nextCursor: String?
    public var counts: FleetCounts
    public var stats: FleetQueryStats
}

/// Device counts of the whole organization (not of the filter), kept as counters by
/// `FleetIndex`, so they cost a handful of reads whatever the fleet's size.
public struct FleetCounts: Sendable, Equatable {
    public var total: Int
    public var byRiskState: [DeviceRiskState: Int]
    /// Devices with at least one activation in each state (a device may count in several).
    public var byActivationState: [LicenseActivation.State: Int]

    public init(total: Int, byRiskState: [DeviceRiskState: Int], byActivationState: [LicenseActivation.State: Int]) {
        self.total = total
        self.byRiskState = byRiskState
        self.byActivationState = byActivationState
    }
}

/// What a query read, so tests (and operators) can see that a filtered query touched only
/// matching index rows and the devices of its page.
public struct FleetQueryStats: Sendable, Equatable {
    public var indexRowsRead = 0
    public var devicesRead = 0
}

public enum FleetQueryError: Error, Equatable, Sendable {
    case badCursor
    case badFilter(field: String, message: String)
}

/// Answers fleet queries from `FleetIndex` rows: each filter is a stream of device ids in
/// id order (an index prefix, or a range of an ordered facet collected and sorted), and the
/// streams are intersected leapfrog-style — each seeks to the largest id another proposed —
/// so a query reads about as many index rows as the rarest filter matches, plus one device
/// record per device returned.
public struct FleetQuery: Sendable {
    public static let maxLimit = 500
    public static let defaultLimit = 100

    public let tables: DeviceTables

    public init(tables: DeviceTables) { self.tables = tables }

    public func page(
        tenantId: String, organizationId: String, filter: FleetFilter, cursor: String?, limit: Int = defaultLimit,
        in txn: some TransactionReading
    ) throws -> FleetPage {
        let limit = min(max(1, limit), Self.maxLimit)
        let after = try cursor.map(Self.decodeCursor)
        var stats = FleetQueryStats()
        let streams = try makeStreams(tenantId: tenantId, organizationId: organizationId, filter: filter, stats: &stats, in: txn)

        var ids: [String] = []
        var bound: Bound = after.map(Bound.after) ?? .start
        while ids.count <= limit, let id = try nextMatch(streams, from: bound, stats: &stats, in: txn) {
            ids.append(id)
            bound = .after(id)
        }
        var nextCursor: String?
        if ids.count > limit {
            ids.removeLast()
            nextCursor = ids.last.map(Self.encodeCursor)
        }
        var devices: [Device] = []
        for id in ids {
            stats.devicesRead += 1
            guard let device = try txn.getJSON(Device.self, tables.devices, Key(.string(tenantId), .string(id))),
                  device.organizationId == organizationId else { continue }
            devices.append(device)
        }
        return FleetPage(
            devices: devices, nextCursor: nextCursor,
            counts: try counts(tenantId: tenantId, organizationId: organizationId, in: txn), stats: stats)
    }

    public func counts(tenantId: String, organizationId: String, in txn: some TransactionReading) throws -> FleetCounts {
        func count(_ facet: FleetIndex.Facet, _ value: String) throws -> Int {
            try FleetIndex.count(tenantId: tenantId, organizationId: organizationId, facet: facet, value: value, tables: tables, in: txn)
        }
        var byRisk: [DeviceRiskState: Int] = [:]
        for state in DeviceRiskState.allCases { byRisk[state] = try count(.risk, state.rawValue) }
        var byActivation: [LicenseActivation.State: Int] = [:]
        for state in LicenseActivation.State.allCases { byActivation[state] = try count(.activation, state.rawValue) }
        return FleetCounts(total: try count(.all, ""), byRiskState: byRisk, byActivationState: byActivation)
    }

    // MARK: Cursors

    /// Opaque to callers: the last device id of the page, base64url with a version tag.
    static func encodeCursor(_ deviceId: String) -> String {
        Data(("f1:" + deviceId).utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodeCursor(_ cursor: String) throws -> String {
        guard cursor.utf8.count <= 256,
              cursor.utf8.allSatisfy({ $0 == 0x2D || $0 == 0x5F || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) })
        else { throw FleetQueryError.badCursor }
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
              text.hasPrefix("f1:"), text.utf8.count > 3
        else { throw FleetQueryError.badCursor }
        return String(text.dropFirst(3))
    }

    // MARK: Streams

    enum Bound {
        case start
        case atLeast(String)
        case after(String)
    }

    enum Stream {
        /// Rows (deviceId[, …]) under an equality prefix, read by seeking an LMDB cursor.
        case prefix(Key)
        /// Sorted, de-duplicated ids collected from a range of an ordered facet.
        case ids([String])
    }

    private func makeStreams(
        tenantId t: String, organizationId o: String, filter: FleetFilter, stats: inout FleetQueryStats, in txn: some TransactionReading
    ) throws -> [Stream] {
        func equality(_ facet: FleetIndex.Facet, _ value: String) -> Stream {
            .prefix(FleetIndex.prefix(tenantId: t, organizationId: o, facet: facet, value: value))
        }
        var streams: [Stream] = []
        if let risk = filter.riskState { streams.append(equality(.risk, risk.rawValue)) }
        switch (filter.activationState, filter.product) {
        case let (state?, product?):
            streams.append(equality(.productActivation, FleetIndex.productActivationValue(state: state, productKey: product)))
        case let (state?, nil): streams.append(equality(.activation, state.rawValue))
        case let (nil, product?): streams.append(equality(.product, product))
        case (nil, nil): break
        }
        if let os = filter.os { streams.append(equality(.os, os)) }
        if let value = filter.diskEncrypted { streams.append(equality(.diskEncrypted, FleetIndex.bool(value))) }
        if let value = filter.firewallEnabled { streams.append(equality(.firewallEnabled, FleetIndex.bool(value))) }
        if let value = filter.screenLockEnabled { streams.append(equality(.screenLockEnabled, FleetIndex.bool(value))) }
        if let value = filter.edrRunning { streams.append(equality(.edrRunning, FleetIndex.bool(value))) }
        if let value = filter.jailbroken { streams.append(equality(.jailbroken, FleetIndex.bool(value))) }

        if filter.lastSeenBefore != nil || filter.lastSeenAfter != nil {
            let low = filter.lastSeenAfter.map(FleetIndex.seconds) ?? 0
            let high = filter.lastSeenBefore.map { Date in
                // Seconds resolution: `< before` is `< ceil(before)`.
                UInt64(max(0, Date.timeIntervalSince1970.rounded(.up)))
            } ?? UInt64.max
            streams.append(.ids(try range(.lastSeen, t, o, from: low, below: high, stats: &stats, in: txn)))
        }
        if let over = filter.patchAgeDaysOver {
            let low = over < 0 ? 0 : UInt64(over) + 1
            streams.append(.ids(try range(.patchAge, t, o, from: low, below: .max, stats: &stats, in: txn)))
        }
        if streams.isEmpty { streams.append(equality(.all, "")) }
        return streams
    }

    /// Device ids whose ordered facet value lies in [low, high), sorted by id.
    private func range(
        _ facet: FleetIndex.Facet, _ t: String, _ o: String, from low: UInt64, below high: UInt64,
        stats: inout FleetQueryStats, in txn: some TransactionReading
    ) throws -> [String] {
        guard low < high else { return [] }
        let prefix = FleetIndex.orderedPrefix(tenantId: t, organizationId: o, facet: facet)
        let start = prefix.appending(.uint(low))
        let end = high == .max ? prefix.prefixUpperBound() : prefix.appending(.uint(high))
        var ids: [String] = []
        var rows = 0
        // A uint component is its tag and 8 bytes; the device id follows.
        let idOffset = prefix.bytes.count + 9
        try txn.scan(tables.fleetIndex, from: start, to: end) { key, _ in
            rows += 1
            if let (id, _) = Key.decodeString(key, at: idOffset) { ids.append(id) }
            return true
        }
        stats.indexRowsRead += rows
        ids.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return ids
    }

    /// The smallest id ≥ `bound` in the stream, or nil when it has none.
    private func seek(_ stream: Stream, _ bound: Bound, stats: inout FleetQueryStats, in txn: some TransactionReading) throws -> String? {
        switch stream {
        case .prefix(let prefix):
            let from: Key?
            switch bound {
            case .start: from = prefix
            case .atLeast(let id): from = prefix.appending(.string(id))
            case .after(let id): from = prefix.appending(.string(id)).prefixUpperBound()
            }
            guard let from else { return nil }
            var found: String?
            try txn.scan(tables.fleetIndex, from: from, to: prefix.prefixUpperBound()) { key, _ in
                found = Key.decodeString(key, at: prefix.bytes.count)?.0
                return false
            }
            if found != nil { stats.indexRowsRead += 1 }
            return found
        case .ids(let ids):
            var low = 0, high = ids.count
            while low < high {
                let mid = (low + high) / 2
                let below: Bool
                switch bound {
                case .start: below = false
                case .atLeast(let id): below = ids[mid].utf8.lexicographicallyPrecedes(id.utf8)
                case .after(let id): below = !id.utf8.lexicographicallyPrecedes(ids[mid].utf8)
                }
                if below { low = mid + 1 } else { high = mid }
            }
            return low < ids.count ? ids[low] : nil
        }
    }

    /// Leapfrog intersection: the smallest id ≥ `bound` that every stream holds.
    private func nextMatch(_ streams: [Stream], from bound: Bound, stats: inout FleetQueryStats, in txn: some TransactionReading) throws -> String? {
        guard !streams.isEmpty else { return nil }
        guard var candidate = try seek(streams[0], bound, stats: &stats, in: txn) else { return nil }
        var agreeing = 1
        var index = 1 % streams.count
        while agreeing < streams.count {
            guard let next = try seek(streams[index], .atLeast(candidate), stats: &stats, in: txn) else { return nil }
            if next == candidate {
                agreeing += 1
            } else {
                candidate = next
                agreeing = 1
            }
            index = (index + 1) % streams.count
        }
        return candidate
    }
}
