import Foundation
import Identity

/// A membership as the API shows it: the user's name and email, its roles and groups.
struct MembershipDTO: Encodable {
    var id: String
    var organizationId: String
    var userId: String
    var userName: String?
    var email: String?
    var roles: [String]
    var groupIds: [String]
    var createdAt: Date

    init(_ membership: Membership, user: User?, groupIds: [String]) {
        id = membership.id
        organizationId = membership.organizationId
        userId = membership.userId
        userName = user?.userName
        email = user?.email
        roles = membership.roles
        self.groupIds = groupIds
        createdAt = membership.createdAt
    }
}

/// A group as the API shows it, with its members' membership ids.
struct GroupDTO: Encodable {
    var id: String
    var organizationId: String
    var name: String
    var memberIds: [String]
    var createdAt: Date

    init(_ group: MemberGroup, memberIds: [String]) {
        id = group.id
        organizationId = group.organizationId
        name = group.name
        self.memberIds = memberIds
        createdAt = group.createdAt
    }
}

/// The body of `POST …/memberships`: exactly one of `userId` (a user of the tenant) or
/// `user` (`{userName, email, password}`, created with the membership), and `roles`.
struct CreateMembershipBody {
    var member: NewMember
    var roles: [String]

    static func read(_ fields: inout ManagementFields) throws -> CreateMembershipBody {
        let userId = fields.optionalString("userId")
        let nested = fields.optionalObject("user")
        let roles = fields.optionalStrings("roles") ?? []
        var member: NewMember?
        var extra: [FieldError] = []
        if var user = nested {
            let userName = user.string("userName")
            let email = user.string("email")
            let password = user.string("password")
            fields.merge(user)
            if let userName, let email, let password { member = .newUser(userName: userName, email: email, password: password) }
            if userId != nil {
                extra.append(FieldError(field: "userId", message: "give either userId or user, not both"))
            }
        } else if let userId {
            member = .existingUser(id: userId)
        } else {
            extra.append(FieldError(field: "userId", message: "is required (or give user to create a new user)"))
        }
        var errors = fields.finish() + extra
        if let member { errors += member.validationErrors() }
        errors += RoleNames.validationErrors(roles)
        guard errors.isEmpty, let member else { throw ProblemError.validation(errors) }
        return CreateMembershipBody(member: member, roles: roles)
    }
}

/// The body of `PUT …/memberships/{membershipId}/roles`: `{"roles": [...]}` (may be empty).
enum RolesBody {
    static func read(_ fields: inout ManagementFields) throws -> [String] {
        let roles = fields.optionalStrings("roles")
        var errors = fields.finish()
        if roles == nil, !errors.contains(where: { $0.field == "roles" }) {
            errors.append(FieldError(field: "roles", message: "is required (a list of role names, possibly empty)"))
        }
        errors += RoleNames.validationErrors(roles ?? [])
        guard errors.isEmpty, let roles else { throw ProblemError.validation(errors) }
        return roles
    }
}

/// The body of `POST …/groups`: `{"name": "..."}`.
enum CreateGroupBody {
    static func read(_ fields: inout ManagementFields) throws -> String {
        let name = fields.string("name")
        var errors = fields.finish()
        if let name { errors += MemberGroup.nameErrors(name.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard errors.isEmpty, let name else { throw ProblemError.validation(errors) }
        return name
    }
}
