import Foundation

/// One piece of hardware known to an organization. The raw hardware identifier a device
/// agent reports is never stored: only `hardwareIdHash`, a salted SHA-256 (see
/// `HardwareIDs`), so a leaked database does not reveal serial numbers.
public struct Device: Codable, Sendable, Equatable {
    public var id: String
    public var tenantId: String
    public var organizationId: String
    /// Hex HMAC-SHA256 of the raw hardware id under the tenant's salt.
    public var hardwareIdHash: String
    public var displayName: String?
    /// What the agent says it runs on (`macos`, `windows`, `linux`, `ios`, `android`).
    public var platform: String?
    public var riskState: DeviceRiskState
    /// Who set the risk state last, when and why (nil while it is the initial `unknown`).
    public var riskChangedBy: String?
    public var riskChangedAt: Date?
    public var riskReason: String?
    /// The newest posture snapshot's facts (what checks see as `context.device.posture`).
    public var posture: PostureFacts?
    public var postureAt: Date?
    public var createdAt: Date
    public var lastSeenAt: Date?

    public init(id: String, tenantId: String, organizationId: String, hardwareIdHash: String,
                displayName: String? = nil, platform: String? = nil, createdAt: Date) {
        self.id = id
        self.tenantId = tenantId
        self.organizationId = organizationId
        self.hardwareIdHash = hardwareIdHash
        self.displayName = displayName
        self.platform = platform
        self.riskState = .unknown
        self.createdAt = createdAt
    }
}
