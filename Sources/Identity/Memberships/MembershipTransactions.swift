import Foundation
import Store

/// Membership changes inside a caller's write transaction. Each one writes its records and
/// its audit event and bumps `perm_ver` of the user whose roles or memberships changed, so
/// the caller (a Server route) only adds the graph projection and the revision bump to the
/// same transaction.
extension WriteTransaction {
    /// Adds `member` to an organization with `roles`, creating the user first when the
    /// member is new. Returns the membership and its user.
    public func addMembership(
        tenantId: String, organizationId: String, member: PreparedMember, roles: [String], actor: String,
        now: Date = Date(), tables: MembershipTables
    ) throws -> (membership: Membership, user: User) {
        let roleErrors = RoleNames.validationErrors(roles)
        guard roleErrors.isEmpty else { throw ValidationFailure(roleErrors) }
        let identity = tables.identity
        guard try organization(tenantId: tenantId, id: organizationId, tables: tables) != nil else {
            throw MembershipError.unknownOrganization(organizationId)
        }
        let user: User
        switch member {
        case .existingUser(let id):
            guard let existing = try self.user(tenantId: tenantId, id: id, tables: tables) else {
                throw MembershipError.unknownUser(id)
            }
            if let current = try memberships(ofUser: id, tenantId: tenantId, tables: tables)
                .first(where: { $0.organizationId == organizationId }) {
                throw MembershipError.alreadyMember(current.id)
            }
            user = existing
        case .newUser(let created):
            guard created.tenantId == tenantId else { throw MembershipError.unknownUser(created.id) }
            guard try put(
                identity.userNames, Key(.string(tenantId), .string(created.userName.lowercased())), Array(created.id.utf8),
                overwrite: false)
            else { throw MembershipError.userNameTaken(created.userName) }
            try putJSON(identity.users, Key(.string(tenantId), .string(created.id)), created)
            try appendAudit(AuditEvent(
                time: now, tenantId: tenantId, actor: actor, action: "user.create", target: created.id,
                reason: "with a membership of \(organizationId)"))
            user = created
        }
        let membership = Membership(
            id: RandomID.make(prefix: "mem"), tenantId: tenantId, organizationId: organizationId, userId: user.id,
            roles: RoleNames.normalized(roles), createdAt: now)
        try putJSON(identity.memberships, Key(.string(tenantId), .string(membership.id)), membership)
        try bumpSubjectVersions(tenantId: tenantId, subjectId: user.id, permissions: true, entitlements: false, tables: identity)
        try appendAudit(AuditEvent(
            time: now, tenantId: tenantId, actor: actor, action: "membership.create", target: membership.id,
            reason: "user \(user.id) in \(organizationId) with roles [\(membership.roles.joined(separator: ","))]"))
        return (membership, user)
    }

    /// Removes a membership, its group memberships and the sign-in sessions made through it.
    /// Refused when it is the tenant's last
    /// active administrator: nobody could manage the tenant afterwards.
    @discardableResult
    public func removeMembership(
        tenantId: String, organizationId: String, membershipId: String, actor: String, now: Date = Date(),
        tables: MembershipTables
    ) throws -> Membership {
        guard let membership = try membership(tenantId: tenantId, organizationId: organizationId, id: membershipId, tables: tables) else {
            throw MembershipError.unknownMembership(membershipId)
        }
        if membership.roles.contains(Membership.administratorRole) {
            try requireAnotherAdministrator(besides: membership, tables: tables)
        }
        for groupId in try groupIds(ofMembership: membershipId, tenantId: tenantId, tables: tables) {
            try delete(tables.groupMembers, Key(.string(tenantId), .string(groupId), .string(membershipId)))
            try delete(tables.membershipGroups, Key(.string(tenantId), .string(membershipId), .string(groupId)))
        }
        try delete(tables.identity.memberships, Key(.string(tenantId), .string(membershipId)))
        // Sign-ins into this membership end with it, so its tokens stop at the bearer check
        // (a scan of the tenant's sessions: fine for an administrative write).
        var signedIn: [String] = []
        try scan(tables.identity.sessions, prefix: Key(.string(tenantId))) { _, value in
            if let session = try? StoredJSON.decode(SignInSession.self, from: value),
               session.membershipId == membershipId, session.revokedAt == nil {
                signedIn.append(session.id)
            }
            return true
        }
        for sessionId in signedIn {
            try revokeSession(
                tenantId: tenantId, id: sessionId, reason: "membership removed", actor: actor, now: now, tables: tables.identity)
        }
        try bumpSubjectVersions(tenantId: tenantId, subjectId: membership.userId, permissions: true, entitlements: false, tables: tables.identity)
        try appendAudit(AuditEvent(
            time: now, tenantId: tenantId, actor: actor, action: "membership.delete", target: membershipId,
            reason: "user \(membership.userId) left \(organizationId)"))
        return membership
    }

    /// Replaces a membership's roles. Taking `administrator` from the tenant's last active
    /// administrator is refused. Setting the roles it already has changes nothing (no
    /// audit, no `perm_ver` move); the second result says whether anything changed.
    public func setMembershipRoles(
        tenantId: String, organizationId: String, membershipId: String, roles: [String], actor: String,
        now: Date = Date(), tables: MembershipTables
    ) throws -> (membership: Membership, changed: Bool) {
        let roleErrors = RoleNames.validationErrors(roles)
        guard roleErrors.isEmpty else { throw ValidationFailure(roleErrors) }
        guard var membership = try membership(tenantId: tenantId, organizationId: organizationId, id: membershipId, tables: tables) else {
            throw MembershipError.unknownMembership(membershipId)
        }
        let newRoles = RoleNames.normalized(roles)
        guard newRoles != RoleNames.normalized(membership.roles) else { return (membership, false) }
        if membership.roles.contains(Membership.administratorRole), !newRoles.contains(Membership.administratorRole) {
            try requireAnotherAdministrator(besides: membership, tables: tables)
        }
        let old = membership.roles
        membership.roles = newRoles
        try putJSON(tables.identity.memberships, Key(.string(tenantId), .string(membershipId)), membership)
        try bumpSubjectVersions(tenantId: tenantId, subjectId: membership.userId, permissions: true, entitlements: false, tables: tables.identity)
        try appendAudit(AuditEvent(
            time: now, tenantId: tenantId, actor: actor, action: "membership.roles", target: membershipId,
            reason: "[\(old.joined(separator: ","))] → [\(newRoles.joined(separator: ","))]"))
        return (membership, true)
    }

    /// Throws `lastAdministrator` unless some other membership of the tenant holds the
    /// administrator role for an active user.
    func requireAnotherAdministrator(besides membership: Membership, tables: MembershipTables) throws {
        var found = false
        var userActive: [String: Bool] = [:]
        try scan(tables.identity.memberships, prefix: Key(.string(membership.tenantId))) { _, value in
            let other = try StoredJSON.decode(Membership.self, from: value)
            guard other.id != membership.id, other.roles.contains(Membership.administratorRole) else { return true }
            if userActive[other.userId] == nil {
                userActive[other.userId] = try user(tenantId: other.tenantId, id: other.userId, tables: tables)?.active ?? false
            }
            // The same person holding administrator through another organization still counts.
            if userActive[other.userId] == true { found = true }
            return !found
        }
        guard found else { throw MembershipError.lastAdministrator }
    }
}
