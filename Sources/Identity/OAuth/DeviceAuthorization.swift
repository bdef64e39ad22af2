import Foundation

/// One device authorization request (RFC 8628): made when a device asks for codes, decided
/// on the `/device` page, redeemed once at the token endpoint. Neither code is kept in
/// clear: the record is found by the SHA-256 of the device code, and the user-code index
/// by the SHA-256 of the normalized user code.
public struct DeviceAuthorization: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        /// Waiting for the user on the `/device` page.
        case pending
        /// The user signed in and approved; `sessionId` is their new session.
        case approved
        /// The user denied, or the code was locked after too many wrong passwords.
        case denied
        /// The device received its tokens; the code is spent.
        case redeemed
    }

    /// For audit events and logs (never a code).
    public var id: String
    public var tenantId: String
    public var clientId: String
    public var scopes: [String]
    /// Lowercase hex SHA-256 of the device code.
    public var deviceCodeHash: String
    /// Lowercase hex SHA-256 of the normalized user code (8 letters, no dash).
    public var userCodeHash: String
    public var createdAt: Date
    public var expiresAt: Date
    /// Seconds the device must wait between polls; raised by 5 at every `slow_down`.
    public var interval: Int
    public var lastPolledAt: Date?
    public var status: Status
    /// Wrong user name or password entered against this code on the `/device` page.
    public var failedAttempts: Int
    /// Set when approved: the session the tokens will belong to.
    public var sessionId: String?
    public var decidedAt: Date?
    /// Why a denied request was denied (`user` or `locked`).
    public var deniedReason: String?

    public func isExpired(at now: Date) -> Bool { now >= expiresAt }
}

/// What a device gets back when it starts the flow: both codes, in clear, this once.
public struct StartedDeviceAuthorization: Sendable, Equatable {
    public var deviceCode: String
    /// As shown to people: `XXXX-XXXX`.
    public var userCode: String
    public var authorization: DeviceAuthorization

    public var expiresIn: Int {
        max(0, Int(authorization.expiresAt.timeIntervalSince(authorization.createdAt).rounded()))
    }
}

/// The answer to one poll of the token endpoint (RFC 8628 §3.5).
public enum DeviceCodePoll: Sendable, Equatable {
    /// `authorization_pending`: the user has not decided yet.
    case pending
    /// `slow_down`: polled before `interval` seconds had passed; the interval is now this.
    case slowDown(interval: Int)
    /// `access_denied`.
    case denied
    /// `expired_token`.
    case expired
    /// Unknown code, another client's code, or a code already redeemed: `invalid_grant`.
    case invalid
    /// Approved and now redeemed: issue the tokens for this session.
    case approved(DeviceAuthorization)
}

/// The outcome of a decision attempt on the `/device` page.
public enum DeviceDecisionOutcome: Sendable, Equatable {
    case approved(sessionId: String)
    case denied
    /// The user code is unknown, expired or already decided.
    case notPending
    /// Wrong credentials; `locked` when that was the last attempt allowed.
    case wrongCredentials(locked: Bool)
}
