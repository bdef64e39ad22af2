import Devices
import Foundation

/// A device credential as the API shows it: public material and metadata only (there is
/// nothing else stored; a certificate's body was discarded at upload).
struct DeviceCredentialDTO: Encodable {
    var id: String
    var deviceId: String
    var kind: String
    var thumbprint: String
    var publicJwk: JSONValue?
    var certificate: CertificateDTO?
    var status: String
    var createdAt: Date
    var createdBy: String
    var rotatedAt: Date?
    var replacedBy: String?
    var revokedAt: Date?
    var revokedBy: String?
    var revokeReason: String?

    init(_ credential: DeviceCredential) {
        id = credential.id
        deviceId = credential.deviceId
        kind = credential.kind.rawValue
        thumbprint = credential.thumbprint
        publicJwk = credential.publicJWK.flatMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
        certificate = credential.certificate.map(CertificateDTO.init)
        status = credential.status.rawValue
        createdAt = credential.createdAt
        createdBy = credential.createdBy
        rotatedAt = credential.rotatedAt
        replacedBy = credential.replacedBy
        revokedAt = credential.revokedAt
        revokedBy = credential.revokedBy
        revokeReason = credential.revokeReason
    }
}

struct CertificateDTO: Encodable {
    var subject: String
    var issuer: String
    var serialNumber: String
    var sha256Thumbprint: String
    var notBefore: Date
    var notAfter: Date
    var expiryWarningAt: Date

    init(_ metadata: CertificateMetadata) {
        subject = metadata.subject
        issuer = metadata.issuer
        serialNumber = metadata.serialNumber
        sha256Thumbprint = metadata.sha256Thumbprint
        notBefore = metadata.notBefore
        notAfter = metadata.notAfter
        expiryWarningAt = metadata.expiryWarningAt
    }
}

struct CredentialRotationDTO: Encodable {
    var rotated: DeviceCredentialDTO
    var credential: DeviceCredentialDTO
}

struct PostureSnapshotDTO: Encodable {
    var id: String
    var deviceId: String
    var facts: PostureFacts
    var source: String
    var reportedBy: String
    var receivedAt: Date

    init(_ snapshot: PostureSnapshot) {
        id = snapshot.id
        deviceId = snapshot.deviceId
        facts = snapshot.facts
        source = snapshot.source
        reportedBy = snapshot.reportedBy
        receivedAt = snapshot.receivedAt
    }
}

struct FleetDTO: Encodable {
    var items: [DeviceDTO]
    var nextCursor: String?
    var counts: FleetCountsDTO
}

struct FleetCountsDTO: Encodable {
    var total: Int
    var riskState: [String: Int]
    var activationState: [String: Int]

    init(_ counts: FleetCounts) {
        total = counts.total
        riskState = Dictionary(uniqueKeysWithValues: counts.byRiskState.map { ($0.key.rawValue, $0.value) })
        activationState = Dictionary(uniqueKeysWithValues: counts.byActivationState.map { ($0.key.rawValue, $0.value) })
    }
}
