import Foundation
import Store

/// Device authorization requests (RFC 8628) in LMDB.
///
/// A record is keyed by (tenant, SHA-256 of the device code), which is what the token
/// endpoint holds once it has authenticated the client. The `/device` page only has the
/// user code, so a global index maps the user code's SHA-256 to that key. Every state
/// change (start, decision, failed password, redemption) is one write transaction with
/// its audit event; polls only move `lastPolledAt` and, on `slow_down`, the interval.
public final class DeviceAuthorizations: Sendable {
    public let environment: Environment
    let tables: OAuthTables
    let identity: IdentityTables

    /// How long the codes are good for (RFC 8628 §3.2 `expires_in`).
    public static let lifetime: TimeInterval = 600
    /// The minimum seconds between polls (`interval`), and what each `slow_down` adds.
    public static let interval = 5
    public static let slowDownStep = 5
    /// Wrong passwords tolerated against one user code before it is locked (denied).
    public static let maxFailedAttempts = 5
    /// How long a finished or expired request is kept, so a late poll still gets
    /// `expired_token` or `invalid_grant` for the right reason, before it is purged.
    public static let retention: TimeInterval = 600
    /// At most this many old requests are purged by one `start`, so no call does unbounded work.
    public static let purgeBatch = 64

    /// Consonants only, no vowels (no words), no easily confused letters (RFC 8628 §6.1):
    /// 20^8 ≈ 2^34.6 codes.
    public static let userCodeAlphabet: [UInt8] = Array("BCDFGHJKLMNPQRSTVWXZ".utf8)
    public static let userCodeLength = 8

    public init(environment: Environment, tables: OAuthTables, identity: IdentityTables) {
        self.environment = environment
        self.tables = tables
        self.identity = identity
    }

    // MARK: User codes

    /// The user code as stored: uppercase, without the dash or spaces. Nil when it cannot be
    /// one of ours (wrong length or a letter outside the alphabet).
    public static func normalize(userCode: String) -> String? {
        guard userCode.utf8.count <= 32 else { return nil }
        let letters = userCode.uppercased().utf8.filter { $0 != UInt8(ascii: "-") && $0 != UInt8(ascii: " ") }
        guard letters.count == userCodeLength, letters.allSatisfy(userCodeAlphabet.contains) else { return nil }
        return String(decoding: letters, as: UTF8.self)
    }

    /// `XXXX-XXXX`, as people read and type it.
    public static func display(_ normalized: String) -> String {
        let half = normalized.index(normalized.startIndex, offsetBy: userCodeLength / 2)
        return normalized[..<half] + "-" + normalized[half...]
    }

    static func makeUserCode() -> String {
        var generator = SystemRandomNumberGenerator()
        let letters = (0..<userCodeLength).map { _ in
            userCodeAlphabet[Int.random(in: 0..<userCodeAlphabet.count, using: &generator)]
        }
        return String(decoding: letters, as: UTF8.self)
    }

    // MARK: Start

    /// A new request for `client` asking for `scopes` (already checked against the client).
    /// Purges a batch of long-expired requests in the same transaction.
    public func start(client: OAuthClient, scopes: [String], now: Date = Date()) async throws -> StartedDeviceAuthorization {
        let deviceCode = ClientSecrets.generate()
        let tables = self.tables
        let tenantId = client.tenantId
        let (record, userCode): (DeviceAuthorization, String) = try await environment.write { txn in
            try Self.purge(txn, tables: tables, now: now)
            // A collision with a live code is possible in principle (2^34.6 codes): draw again.
            var userCode = Self.makeUserCode()
            var attempts = 1
            while try txn.contains(tables.deviceUserCodes, Key(.string(ClientSecrets.hash(userCode)))) {
                guard attempts < 16 else { throw DeviceAuthorizationError.noFreeUserCode }
                userCode = Self.makeUserCode()
                attempts += 1
            }
            let record = DeviceAuthorization(
                id: RandomID.make(prefix: "dva"), tenantId: tenantId, clientId: client.clientId, scopes: scopes,
                deviceCodeHash: ClientSecrets.hash(deviceCode), userCodeHash: ClientSecrets.hash(userCode),
                createdAt: now, expiresAt: now.addingTimeInterval(Self.lifetime), interval: Self.interval,
                lastPolledAt: nil, status: .pending, failedAttempts: 0)
            let key = Key(.string(tenantId), .string(record.deviceCodeHash))
            try txn.putJSON(tables.deviceAuthorizations, key, record)
            try txn.put(tables.deviceUserCodes, Key(.string(record.userCodeHash)), key.bytes)
            try txn.put(tables.deviceExpiries, Self.expiryKey(record), [UInt8]())
            try txn.appendAudit(AuditEvent(
                time: now, tenantId: tenantId, actor: client.clientId, action: "device.authorization.start",
                target: record.id, reason: "scopes \(scopes.joined(separator: " "))"))
            return (record, userCode)
        }
        return StartedDeviceAuthorization(deviceCode: deviceCode, userCode: Self.display(userCode), authorization: record)
    }

    // MARK: The /device page

    /// The request behind a user code while it still waits for a decision; nil when the
    /// code is unknown, expired or already decided.
    public func pending(userCode: String, now: Date = Date()) throws -> DeviceAuthorization? {
        guard let normalized = Self.normalize(userCode: userCode) else { return nil }
        return try environment.read { txn in
            guard let (_, record) = try Self.find(userCodeHash: ClientSecrets.hash(normalized), in: txn, tables: tables),
                  record.status == .pending, !record.isExpired(at: now)
            else { return nil }
            return record
        }
    }

    /// `user` (who just signed in to the request's tenant) approves: a session starts and the
    /// request remembers it, in one transaction.
    public func approve(userCode: String, user: SignedInUser, now: Date = Date()) async throws -> DeviceDecisionOutcome {
        try await decide(userCode: userCode, user: user, approve: true, now: now)
    }

    /// `user` (who just signed in to the request's tenant) denies the request.
    public func deny(userCode: String, user: SignedInUser, now: Date = Date()) async throws -> DeviceDecisionOutcome {
        try await decide(userCode: userCode, user: user, approve: false, now: now)
    }

    func decide(userCode: String, user: SignedInUser, approve: Bool, now: Date) async throws -> DeviceDecisionOutcome {
        guard let normalized = Self.normalize(userCode: userCode) else { return .notPending }
        let tables = self.tables
        let identity = self.identity
        return try await environment.write { txn in
            guard let (key, found) = try Self.find(userCodeHash: ClientSecrets.hash(normalized), in: txn, tables: tables),
                  found.status == .pending, !found.isExpired(at: now), found.tenantId == user.tenant.id
            else { return .notPending }
            var record = found
            record.decidedAt = now
            guard approve else {
                record.status = .denied
                record.deniedReason = "user"
                try txn.putJSON(tables.deviceAuthorizations, key, record)
                try txn.appendAudit(AuditEvent(
                    time: now, tenantId: record.tenantId, actor: user.user.id, action: "device.authorization.deny",
                    target: record.id, outcome: .denied))
                return .denied
            }
            // The same session SessionStore.start makes, written here so that the session and
            // the approval that points at it commit together or not at all.
            let session = SignInSession(
                id: RandomID.make(prefix: "ses"), tenantId: user.tenant.id, userId: user.user.id,
                organizationId: user.membership.organizationId, membershipId: user.membership.id, authTime: now,
                expiresAt: now.addingTimeInterval(SignInSession.maxLifetime))
            try txn.putJSON(identity.sessions, Key(.string(session.tenantId), .string(session.id)), session)
            try txn.appendAudit(AuditEvent(
                time: now, tenantId: session.tenantId, actor: session.userId, action: "session.start", target: session.id,
                reason: "device authorization \(record.id)"))
            record.status = .approved
            record.sessionId = session.id
            try txn.putJSON(tables.deviceAuthorizations, key, record)
            try txn.appendAudit(AuditEvent(
                time: now, tenantId: record.tenantId, actor: user.user.id, action: "device.authorization.approve",
                target: record.id, reason: "session \(session.id)"))
            return .approved(sessionId: session.id)
        }
    }

    /// Counts a wrong user name or password entered against this user code; the last one
    /// allowed locks the code (the device then gets `access_denied`).
    public func recordFailedAttempt(userCode: String, now: Date = Date()) async throws -> DeviceDecisionOutcome {
        guard let normalized = Self.normalize(userCode: userCode) else { return .notPending }
        let tables = self.tables
        return try await environment.write { txn in
            guard let (key, found) = try Self.find(userCodeHash: ClientSecrets.hash(normalized), in: txn, tables: tables),
                  found.status == .pending, !found.isExpired(at: now)
            else { return .notPending }
            var record = found
            record.failedAttempts += 1
            let locked = record.failedAttempts >= Self.maxFailedAttempts
            if locked {
                record.status = .denied
                record.deniedReason = "locked"
                record.decidedAt = now
            }
            try txn.putJSON(tables.deviceAuthorizations, key, record)
            try txn.appendAudit(AuditEvent(
                time: now, tenantId: record.tenantId, actor: "device-page",
                action: locked ? "device.authorization.lock" : "device.authorization.signin",
                target: record.id, outcome: .failure,
                reason: "wrong user name or password (\(record.failedAttempts) of \(Self.maxFailedAttempts))"))
            return .wrongCredentials(locked: locked)
        }
    }

    // MARK: The token endpoint

    /// One poll by `clientId` of `tenantId` with `deviceCode` (RFC 8628 §3.4–3.5). An
    /// approved request is marked redeemed in the same transaction, so it pays out once.
    public func poll(deviceCode: String, clientId: String, tenantId: String, now: Date = Date()) async throws -> DeviceCodePoll {
        guard deviceCode.utf8.count <= 100 else { return .invalid }
        let key = Key(.string(tenantId), .string(ClientSecrets.hash(deviceCode)))
        let tables = self.tables
        return try await environment.write { txn in
            guard var record = try txn.getJSON(DeviceAuthorization.self, tables.deviceAuthorizations, key),
                  record.clientId == clientId, record.status != .redeemed
            else { return .invalid }
            if record.isExpired(at: now) { return .expired }
            switch record.status {
            case .denied, .redeemed:
                return record.status == .denied ? .denied : .invalid
            case .approved:
                record.status = .redeemed
                record.lastPolledAt = now
                try txn.putJSON(tables.deviceAuthorizations, key, record)
                try txn.appendAudit(AuditEvent(
                    time: now, tenantId: record.tenantId, actor: clientId, action: "device.authorization.redeem",
                    target: record.id, reason: record.sessionId.map { "session \($0)" }))
                return .approved(record)
            case .pending:
                let tooSoon = record.lastPolledAt.map { now.timeIntervalSince($0) < Double(record.interval) } ?? false
                record.lastPolledAt = now
                if tooSoon { record.interval += Self.slowDownStep }
                try txn.putJSON(tables.deviceAuthorizations, key, record)
                return tooSoon ? .slowDown(interval: record.interval) : .pending
            }
        }
    }

    // MARK: Purging

    /// Deletes up to `purgeBatch` requests that expired more than `retention` ago; returns how many.
    @discardableResult
    public func purgeExpired(now: Date = Date()) async throws -> Int {
        let tables = self.tables
        return try await environment.write { txn in try Self.purge(txn, tables: tables, now: now) }
    }

    @discardableResult
    static func purge(_ txn: WriteTransaction, tables: OAuthTables, now: Date) throws -> Int {
        let cutoff = UInt64(max(0, now.timeIntervalSince1970 - retention))
        var old: [Key] = []
        try txn.scan(tables.deviceExpiries, to: Key(.uint(cutoff))) { key, _ in
            old.append(Key(encoded: key))
            return old.count < purgeBatch
        }
        for expiry in old {
            let parts = try expiry.components()
            guard parts.count == 3, let tenantId = parts[1].stringValue, let hash = parts[2].stringValue else {
                try txn.delete(tables.deviceExpiries, expiry)
                continue
            }
            let key = Key(.string(tenantId), .string(hash))
            if let record = try txn.getJSON(DeviceAuthorization.self, tables.deviceAuthorizations, key) {
                try txn.delete(tables.deviceUserCodes, Key(.string(record.userCodeHash)))
                try txn.delete(tables.deviceAuthorizations, key)
            }
            try txn.delete(tables.deviceExpiries, expiry)
        }
        return old.count
    }

    static func expiryKey(_ record: DeviceAuthorization) -> Key {
        Key(.uint(UInt64(max(0, record.expiresAt.timeIntervalSince1970.rounded(.up)))),
            .string(record.tenantId), .string(record.deviceCodeHash))
    }

    static func find(
        userCodeHash: String, in txn: some TransactionReading, tables: OAuthTables
    ) throws -> (Key, DeviceAuthorization)? {
        guard let bytes = try txn.get(tables.deviceUserCodes, Key(.string(userCodeHash))) else { return nil }
        let key = Key(encoded: bytes)
        guard let record = try txn.getJSON(DeviceAuthorization.self, tables.deviceAuthorizations, key) else { return nil }
        return (key, record)
    }
}

public enum DeviceAuthorizationError: Error, Equatable {
    /// Sixteen random user codes in a row were taken: the table is absurdly full.
    case noFreeUserCode
}
