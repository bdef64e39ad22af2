import Foundation

/// One Shared Signals (SSF 1.0) push stream of a tenant: where its Security Event Tokens
/// go (RFC 8935), which event types its receiver asked for, and whether it runs.
struct SSFStream: Codable, Sendable, Equatable {
    enum Status: String, Codable, Sendable, CaseIterable {
        /// Events for its subjects are queued and pushed.
        case enabled
        /// Nothing is sent while paused (SSF 1.0 §8.1.2): SETs are held, at most
        /// `SSFTables.maxHeldPerStream` (later ones are dropped), and pushed once enabled again.
        case paused
        /// Nothing is queued, and held or still queued SETs are dropped.
        case disabled
    }

    var id: String
    var tenantId: String
    var audience: [String]
    var eventsRequested: [String]
    var endpointURL: String
    /// The receiver's `Authorization` header value for pushes. Stored as given (a push
    /// must send it), never answered by any route and never logged, like a webhook secret.
    var authorizationHeader: String?
    var description: String?
    var status: Status
    var statusReason: String?
    var subjectCount: Int
    /// SETs held while paused (nil: none), bounding what a long pause can pile up.
    var held: Int?
    var createdAt: Date
    var createdBy: String
    var updatedAt: Date
    var lastVerificationAt: Date?

    /// What the stream will actually carry: what it asked for that the transmitter supports.
    var eventsDelivered: [String] { eventsRequested.filter { SSFEventTypes.supported.contains($0) } }
}

/// The event types this transmitter sends (CAEP 1.0 and the SSF verification event).
enum SSFEventTypes {
    static let sessionRevoked = "https://schemas.openid.net/secevent/caep/event-type/session-revoked"
    static let deviceComplianceChange = "https://schemas.openid.net/secevent/caep/event-type/device-compliance-change"
    static let credentialChange = "https://schemas.openid.net/secevent/caep/event-type/credential-change"
    static let verification = "https://schemas.openid.net/secevent/ssf/event-type/verification"

    static let supported: [String] = [sessionRevoked, deviceComplianceChange, credentialChange, verification]

    /// RFC 8935 push, the only delivery method offered.
    static let pushMethod = "urn:ietf:rfc:8935"
    static let pollMethod = "urn:ietf:rfc:8936"
}
