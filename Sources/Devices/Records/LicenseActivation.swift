import Foundation

/// One seat of a product held by one installation. `pendingApproval` and `active`
/// activations occupy a seat; the others are history kept for audit.
public struct LicenseActivation: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable, CaseIterable {
        case pendingApproval = "pending_approval"
        case active
        case denied
        case revoked
        /// Ended because its seat moved to another installation.
        case transferred

        /// Whether an activation in this state holds a seat.
        public var holdsSeat: Bool { self == .pendingApproval || self == .active }
    }

    public var id: String
    public var tenantId: String
    public var organizationId: String
    public var deviceId: String
    public var installationId: String
    public var productKey: String
    public var state: State
    /// The device key registered at activation (a public JWK, its RFC 7638 thumbprint is
    /// `keyThumbprint`): heartbeats are signed with it and DPoP proofs name it.
    public var keyThumbprint: String
    public var credentialId: String
    /// Who asked for the activation (the agent token's subject).
    public var requestedBy: String
    public var createdAt: Date
    /// Approval or denial: who, when, why.
    public var decidedBy: String?
    public var decidedAt: Date?
    public var decisionReason: String?
    /// Revocation or transfer: who, when, why; `transferredTo` names the new activation.
    public var endedBy: String?
    public var endedAt: Date?
    public var endReason: String?
    public var transferredTo: String?
    /// The counter of the newest offline lease issued (0: none yet). Only goes up.
    public var leaseCounter: Int64
    public var leaseExpiresAt: Date?
    public var lastHeartbeatAt: Date?

    public init(id: String, tenantId: String, organizationId: String, deviceId: String, installationId: String,
                productKey: String, state: State, keyThumbprint: String, credentialId: String,
                requestedBy: String, createdAt: Date) {
        self.id = id
        self.tenantId = tenantId
        self.organizationId = organizationId
        self.deviceId = deviceId
        self.installationId = installationId
        self.productKey = productKey
        self.state = state
        self.keyThumbprint = keyThumbprint
        self.credentialId = credentialId
        self.requestedBy = requestedBy
        self.createdAt = createdAt
        self.leaseCounter = 0
    }
}
