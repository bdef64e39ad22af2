import Store

/// The LMDB tables of device trust. Every key starts with the tenant id, so one range scan
/// lists one tenant's objects and nothing of another's.
public struct DeviceTables: Sendable {
    /// (tenantId, deviceId) → Device
    public let devices: Table
    /// (tenantId, organizationId, hardwareIdHash) → deviceId: one device per hardware id
    public let hardwareIds: Table
    /// (tenantId, installationId) → DeviceInstallation
    public let installations: Table
    /// (tenantId, deviceId, productKey) → installationId: one installation per product and device
    public let deviceInstallations: Table
    /// (tenantId, activationId) → LicenseActivation
    public let activations: Table
    /// (tenantId, productKey, activationId) → empty, for activations that hold a seat
    /// (`pending_approval`, `active`): counting a product's used seats is a range count
    public let seatHolders: Table
    /// (tenantId, credentialId) → DeviceCredential
    public let credentials: Table
    /// (tenantId, kind, thumbprint) → credentialId, for active credentials: DPoP `jkt` and
    /// mTLS `x5t#S256` find their device in one read
    public let credentialThumbprints: Table
    /// (tenantId, deviceId, credentialId) → empty: a device's credentials in one range
    /// (written by `DeviceCredentials`; activation keys are listed through the activations)
    public let deviceCredentials: Table
    /// (tenantId, deviceId, snapshotId) → PostureSnapshot (ids sort by time)
    public let postureSnapshots: Table
    /// (tenantId, activationId, nonce) → expiry: heartbeat nonces seen, for replay refusal
    public let heartbeatNonces: Table
    /// tenantId → 32 random bytes: the salt of hardware id hashes
    public let hardwareSalts: Table
    /// Secondary indexes of the fleet view, maintained by `FleetIndex`: (tenantId,
    /// organizationId, facet, value, deviceId) → empty
    public let fleetIndex: Table

    public init(environment: Environment) throws {
        devices = try environment.table("devices.devices")
        hardwareIds = try environment.table("devices.hardware_ids")
        installations = try environment.table("devices.installations")
        deviceInstallations = try environment.table("devices.device_installations")
        activations = try environment.table("devices.activations")
        seatHolders = try environment.table("devices.seat_holders")
        credentials = try environment.table("devices.credentials")
        credentialThumbprints = try environment.table("devices.credential_thumbprints")
        deviceCredentials = try environment.table("devices.device_credentials")
        postureSnapshots = try environment.table("devices.posture_snapshots")
        heartbeatNonces = try environment.table("devices.heartbeat_nonces")
        hardwareSalts = try environment.table("devices.hardware_salts")
        fleetIndex = try environment.table("devices.fleet_index")
    }
}
