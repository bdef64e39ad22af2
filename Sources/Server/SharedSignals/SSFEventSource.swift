import Devices
import Foundation
import Identity
import Store

/// The audit observer that turns changes into CAEP events (README "Shared Signals"): for
/// every enabled stream of the event's tenant that asked for the event type and has one of
/// the event's subjects added, one SET is queued in the webhook outbox — inside the
/// transaction that writes the audit event, so the change and its signals commit together.
///
/// - `scim.user.deprovision`, `scim.user.delete`, `refresh_token.revoke` → session-revoked
///   for the user: `iss_sub` (tenant issuer, user id) or `email`. A family revoked by a SCIM
///   deprovisioning or deletion is covered by that SCIM event (one SET, not one per family).
/// - `device.posture.report`, `device.risk.update` → device-compliance-change, only when
///   the compliance status actually changes (`SSFCompliance`).
/// - `device.credential.create|rotate|revoke` → credential-change for the device.
/// A paused stream holds its SETs until it is enabled again; a disabled one gets none.
/// Device subjects: `complex` {device: opaque device id}, or that `opaque` id alone.
struct SSFEventSource: Sendable {
    let tables: SSFTables
    let webhooks: WebhookTables
    let identity: IdentityTables
    let oauth: OAuthTables
    let devices: DeviceTables
    let naming: IssuerNaming

    static let observerName = "ssf"
    static let actions: Set<String> = [
        "scim.user.deprovision", "scim.user.delete", "refresh_token.revoke", "device.posture.report", "device.risk.update",
        "device.credential.create", "device.credential.rotate", "device.credential.revoke",
    ]
    /// `revokeSignIns` reasons of the SCIM changes that send their own session-revoked.
    static let scimRevocationReasons: Set<String> = ["deprovisioned by SCIM", "deleted by SCIM"]

    func register(on environment: Store.Environment) {
        let source = self
        environment.auditObservers.set(Self.observerName) { txn, event in try source.enqueue(event, in: txn) }
    }

    /// One event for a stream: its type, the subjects it is about (most specific first;
    /// the first one a stream has added becomes `sub_id`) and its members.
    struct Signal {
        var eventType: String
        var candidates: [SSFSubject]
        var event: [String: JSONValue]
    }

    func enqueue(_ event: AuditEvent, in txn: WriteTransaction, now: Date = Date()) throws {
        guard Self.actions.contains(event.action), event.outcome == .success else { return }
        let streams = try txn.ssfStreams(tenantId: event.tenantId, tables: tables).filter { $0.status != .disabled }
        guard !streams.isEmpty,
              let tenant = try txn.getJSON(Tenant.self, identity.tenants, Key(.string(event.tenantId))),
              let mapped = try signal(for: event, issuer: naming.issuer(slug: tenant.slug), in: txn)
        else { return }
        let issuer = naming.issuer(slug: tenant.slug)
        for stream in streams where stream.eventsDelivered.contains(mapped.eventType) {
            guard let subject = try mapped.candidates.first(where: {
                try txn.ssfHasSubject($0, tenantId: stream.tenantId, streamId: stream.id, tables: tables)
            }) else { continue }
            try Self.queue(
                stream: stream, issuer: issuer, subject: subject, eventType: mapped.eventType, event: mapped.event,
                eventId: event.id, now: now, in: txn, webhooks: webhooks, streams: tables)
        }
    }

    /// Queues one SET for `stream` (also used by the verification route); a paused stream
    /// holds it (no outbox row) until it is enabled, up to `SSFTables.maxHeldPerStream`.
    @discardableResult
    static func queue(
        stream: SSFStream, issuer: String, subject: SSFSubject, eventType: String, event: [String: JSONValue], eventId: String,
        now: Date, in txn: WriteTransaction, webhooks: WebhookTables, streams: SSFTables
    ) throws -> WebhookDelivery? {
        var stream = try txn.ssfStream(tenantId: stream.tenantId, id: stream.id, tables: streams) ?? stream
        let hold = stream.status == .paused
        if hold {
            guard (stream.held ?? 0) < SSFTables.maxHeldPerStream else { return nil }
            stream.held = (stream.held ?? 0) + 1
            try txn.putSSFStream(stream, tables: streams)
        }
        let jti = RandomID.make(prefix: "set")
        let claims = SecurityEventToken.claims(
            issuer: issuer, audience: stream.audience, jti: jti, issuedAt: now, subject: subject, eventType: eventType, event: event)
        let micros = WebhookTime.micros(now)
        let delivery = WebhookDelivery(
            id: jti, tenantId: stream.tenantId, organizationId: "", webhookId: stream.id, eventId: eventId, eventType: eventType,
            payload: try SecurityEventToken.encode(claims), status: .pending, attempts: 0, createdMicros: micros,
            nextAttemptMicros: hold ? nil : micros, kind: .set)
        try txn.putDelivery(delivery, tables: webhooks)
        try txn.pruneDeliveries(
            tenantId: stream.tenantId, webhookId: stream.id,
            beforeMicros: micros &- min(micros, UInt64(WebhookOutbox.retention * 1_000_000)), limit: WebhookOutbox.prunePerEvent,
            tables: webhooks)
        return delivery
    }

    // MARK: Mapping

    func signal(for event: AuditEvent, issuer: String, in txn: WriteTransaction) throws -> Signal? {
        let timestamp = JSONValue.integer(Int64(event.time.timeIntervalSince1970))
        switch event.action {
        case "scim.user.deprovision", "scim.user.delete":
            let reason = event.action == "scim.user.delete" ? "deleted by SCIM" : "deprovisioned by SCIM"
            return try sessionRevoked(userId: event.target, issuer: issuer, tenantId: event.tenantId, in: txn, event: [
                "event_timestamp": timestamp, "initiating_entity": .string("admin"), "reason_admin": .object(["en": .string(reason)]),
            ])
        case "refresh_token.revoke":
            if let reason = event.reason, Self.scimRevocationReasons.contains(reason) { return nil }
            guard let family = try txn.getJSON(RefreshTokenFamily.self, oauth.refreshFamilies, Key(.string(event.tenantId), .string(event.target)))
            else { return nil }
            return try sessionRevoked(userId: family.userId, issuer: issuer, tenantId: event.tenantId, in: txn, event: [
                "event_timestamp": timestamp, "initiating_entity": .string("user"),
                "reason_admin": .object(["en": .string(String((event.reason ?? "refresh token revoked by its client").prefix(200)))]),
            ])
        case "device.posture.report", "device.risk.update":
            guard let device = try txn.getJSON(Device.self, devices.devices, Key(.string(event.tenantId), .string(event.target))) else {
                return nil
            }
            let current = SSFCompliance.status(risk: device.riskState, posture: device.posture)
            let previous: SSFCompliance.Status
            if event.action == "device.risk.update" {
                let before = SSFCompliance.previousRisk(reason: event.reason) ?? device.riskState
                previous = SSFCompliance.status(risk: before, posture: device.posture)
            } else {
                previous = SSFCompliance.status(risk: device.riskState, posture: try previousPosture(device, in: txn))
            }
            guard previous != current else { return nil }
            return Signal(eventType: SSFEventTypes.deviceComplianceChange, candidates: Self.deviceSubjects(device.id), event: [
                "event_timestamp": timestamp, "previous_status": .string(previous.rawValue), "current_status": .string(current.rawValue),
                "initiating_entity": .string(event.action == "device.risk.update" ? "admin" : "policy"),
                "reason_admin": .object(["en": .string(String((event.reason ?? "").prefix(200)))]),
            ])
        case "device.credential.create", "device.credential.rotate", "device.credential.revoke":
            guard let credential = try txn.getJSON(
                DeviceCredential.self, devices.credentials, Key(.string(event.tenantId), .string(event.target)))
            else { return nil }
            let change = ["device.credential.create": "create", "device.credential.rotate": "update"][event.action] ?? "revoke"
            var members: [String: JSONValue] = [
                "event_timestamp": timestamp, "change_type": .string(change),
                // CAEP's list has no "device key": an application-held key is "app", a certificate "x509".
                "credential_type": .string(credential.kind == .x509 ? "x509" : "app"),
                "friendly_name": .string("device \(credential.kind.rawValue) credential \(credential.id)"),
                "initiating_entity": .string("admin"),
            ]
            if let certificate = credential.certificate {
                members["x509_issuer"] = .string(String(certificate.issuer.prefix(500)))
                members["x509_serial"] = .string(String(certificate.serialNumber.prefix(200)))
            }
            return Signal(eventType: SSFEventTypes.credentialChange, candidates: Self.deviceSubjects(credential.deviceId), event: members)
        default:
            return nil
        }
    }

    func sessionRevoked(userId: String, issuer: String, tenantId: String, in txn: WriteTransaction, event: [String: JSONValue]) throws -> Signal {
        var candidates: [SSFSubject] = [.issSub(iss: issuer, sub: userId)]
        if let user = try txn.getJSON(User.self, identity.users, Key(.string(tenantId), .string(userId))), !user.email.isEmpty {
            candidates.append(.email(user.email))
        }
        candidates.append(.complex(["user": .issSub(iss: issuer, sub: userId)]))
        return Signal(eventType: SSFEventTypes.sessionRevoked, candidates: candidates, event: event)
    }

    static func deviceSubjects(_ deviceId: String) -> [SSFSubject] {
        [.complex(["device": .opaque(deviceId)]), .opaque(deviceId)]
    }

    /// The facts of the snapshot before the newest one (the one this report just wrote).
    func previousPosture(_ device: Device, in txn: WriteTransaction) throws -> PostureFacts? {
        let rows = try txn.entries(devices.postureSnapshots, prefix: Key(.string(device.tenantId), .string(device.id)))
        guard rows.count >= 2 else { return nil }
        return try StoredJSON.decode(PostureSnapshot.self, from: rows[rows.count - 2].value).facts
    }
}

/// CAEP device compliance as Arbiter derives it: `compliant` when the device has reported a
/// posture with disk encryption, a firewall and a screen lock and no jailbreak, and its risk
/// state is `unknown` or `trusted`; `not-compliant` otherwise (no posture yet included).
enum SSFCompliance {
    enum Status: String {
        case compliant
        case notCompliant = "not-compliant"
    }

    static func status(risk: DeviceRiskState, posture: PostureFacts?) -> Status {
        guard risk == .unknown || risk == .trusted, let posture,
              posture.diskEncrypted, posture.firewallEnabled, posture.screenLockEnabled, !posture.jailbroken
        else { return .notCompliant }
        return .compliant
    }

    /// The state before a `device.risk.update`, from its reason ("trusted → blocked: …").
    static func previousRisk(reason: String?) -> DeviceRiskState? {
        guard let reason, let arrow = reason.range(of: " → ") else { return nil }
        return DeviceRiskState(rawValue: String(reason[..<arrow.lowerBound]))
    }
}
