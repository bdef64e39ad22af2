/// How far a device is trusted. Every device starts `unknown`; administrators (or, later,
/// signals) move it along the allowed transitions only, each with an actor and a reason.
///
/// `compromised` can only go on to `blocked`: once a device is known to be compromised,
/// nothing short of a new device identity (re-activation after re-imaging) restores trust.
/// `blocked` can be lifted back to `unknown`, so the device must earn trust again.
public enum DeviceRiskState: String, Codable, Sendable, CaseIterable {
    case unknown, trusted, suspicious, compromised, blocked

    /// The states this one may move to.
    public var allowedNext: Set<DeviceRiskState> {
        switch self {
        case .unknown: [.trusted, .suspicious, .compromised, .blocked]
        case .trusted: [.suspicious, .compromised, .blocked]
        case .suspicious: [.trusted, .compromised, .blocked]
        case .compromised: [.blocked]
        case .blocked: [.unknown]
        }
    }

    public func canMove(to next: DeviceRiskState) -> Bool { allowedNext.contains(next) }

    /// A coarse level tokens carry as `device_trust_level` and policies can compare:
    /// 0 blocked/compromised, 1 suspicious, 2 unknown, 3 trusted.
    public var trustLevel: Int {
        switch self {
        case .blocked, .compromised: 0
        case .suspicious: 1
        case .unknown: 2
        case .trusted: 3
        }
    }

    /// Devices in these states get no device-bound tokens, leases or heartbeats answered.
    public var isDenied: Bool { self == .blocked || self == .compromised }
}
