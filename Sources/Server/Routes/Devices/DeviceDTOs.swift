import Devices
import Foundation

/// A device as the API shows it (the hardware id hash is never shown: it is only useful
/// for lookups, and leaks nothing only as long as it stays inside).
struct DeviceDTO: Encodable {
    var id: String
    var organizationId: String
    var displayName: String?
    var platform: String?
    var riskState: String
    var trustLevel: Int
    var riskChangedBy: String?
    var riskChangedAt: Date?
    var riskReason: String?
    var posture: PostureFacts?
    var postureAt: Date?
    var createdAt: Date
    var lastSeenAt: Date?

    init(_ device: Device) {
        id = device.id
        organizationId = device.organizationId
        displayName = device.displayName
        platform = device.platform
        riskState = device.riskState.rawValue
        trustLevel = device.riskState.trustLevel
        riskChangedBy = device.riskChangedBy
        riskChangedAt = device.riskChangedAt
        riskReason = device.riskReason
        posture = device.posture
        postureAt = device.postureAt
        createdAt = device.createdAt
        lastSeenAt = device.lastSeenAt
    }
}

struct ActivationDTO: Encodable {
    var id: String
    var organizationId: String
    var deviceId: String
    var installationId: String
    var productKey: String
    var state: String
    var keyThumbprint: String
    var credentialId: String
    var requestedBy: String
    var createdAt: Date
    var decidedBy: String?
    var decidedAt: Date?
    var decisionReason: String?
    var endedBy: String?
    var endedAt: Date?
    var endReason: String?
    var transferredTo: String?
    var leaseCounter: Int64
    var leaseExpiresAt: Date?
    var lastHeartbeatAt: Date?

    init(_ a: LicenseActivation) {
        id = a.id
        organizationId = a.organizationId
        deviceId = a.deviceId
        installationId = a.installationId
        productKey = a.productKey
        state = a.state.rawValue
        keyThumbprint = a.keyThumbprint
        credentialId = a.credentialId
        requestedBy = a.requestedBy
        createdAt = a.createdAt
        decidedBy = a.decidedBy
        decidedAt = a.decidedAt
        decisionReason = a.decisionReason
        endedBy = a.endedBy
        endedAt = a.endedAt
        endReason = a.endReason
        transferredTo = a.transferredTo
        leaseCounter = a.leaseCounter
        leaseExpiresAt = a.leaseExpiresAt
        lastHeartbeatAt = a.lastHeartbeatAt
    }
}

/// The answer to an activation: the activation and its device.
struct ActivationResultDTO: Encodable {
    var activation: ActivationDTO
    var device: DeviceDTO
}

struct TransferDTO: Encodable {
    var ended: ActivationDTO
    var started: ActivationDTO
}

struct HeartbeatDTO: Encodable {
    var activationId: String
    var state: String
    var lastHeartbeatAt: Date?
    var riskState: String
    var leaseExpiresAt: Date?
}

struct LeaseDTO: Encodable {
    /// The compact JWS.
    var lease: String
    var counter: Int64
    var expiresAt: Date
}

/// A device with its installations and the activation each holds now.
struct DeviceDetailDTO: Encodable {
    var device: DeviceDTO
    var installations: [DeviceInstallationDTO]
}

struct DeviceInstallationDTO: Encodable {
    var id: String
    var productKey: String
    var createdAt: Date
    var activationId: String?
}
