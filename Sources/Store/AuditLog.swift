import Foundation

/// One append-only audit record (DESIGN §7): written in the same write transaction as the
/// change it describes, so the log can never disagree with the data.
public struct AuditEvent: Codable, Sendable, Equatable {
    public enum Outcome: String, Codable, Sendable {
        case success
        case failure
        case denied
    }

    public var id: String
    public var time: Date
    public var tenantId: String
    public var actor: String
    public var action: String
    public var target: String
    public var outcome: Outcome
    public var reason: String?
    /// The organization the change happened in, when it belongs to one (devices,
    /// memberships, …); nil for tenant-wide changes.
    public var organizationId: String?

    public init(
        id: String = RandomID.make(prefix: "evt"),
        time: Date = Date(),
        tenantId: String,
        actor: String,
        action: String,
        target: String,
        outcome: Outcome = .success,
        reason: String? = nil,
        organizationId: String? = nil
    ) {
        self.id = id
        self.time = time
        self.tenantId = tenantId
        self.actor = actor
        self.action = action
        self.target = target
        self.outcome = outcome
        self.reason = reason
        self.organizationId = organizationId
    }

    /// Keyed (tenant, microseconds since epoch, id): one tenant's events are one range, in
    /// time order, and two events in the same microsecond still get distinct keys.
    var key: Key {
        let micros = UInt64(max(0, time.timeIntervalSince1970 * 1_000_000))
        return Key(.string(tenantId), .uint(micros), .string(id))
    }
}

extension WriteTransaction {
    public func appendAudit(_ event: AuditEvent) throws {
        let inserted = try put(environment.audit, event.key, try StoredJSON.encode(event), overwrite: false)
        if !inserted { throw StoreError.duplicateAuditEvent(event.id) }
        try environment.auditObservers.notify(self, event)
    }
}

extension TransactionReading {
    /// The tenant's audit events in time order, after `cursor` if given.
    public func auditEvents(tenant: String, after cursor: Key? = nil, limit: Int = 100) throws -> [AuditEvent] {
        try entries(environment.audit, prefix: Key(.string(tenant)), after: cursor, limit: limit)
            .map { try StoredJSON.decode(AuditEvent.self, from: $0.value) }
    }
}

public enum StoreError: Error, Equatable {
    case duplicateAuditEvent(String)
    case corruptValue(table: String)
}
