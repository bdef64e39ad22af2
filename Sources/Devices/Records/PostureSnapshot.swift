import Foundation

/// The minimized compliance facts a device reports — a fixed schema, nothing else is
/// accepted, so agents cannot ship arbitrary inventory data into the tenant.
public struct PostureFacts: Codable, Sendable, Equatable {
    public var os: String
    public var osVersion: String
    public var patchAgeDays: Int64
    public var diskEncrypted: Bool
    public var firewallEnabled: Bool
    public var screenLockEnabled: Bool
    public var edrRunning: Bool
    public var jailbroken: Bool

    public init(os: String, osVersion: String, patchAgeDays: Int64, diskEncrypted: Bool, firewallEnabled: Bool,
                screenLockEnabled: Bool, edrRunning: Bool, jailbroken: Bool) {
        self.os = os
        self.osVersion = osVersion
        self.patchAgeDays = patchAgeDays
        self.diskEncrypted = diskEncrypted
        self.firewallEnabled = firewallEnabled
        self.screenLockEnabled = screenLockEnabled
        self.edrRunning = edrRunning
        self.jailbroken = jailbroken
    }
}

/// One reported posture, kept as history; the newest also lands on `Device.posture`.
public struct PostureSnapshot: Codable, Sendable, Equatable {
    public var id: String
    public var tenantId: String
    public var deviceId: String
    public var facts: PostureFacts
    /// `heartbeat` or `api`.
    public var source: String
    public var reportedBy: String
    public var receivedAt: Date
}
