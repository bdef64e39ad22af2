/// What can go wrong in a device-trust change. The HTTP layer maps each case to a problem:
/// unknown ids (another tenant's or organization's included) are 404, state conflicts 409,
/// bad device proofs 401, bad input 400.
public enum DeviceError: Error, Equatable, Sendable {
    case unknownDevice(String)
    case unknownActivation(String)
    /// The tenant holds no active subscription to the product.
    case noSubscription(productKey: String)
    /// Every seat of the product is held (pending or active activations).
    case noFreeSeat(productKey: String, seats: Int64)
    /// The activation is not in a state the change can start from.
    case activationState(id: String, state: LicenseActivation.State, wanted: String)
    /// The risk transition is not in `DeviceRiskState.allowedNext`.
    case riskTransition(from: DeviceRiskState, to: DeviceRiskState)
    /// The device is blocked or compromised.
    case deviceDenied(deviceId: String, riskState: DeviceRiskState)
    /// The installation already holds a seat under another key.
    case alreadyActivated(activationId: String)
    /// The key is registered to another device.
    case keyInUse
    /// A public key that is not an EC P-256 public JWK.
    case invalidKey(String)
    /// A renewal presented a lease counter older than the newest issued.
    case leaseRollback(presented: Int64, latest: Int64)
    /// A heartbeat signature that does not verify, is stale or replayed.
    case badProof(String)
    /// A transfer to the installation the seat already sits on, or one of another product.
    case invalidTransfer(String)
}
