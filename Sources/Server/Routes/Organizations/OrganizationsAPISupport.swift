import Foundation
import Hummingbird
import Identity

/// Translation of membership and group errors into problem details.
enum OrganizationsAPI {
    static func mapping<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as MembershipError {
            throw problem(error)
        }
    }

    static func problem(_ error: MembershipError) -> ProblemError {
        switch error {
        case .unknownOrganization(let id):
            return ProblemError.notFound("no organization '\(id.prefix(100))' in your tenant")
        case .unknownMembership(let id):
            return ProblemError.notFound("no membership '\(id.prefix(100))' in this organization")
        case .unknownGroup(let id):
            return ProblemError.notFound("no group '\(id.prefix(100))' in this organization")
        case .notGroupMember(let id):
            return ProblemError.notFound("membership '\(id.prefix(100))' is not in this group")
        case .unknownUser:
            return ProblemError.validation([FieldError(field: "userId", message: "is not a user of your tenant")])
        case .otherOrganization:
            return ProblemError.notFound("no membership with this id in this organization")
        case .userNameTaken(let name):
            return ProblemError.conflict(
                type: "user-name-taken", title: "The user name is taken",
                detail: "another user of this tenant is called '\(name.prefix(100))'; add that user by userId or choose another name")
        case .alreadyMember(let id):
            return ProblemError.conflict(
                type: "membership-exists", title: "The user is already a member",
                detail: "the user already has membership '\(id)' in this organization; change its roles instead")
        case .lastAdministrator:
            return ProblemError.conflict(
                type: "last-administrator", title: "The tenant would have no administrator",
                detail: "this is the tenant's last active administrator; make another member an administrator first")
        case .tooManyGroups(let limit):
            return ProblemError.conflict(
                type: "group-limit", title: "Too many groups",
                detail: "an organization may have at most \(limit) groups; delete one first")
        case .groupFull(let limit):
            return ProblemError.conflict(
                type: "group-full", title: "The group is full", detail: "a group may have at most \(limit) members")
        }
    }
}
