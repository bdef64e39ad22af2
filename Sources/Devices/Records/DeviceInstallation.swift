import Foundation

/// One product's software installed on one device. (Named apart from licensing's
/// `Installation`, which is a product installed into a tenant.)
public struct DeviceInstallation: Codable, Sendable, Equatable {
    public var id: String
    public var tenantId: String
    public var organizationId: String
    public var deviceId: String
    /// The licensing product key (`<publisher slug>.<application key>`).
    public var productKey: String
    public var createdAt: Date
    /// The installation's newest activation (the one holding its seat, if any).
    public var activationId: String?
    /// The device key most recently presented for this installation. Kept even when no seat
    /// was free, so an administrator can transfer a seat to the installation afterwards.
    public var credentialId: String?

    public init(id: String, tenantId: String, organizationId: String, deviceId: String, productKey: String, createdAt: Date) {
        self.id = id
        self.tenantId = tenantId
        self.organizationId = organizationId
        self.deviceId = deviceId
        self.productKey = productKey
        self.createdAt = createdAt
    }
}
