import Foundation
import Store

/// Registration, rotation and revocation of device credentials, each inside the caller's
/// write transaction, with its audit event. Records go through `DeviceRecords` (which keeps
/// the (tenant, kind, thumbprint) index of active credentials: DPoP `jkt` and mTLS
/// `x5t#S256` find their device in one read); this adds the per-device listing index.
public struct DeviceCredentials: Sendable {
    /// Active credentials one device may hold (activation keys included).
    public static let maxActivePerDevice = 20
    /// Credentials (any status) one device's listing shows at most.
    public static let maxListed = 200

    public let records: DeviceRecords
    var tables: DeviceTables { records.tables }

    public init(records: DeviceRecords) { self.records = records }

    public func credential(tenantId: String, id: String, in txn: some TransactionReading) throws -> DeviceCredential? {
        try txn.getJSON(DeviceCredential.self, tables.credentials, Key(.string(tenantId), .string(id)))
    }

    /// The device's credentials, newest first: those registered here (listing index) and
    /// the keys its activations were made with (registered by activation).
    public func list(tenantId: String, deviceId: String, in txn: some TransactionReading) throws -> [DeviceCredential] {
        var ids: [String] = []
        for entry in try txn.entries(tables.deviceCredentials, prefix: Key(.string(tenantId), .string(deviceId)), limit: Self.maxListed) {
            if let id = try entry.key.components().last?.stringValue { ids.append(id) }
        }
        for activation in try activations(tenantId: tenantId, deviceId: deviceId, in: txn) where !ids.contains(activation.credentialId) {
            ids.append(activation.credentialId)
        }
        return try ids.compactMap { try credential(tenantId: tenantId, id: $0, in: txn) }
            .filter { $0.deviceId == deviceId }
            .sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
    }

    /// Registers `material` as a new active credential of the device. Fails when another
    /// active credential of the tenant has the same thumbprint (one key, one device).
    public func register(
        _ material: CredentialMaterial, scope: DeviceScope, deviceId: String, actor: String, reason: String?,
        now: Date = Date(), in txn: WriteTransaction
    ) throws -> DeviceCredential {
        let device = try Self.device(scope, deviceId, tables: tables, in: txn)
        let active = try list(tenantId: device.tenantId, deviceId: device.id, in: txn).filter { $0.status == .active }
        guard active.count < Self.maxActivePerDevice else { throw DeviceCredentialError.tooManyCredentials(limit: Self.maxActivePerDevice) }
        let credential = try insert(material, device: device, actor: actor, now: now, in: txn)
        try txn.appendAudit(AuditEvent(
            time: now, tenantId: device.tenantId, actor: actor, action: "device.credential.create", target: credential.id,
            reason: (reason.map { $0 + ": " } ?? "") + "\(credential.kind.rawValue) \(credential.thumbprint) of device \(device.id)"))
        return credential
    }

    /// Replaces an active credential by `material` of the same kind: the old one becomes
    /// `rotated` (with `replacedBy`) and leaves the thumbprint index, the new one takes its
    /// place, and activations made with the old key now name the new one (their heartbeats
    /// and DPoP proofs must be signed with it). Returns (old, new).
    public func rotate(
        _ credentialId: String, to material: CredentialMaterial, scope: DeviceScope, deviceId: String, actor: String, reason: String,
        now: Date = Date(), in txn: WriteTransaction
    ) throws -> (old: DeviceCredential, new: DeviceCredential) {
        let device = try Self.device(scope, deviceId, tables: tables, in: txn)
        var old = try owned(credentialId, device: device, in: txn)
        guard old.status == .active else { throw DeviceCredentialError.notActive(id: old.id, status: old.status) }
        guard old.kind == material.kind else { throw DeviceCredentialError.kindMismatch(expected: old.kind, got: material.kind) }
        old.status = .rotated
        old.rotatedAt = now
        try records.putCredential(old, in: txn)
        let new = try insert(material, device: device, actor: actor, now: now, in: txn)
        old.replacedBy = new.id
        try records.putCredential(old, in: txn)
        for activation in try activations(tenantId: device.tenantId, deviceId: device.id, in: txn) where activation.credentialId == old.id {
            try records.updateActivation(tenantId: device.tenantId, id: activation.id, in: txn) {
                $0.credentialId = new.id
                $0.keyThumbprint = new.thumbprint
            }
        }
        try txn.appendAudit(AuditEvent(
            time: now, tenantId: device.tenantId, actor: actor, action: "device.credential.rotate", target: old.id,
            reason: "\(reason) (replaced by \(new.id))"))
        return (old, new)
    }

    /// Revokes an active credential: it stays listed as history but no longer proves anything.
    public func revoke(
        _ credentialId: String, scope: DeviceScope, deviceId: String, actor: String, reason: String,
        now: Date = Date(), in txn: WriteTransaction
    ) throws -> DeviceCredential {
        let device = try Self.device(scope, deviceId, tables: tables, in: txn)
        var credential = try owned(credentialId, device: device, in: txn)
        guard credential.status == .active else { throw DeviceCredentialError.notActive(id: credential.id, status: credential.status) }
        credential.status = .revoked
        credential.revokedAt = now
        credential.revokedBy = actor
        credential.revokeReason = reason
        try records.putCredential(credential, in: txn)
        try txn.appendAudit(AuditEvent(
            time: now, tenantId: device.tenantId, actor: actor, action: "device.credential.revoke", target: credential.id, reason: reason))
        return credential
    }

    /// The device in the caller's scope (another tenant's or organization's reads as absent).
    public static func device(_ scope: DeviceScope, _ deviceId: String, tables: DeviceTables, in txn: some TransactionReading) throws -> Device {
        do {
            return try scope.device(deviceId, tables: tables, in: txn)
        } catch DeviceError.unknownDevice {
            throw DeviceCredentialError.unknownDevice(deviceId)
        }
    }

    private func owned(_ id: String, device: Device, in txn: some TransactionReading) throws -> DeviceCredential {
        guard let credential = try credential(tenantId: device.tenantId, id: id, in: txn), credential.deviceId == device.id else {
            throw DeviceCredentialError.unknownCredential(id)
        }
        return credential
    }

    /// The newest activation of each of the device's installations.
    private func activations(tenantId: String, deviceId: String, in txn: some TransactionReading) throws -> [LicenseActivation] {
        var result: [LicenseActivation] = []
        for entry in try txn.entries(tables.deviceInstallations, prefix: Key(.string(tenantId), .string(deviceId)), limit: 1000) {
            let installationId = String(decoding: entry.value, as: UTF8.self)
            guard let installation = try txn.getJSON(
                DeviceInstallation.self, tables.installations, Key(.string(tenantId), .string(installationId))),
                let activationId = installation.activationId,
                let activation = try DeviceStore.activation(tenantId: tenantId, id: activationId, tables: tables, in: txn)
            else { continue }
            result.append(activation)
        }
        return result
    }

    private func insert(_ material: CredentialMaterial, device: Device, actor: String, now: Date, in txn: WriteTransaction) throws -> DeviceCredential {
        if try records.credential(tenantId: device.tenantId, kind: material.kind, thumbprint: material.thumbprint, in: txn) != nil {
            throw DeviceCredentialError.thumbprintInUse(kind: material.kind)
        }
        var publicJWK: String?
        var certificate: CertificateMetadata?
        switch material {
        case .jwk(let key): publicJWK = key.jwkJSON
        case .certificate(let metadata): certificate = metadata
        }
        let credential = DeviceCredential(
            id: RandomID.make(prefix: "dcr"), tenantId: device.tenantId, deviceId: device.id, kind: material.kind,
            thumbprint: material.thumbprint, publicJWK: publicJWK, certificate: certificate, status: .active, createdAt: now,
            createdBy: actor)
        try records.putCredential(credential, in: txn)
        try txn.put(tables.deviceCredentials, Key(.string(device.tenantId), .string(device.id), .string(credential.id)), [UInt8]())
        return credential
    }
}
