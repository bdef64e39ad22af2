import Foundation
import Store

extension LicenseActivation.State {
    /// The activation state machine. `pending_approval` waits for an administrator (or the
    /// tenant's approval rule); `denied`, `revoked` and `transferred` are final, so a seat
    /// once given up is only ever taken again by a new activation.
    public var allowedNext: Set<LicenseActivation.State> {
        switch self {
        case .pendingApproval: [.active, .denied, .revoked]
        case .active: [.revoked, .transferred]
        case .denied, .revoked, .transferred: []
        }
    }

    public func canMove(to next: LicenseActivation.State) -> Bool { allowedNext.contains(next) }
}

/// What a device agent sends to activate (the tenant, organization and requester come
/// from its token, never from the body).
public struct ActivationRequest: Sendable {
    public var scope: DeviceScope
    public var organizationId: String
    public var requestedBy: String
    public var productKey: String
    /// The raw hardware id; only its salted hash is kept.
    public var hardwareId: String
    public var platform: String?
    public var displayName: String?
    public var key: DevicePublicKey

    public init(organizationId: String, tenantId: String, requestedBy: String, productKey: String, hardwareId: String,
                platform: String?, displayName: String?, key: DevicePublicKey) {
        self.scope = DeviceScope(tenantId: tenantId, organizationId: organizationId)
        self.organizationId = organizationId
        self.requestedBy = requestedBy
        self.productKey = productKey
        self.hardwareId = hardwareId
        self.platform = platform
        self.displayName = displayName
        self.key = key
    }
}

public struct ActivationOutcome: Sendable {
    public var activation: LicenseActivation
    public var device: Device
    /// False when the installation already held a seat under the same key (a retry).
    public var created: Bool
}

/// Activations, approval, denial and revocation. Each runs inside the caller's write
/// transaction with its audit event; seat check and seat take share that transaction, and
/// LMDB runs one writer at a time, so concurrent activations can never exceed the seats.
public struct Activations: Sendable {
    public let records: DeviceRecords
    public let seats: any SeatCapacity
    var tables: DeviceTables { records.tables }

    public init(records: DeviceRecords, seats: any SeatCapacity) {
        self.records = records
        self.seats = seats
    }

    /// The device this hardware id names in the organization, if it is known (for the
    /// approval rule's context, read before the write).
    public func knownDevice(tenantId: String, organizationId: String, hardwareId: String, in txn: some TransactionReading) throws -> Device? {
        guard let salt = try HardwareIDs.existingSalt(tenantId: tenantId, tables: tables, in: txn), salt.count == 32,
              let id = try records.deviceId(
                tenantId: tenantId, organizationId: organizationId, hardwareIdHash: HardwareIDs.hash(hardwareId, salt: salt), in: txn)
        else { return nil }
        return try DeviceStore.device(tenantId: tenantId, id: id, tables: tables, in: txn)
    }

    /// Creates or finds the device and its installation of the product, registers the key
    /// and takes a seat: `active` when `autoApprove` (the tenant's rule said so), else
    /// `pending_approval`.
    public func activate(_ request: ActivationRequest, autoApprove: Bool, now: Date = Date(), in txn: WriteTransaction) throws -> ActivationOutcome {
        let tenantId = request.scope.tenantId
        let device = try findOrCreateDevice(request, now: now, in: txn)

        let thumbprint = request.key.thumbprint
        var installation = try records.installation(tenantId: tenantId, deviceId: device.id, productKey: request.productKey, in: txn)
        if let current = installation?.activationId,
           let existing = try DeviceStore.activation(tenantId: tenantId, id: current, tables: tables, in: txn),
           existing.state.holdsSeat {
            guard existing.keyThumbprint == thumbprint else { throw DeviceError.alreadyActivated(activationId: existing.id) }
            return ActivationOutcome(activation: existing, device: device, created: false)
        }

        guard let capacity = try seats.deviceSeats(tenantId: tenantId, productKey: request.productKey, in: txn) else {
            throw DeviceError.noSubscription(productKey: request.productKey)
        }
        let used = try DeviceStore.usedSeats(tenantId: tenantId, productKey: request.productKey, tables: tables, in: txn)
        guard Int64(used) < capacity else { throw DeviceError.noFreeSeat(productKey: request.productKey, seats: capacity) }

        let credential = try registerKey(request.key, thumbprint: thumbprint, device: device, actor: request.requestedBy, now: now, in: txn)
        if installation == nil {
            installation = DeviceInstallation(
                id: RandomID.make(prefix: "ins"), tenantId: tenantId, organizationId: request.organizationId, deviceId: device.id,
                productKey: request.productKey, createdAt: now)
        }
        installation!.credentialId = credential.id
        try records.putInstallation(installation!, in: txn)
        var activation = LicenseActivation(
            id: RandomID.make(prefix: "act"), tenantId: tenantId, organizationId: request.organizationId, deviceId: device.id,
            installationId: installation!.id, productKey: request.productKey, state: autoApprove ? .active : .pendingApproval,
            keyThumbprint: thumbprint, credentialId: credential.id, requestedBy: request.requestedBy, createdAt: now)
        if autoApprove {
            activation.decidedBy = "policy"
            activation.decidedAt = now
            activation.decisionReason = "approved by the tenant's device approval rule"
        }
        try records.insertActivation(activation, in: txn)
        try txn.appendAudit(AuditEvent(
            time: now, tenantId: tenantId, actor: request.requestedBy, action: "device.activation.create", target: activation.id,
            reason: "product \(request.productKey) on device \(device.id): \(activation.state.rawValue)",
            organizationId: request.organizationId))
        return ActivationOutcome(activation: activation, device: device, created: true)
    }

    /// When every seat is taken (`activate` threw `noFreeSeat`): the device, its key and its
    /// installation are still recorded — in a transaction of their own, with a `denied`
    /// audit event — so an administrator can move a seat to this installation by transfer
    /// (the usual "new laptop, seats full" case) without the agent activating again.
    public func registerWithoutSeat(_ request: ActivationRequest, now: Date = Date(), in txn: WriteTransaction) throws -> DeviceInstallation {
        let tenantId = request.scope.tenantId
        let device = try findOrCreateDevice(request, now: now, in: txn)
        let credential = try registerKey(
            request.key, thumbprint: request.key.thumbprint, device: device, actor: request.requestedBy, now: now, in: txn)
        var installation = try records.installation(tenantId: tenantId, deviceId: device.id, productKey: request.productKey, in: txn)
            ?? DeviceInstallation(
                id: RandomID.make(prefix: "ins"), tenantId: tenantId, organizationId: request.organizationId, deviceId: device.id,
                productKey: request.productKey, createdAt: now)
        installation.credentialId = credential.id
        try records.putInstallation(installation, in: txn)
        try txn.appendAudit(AuditEvent(
            time: now, tenantId: tenantId, actor: request.requestedBy, action: "device.activation.refused", target: installation.id,
            outcome: .denied, reason: "no free seat of product \(request.productKey) on device \(device.id)",
            organizationId: request.organizationId))
        return installation
    }

    /// The device of the request's hardware id in its organization, created on first sight.
    func findOrCreateDevice(_ request: ActivationRequest, now: Date, in txn: WriteTransaction) throws -> Device {
        let tenantId = request.scope.tenantId
        let salt = try HardwareIDs.salt(tenantId: tenantId, tables: tables, in: txn)
        let hash = HardwareIDs.hash(request.hardwareId, salt: salt)
        var device: Device
        if let id = try records.deviceId(tenantId: tenantId, organizationId: request.organizationId, hardwareIdHash: hash, in: txn),
           let found = try DeviceStore.device(tenantId: tenantId, id: id, tables: tables, in: txn) {
            device = found
            if device.riskState.isDenied { throw DeviceError.deviceDenied(deviceId: device.id, riskState: device.riskState) }
        } else {
            device = Device(
                id: RandomID.make(prefix: "dev"), tenantId: tenantId, organizationId: request.organizationId, hardwareIdHash: hash,
                displayName: request.displayName, platform: request.platform, createdAt: now)
            try records.insertDevice(device, in: txn)
            try txn.appendAudit(AuditEvent(
                time: now, tenantId: tenantId, actor: request.requestedBy, action: "device.create", target: device.id,
                reason: "first activation in organization \(request.organizationId)"))
        }
        return device
    }

    /// The device's key as a `jwk` credential, indexed by its thumbprint; a key already
    /// registered to another device is refused (a DPoP proof must name one device).
    func registerKey(_ key: DevicePublicKey, thumbprint: String, device: Device, actor: String, now: Date, in txn: WriteTransaction) throws -> DeviceCredential {
        if let existing = try records.credential(tenantId: device.tenantId, kind: .jwk, thumbprint: thumbprint, in: txn) {
            guard existing.deviceId == device.id else { throw DeviceError.keyInUse }
            return existing
        }
        let credential = DeviceCredential(
            id: RandomID.make(prefix: "dcr"), tenantId: device.tenantId, deviceId: device.id, kind: .jwk, thumbprint: thumbprint,
            publicJWK: key.jwkJSON, certificate: nil, status: .active, createdAt: now, createdBy: actor)
        try records.putCredential(credential, in: txn)
        try txn.appendAudit(AuditEvent(
            time: now, tenantId: device.tenantId, actor: actor, action: "device.credential.create", target: credential.id,
            reason: "activation key of device \(device.id)"))
        return credential
    }

    /// Approves (`active`) or denies a pending activation.
    public func decide(_ scope: DeviceScope, id: String, approve: Bool, actor: String, reason: String, now: Date = Date(),
                       in txn: WriteTransaction) throws -> LicenseActivation {
        let next: LicenseActivation.State = approve ? .active : .denied
        let current = try scope.activation(id, tables: tables, in: txn)
        guard current.state.canMove(to: next) else {
            throw DeviceError.activationState(id: id, state: current.state, wanted: approve ? "approve" : "deny")
        }
        if approve, let device = try DeviceStore.device(tenantId: scope.tenantId, id: current.deviceId, tables: tables, in: txn),
           device.riskState.isDenied {
            throw DeviceError.deviceDenied(deviceId: device.id, riskState: device.riskState)
        }
        let (_, after) = try records.updateActivation(tenantId: scope.tenantId, id: id, in: txn) {
            $0.state = next
            $0.decidedBy = actor
            $0.decidedAt = now
            $0.decisionReason = reason
        }
        try txn.appendAudit(AuditEvent(
            time: now, tenantId: scope.tenantId, actor: actor, action: approve ? "device.activation.approve" : "device.activation.deny",
            target: id, reason: reason))
        return after
    }

    /// Ends a pending or active activation and frees its seat.
    public func revoke(_ scope: DeviceScope, id: String, actor: String, reason: String, now: Date = Date(), in txn: WriteTransaction) throws -> LicenseActivation {
        let current = try scope.activation(id, tables: tables, in: txn)
        guard current.state.canMove(to: .revoked) else { throw DeviceError.activationState(id: id, state: current.state, wanted: "revoke") }
        let (_, after) = try records.updateActivation(tenantId: scope.tenantId, id: id, in: txn) {
            $0.state = .revoked
            $0.endedBy = actor
            $0.endedAt = now
            $0.endReason = reason
        }
        try txn.appendAudit(AuditEvent(
            time: now, tenantId: scope.tenantId, actor: actor, action: "device.activation.revoke", target: id, reason: reason))
        return after
    }
}
