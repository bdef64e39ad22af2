import Foundation
import Store

/// Group changes inside a caller's write transaction, each with its audit event and the
/// `perm_ver` bump of every user whose groups changed (their ids are returned, so the
/// caller re-projects exactly those users).
extension WriteTransaction {
    public func createGroup(
        tenantId: String, organizationId: String, name: String, actor: String, now: Date = Date(), tables: MembershipTables
    ) throws -> MemberGroup {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        let errors = MemberGroup.nameErrors(trimmed)
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        guard try organization(tenantId: tenantId, id: organizationId, tables: tables) != nil else {
            throw MembershipError.unknownOrganization(organizationId)
        }
        var count = 0
        try scan(tables.groups, prefix: Key(.string(tenantId))) { _, value in
            if try StoredJSON.decode(MemberGroup.self, from: value).organizationId == organizationId { count += 1 }
            return true
        }
        guard count < MemberGroup.maxPerOrganization else { throw MembershipError.tooManyGroups(MemberGroup.maxPerOrganization) }
        let group = MemberGroup(
            id: RandomID.make(prefix: "grp"), tenantId: tenantId, organizationId: organizationId, name: trimmed, createdAt: now)
        try putJSON(tables.groups, Key(.string(tenantId), .string(group.id)), group)
        try appendAudit(AuditEvent(
            time: now, tenantId: tenantId, actor: actor, action: "group.create", target: group.id, reason: "in \(organizationId)"))
        return group
    }

    /// Deletes a group and its member rows; returns the group and the ids of the users who
    /// were in it.
    public func deleteGroup(
        tenantId: String, organizationId: String, groupId: String, actor: String, now: Date = Date(), tables: MembershipTables
    ) throws -> (group: MemberGroup, userIds: [String]) {
        guard let group = try group(tenantId: tenantId, organizationId: organizationId, id: groupId, tables: tables) else {
            throw MembershipError.unknownGroup(groupId)
        }
        var userIds = Set<String>()
        for row in try entries(tables.groupMembers, prefix: Key(.string(tenantId), .string(groupId))) {
            userIds.insert(String(decoding: row.value, as: UTF8.self))
            if let membershipId = Self.lastString(row.key) {
                try delete(tables.membershipGroups, Key(.string(tenantId), .string(membershipId), .string(groupId)))
            }
            try delete(tables.groupMembers, row.key)
        }
        try delete(tables.groups, Key(.string(tenantId), .string(groupId)))
        for userId in userIds {
            try bumpSubjectVersions(tenantId: tenantId, subjectId: userId, permissions: true, entitlements: false, tables: tables.identity)
        }
        try appendAudit(AuditEvent(
            time: now, tenantId: tenantId, actor: actor, action: "group.delete", target: groupId,
            reason: "\(userIds.count) member\(userIds.count == 1 ? "" : "s") in \(organizationId)"))
        return (group, userIds.sorted())
    }

    /// Puts a membership of the group's organization into the group. Returns the member's
    /// user id, or nil when it was already in (nothing written).
    public func addGroupMember(
        tenantId: String, organizationId: String, groupId: String, membershipId: String, actor: String, now: Date = Date(),
        tables: MembershipTables
    ) throws -> String? {
        guard try group(tenantId: tenantId, organizationId: organizationId, id: groupId, tables: tables) != nil else {
            throw MembershipError.unknownGroup(groupId)
        }
        guard let membership = try membership(tenantId: tenantId, id: membershipId, tables: tables) else {
            throw MembershipError.unknownMembership(membershipId)
        }
        guard membership.organizationId == organizationId else { throw MembershipError.otherOrganization(membershipId) }
        let memberKey = Key(.string(tenantId), .string(groupId), .string(membershipId))
        guard try !contains(tables.groupMembers, memberKey) else { return nil }
        var count = 0
        try scan(tables.groupMembers, prefix: Key(.string(tenantId), .string(groupId))) { _, _ in
            count += 1
            return count < MemberGroup.maxMembers
        }
        guard count < MemberGroup.maxMembers else { throw MembershipError.groupFull(MemberGroup.maxMembers) }
        try put(tables.groupMembers, memberKey, Array(membership.userId.utf8))
        try put(tables.membershipGroups, Key(.string(tenantId), .string(membershipId), .string(groupId)), [UInt8]())
        try bumpSubjectVersions(tenantId: tenantId, subjectId: membership.userId, permissions: true, entitlements: false, tables: tables.identity)
        try appendAudit(AuditEvent(
            time: now, tenantId: tenantId, actor: actor, action: "group.member.add", target: groupId,
            reason: "membership \(membershipId) (user \(membership.userId))"))
        return membership.userId
    }

    /// Takes a membership out of the group; returns the member's user id.
    public func removeGroupMember(
        tenantId: String, organizationId: String, groupId: String, membershipId: String, actor: String, now: Date = Date(),
        tables: MembershipTables
    ) throws -> String {
        guard try group(tenantId: tenantId, organizationId: organizationId, id: groupId, tables: tables) != nil else {
            throw MembershipError.unknownGroup(groupId)
        }
        let memberKey = Key(.string(tenantId), .string(groupId), .string(membershipId))
        guard membershipId.utf8.count <= 100, let value = try get(tables.groupMembers, memberKey) else {
            throw MembershipError.notGroupMember(membershipId)
        }
        let userId = String(decoding: value, as: UTF8.self)
        try delete(tables.groupMembers, memberKey)
        try delete(tables.membershipGroups, Key(.string(tenantId), .string(membershipId), .string(groupId)))
        try bumpSubjectVersions(tenantId: tenantId, subjectId: userId, permissions: true, entitlements: false, tables: tables.identity)
        try appendAudit(AuditEvent(
            time: now, tenantId: tenantId, actor: actor, action: "group.member.remove", target: groupId,
            reason: "membership \(membershipId) (user \(userId))"))
        return userId
    }
}
