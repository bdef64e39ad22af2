/// What can go wrong registering, rotating or revoking a device credential. The HTTP
/// layer answers unknown ids (another tenant's or organization's included) with 404,
/// state conflicts with 409 and bad keys or certificates with 400.
public enum DeviceCredentialError: Error, Equatable, Sendable {
    case unknownDevice(String)
    case unknownCredential(String)
    /// Another active credential of the tenant has the same thumbprint.
    case thumbprintInUse(kind: DeviceCredential.Kind)
    /// Rotation or revocation of a credential that is no longer active.
    case notActive(id: String, status: DeviceCredential.Status)
    /// A rotation must keep the credential's kind (a certificate by a certificate).
    case kindMismatch(expected: DeviceCredential.Kind, got: DeviceCredential.Kind)
    case invalidKey(String)
    case invalidCertificate(String)
    /// The device holds the most active credentials it may.
    case tooManyCredentials(limit: Int)
}
