/// Why a membership or group change was refused (validation problems are `ValidationFailure`).
public enum MembershipError: Error, Equatable, Sendable {
    case unknownOrganization(String)
    case unknownMembership(String)
    case unknownGroup(String)
    /// The group has no such member.
    case notGroupMember(String)
    /// `userId` names no user of this tenant (reported as a field error: a body reference).
    case unknownUser(String)
    /// A new user's name is used by another user of the tenant.
    case userNameTaken(String)
    /// The user already has a membership in this organization (its id).
    case alreadyMember(String)
    /// The change would leave the tenant without an active administrator.
    case lastAdministrator
    /// The membership belongs to another organization than the group.
    case otherOrganization(String)
    case tooManyGroups(Int)
    case groupFull(Int)
}
