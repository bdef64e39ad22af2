import Foundation

/// A newest-first page of one tenant's audit events, filtered (DESIGN §7: the log is
/// append-only; this is its only reader besides tests).
///
/// The time range seeks straight to its keys; the other filters are tested row by row, so
/// one page reads at most `scanLimit` rows. A page that hits that bound comes back short
/// but with a cursor, and the caller pages on: a filter matching nothing can never make a
/// request walk a tenant's whole history at once.
public struct AuditQuery: Sendable {
    public var tenantId: String
    public var actor: String?
    public var action: String?
    public var target: String?
    public var outcome: AuditEvent.Outcome?
    /// Only events of this organization, or of none (tenant-wide events).
    public var organizationId: String?
    public var since: Date?
    public var until: Date?
    public var limit: Int
    public var scanLimit: Int

    public init(tenantId: String, limit: Int = 50, scanLimit: Int = 10_000) {
        self.tenantId = tenantId
        self.limit = limit
        self.scanLimit = scanLimit
    }

    public struct Page: Sendable {
        public var events: [AuditEvent]
        /// Opaque: pass back as `cursor` for the next (older) page; nil at the end.
        public var cursor: [UInt8]?
    }

    func matches(_ event: AuditEvent) -> Bool {
        if let actor, event.actor != actor { return false }
        if let action, !(action.hasSuffix("*") ? event.action.hasPrefix(action.dropLast()) : event.action == action) { return false }
        if let target, event.target != target { return false }
        if let outcome, event.outcome != outcome { return false }
        if let organizationId, let own = event.organizationId, own != organizationId { return false }
        return true
    }

    static func micros(_ date: Date) -> UInt64 { UInt64(max(0, date.timeIntervalSince1970 * 1_000_000)) }
}

extension TransactionReading {
    /// Runs `query`, continuing below `cursor` (a previous page's cursor) when given. A
    /// cursor that is not one of this tenant's keys is ignored rather than trusted.
    public func auditEvents(_ query: AuditQuery, cursor: [UInt8]?) throws -> AuditQuery.Page {
        let tenant = Key(.string(query.tenantId))
        var below: Key? = query.until.map { Key(.string(query.tenantId), .uint(AuditQuery.micros($0) + 1)) }
            ?? tenant.prefixUpperBound()
        if let cursor {
            let key = Key(encoded: cursor)
            if key.hasPrefix(tenant), below.map({ key.bytes.lexicographicallyPrecedes($0.bytes) }) ?? true { below = key }
        }
        let downTo = query.since.map { Key(.string(query.tenantId), .uint(AuditQuery.micros($0))) } ?? tenant
        var events: [AuditEvent] = []
        var scanned = 0
        var last: [UInt8]?
        var exhausted = true
        try scanBackward(environment.audit, below: below, downTo: downTo) { key, value in
            if scanned == query.scanLimit || events.count == query.limit {
                exhausted = false
                return false
            }
            scanned += 1
            last = Array(key)
            let event = try StoredJSON.decode(AuditEvent.self, from: value)
            if query.matches(event) { events.append(event) }
            return true
        }
        return AuditQuery.Page(events: events, cursor: exhausted ? nil : last)
    }
}
