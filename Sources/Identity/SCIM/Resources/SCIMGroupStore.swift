import Foundation
import Store

/// SCIM groups inside a caller's transaction. A SCIM group is a `MemberGroup` of the
/// connection's JIT organization, so its members are memberships there and the existing group
/// transactions (with their audit events and `perm_ver` bumps) do the membership changes. The
/// connection sees and manages only members that are its own SCIM users; members an
/// administrator added through the management API stay untouched.
extension TransactionReading {
    /// The connection's group with this id, while its `MemberGroup` exists.
    public func scimGroup(_ scope: SCIMConnectionScope, id: String, tables: SCIMTables) throws -> SCIMGroupRecord? {
        guard !id.isEmpty, id.utf8.count <= 100,
              let record = try getJSON(
                SCIMGroupRecord.self, tables.groups, Key(.string(scope.tenantId), .string(scope.connectionId), .string(id))),
              try group(tenantId: scope.tenantId, id: id, tables: tables.memberships) != nil
        else { return nil }
        return record
    }

    /// Every group of the connection, in id order.
    public func scimGroups(_ scope: SCIMConnectionScope, tables: SCIMTables) throws -> [SCIMGroupRecord] {
        var found: [SCIMGroupRecord] = []
        try scan(tables.groups, prefix: Key(.string(scope.tenantId), .string(scope.connectionId))) { _, value in
            found.append(try StoredJSON.decode(SCIMGroupRecord.self, from: value))
            return true
        }
        return try found.filter { try group(tenantId: scope.tenantId, id: $0.id, tables: tables.memberships) != nil }
    }

    /// The group's members that are SCIM users of the connection, as (userId, userName), in
    /// membership-id order.
    public func scimGroupMembers(
        _ scope: SCIMConnectionScope, groupId: String, tables: SCIMTables
    ) throws -> [(id: String, userName: String)] {
        var found: [(id: String, userName: String)] = []
        for row in try entries(tables.memberships.groupMembers, prefix: Key(.string(scope.tenantId), .string(groupId))) {
            let userId = String(decoding: row.value, as: UTF8.self)
            if let user = try scimUser(scope, id: userId, tables: tables) { found.append((user.id, user.userName)) }
        }
        return found
    }
}

extension WriteTransaction {
    /// Creates the organization group and the SCIM record, then puts the members in. Returns
    /// the record and the users whose groups changed.
    public func createSCIMGroup(
        _ scope: SCIMConnectionScope, _ input: SCIMGroupInput, now: Date = Date(), tables: SCIMTables
    ) throws -> (record: SCIMGroupRecord, changedUsers: [String]) {
        guard let organizationId = scope.organizationId else { throw SCIMResourceError.noJITOrganization }
        try input.validate()
        let group: MemberGroup
        do {
            group = try createGroup(
                tenantId: scope.tenantId, organizationId: organizationId, name: input.displayName, actor: scope.actor, now: now,
                tables: tables.memberships)
        } catch MembershipError.unknownOrganization {
            throw SCIMResourceError.noJITOrganization
        } catch MembershipError.tooManyGroups(let limit) {
            throw SCIMResourceError.limit("an organization may have at most \(limit) groups")
        }
        let (changed, kept) = try setSCIMGroupMembers(scope, group: group, memberIds: input.memberIds, now: now, tables: tables)
        let record = SCIMGroupRecord(
            id: group.id, tenantId: scope.tenantId, connectionId: scope.connectionId, displayName: group.name,
            externalId: input.externalId, attributes: input.attributes, memberDisplays: Self.displays(input, kept: kept),
            created: now, lastModified: now, version: 1)
        try putJSON(tables.groups, Key(.string(scope.tenantId), .string(scope.connectionId), .string(group.id)), record)
        try appendAudit(AuditEvent(
            time: now, tenantId: scope.tenantId, actor: scope.actor, action: "scim.group.create", target: group.id,
            reason: "\(changed.count) member\(changed.count == 1 ? "" : "s")"))
        return (record, changed)
    }

    /// Replaces the group's attributes and its members of this connection (`memberIds`).
    public func replaceSCIMGroup(
        _ scope: SCIMConnectionScope, id: String, _ input: SCIMGroupInput, now: Date = Date(), tables: SCIMTables
    ) throws -> (record: SCIMGroupRecord, changedUsers: [String], group: MemberGroup) {
        guard var record = try scimGroup(scope, id: id, tables: tables),
              var group = try group(tenantId: scope.tenantId, id: id, tables: tables.memberships)
        else { throw SCIMResourceError.notFound(id) }
        try input.validate()
        let name = input.displayName.trimmingCharacters(in: .whitespacesAndNewlines)
        if name != group.name {
            let old = group.name
            group.name = name
            try putJSON(tables.memberships.groups, Key(.string(scope.tenantId), .string(id)), group)
            try appendAudit(AuditEvent(
                time: now, tenantId: scope.tenantId, actor: scope.actor, action: "group.rename", target: id,
                reason: "\(old.prefix(100)) → \(name.prefix(100))"))
        }
        let (changed, kept) = try setSCIMGroupMembers(scope, group: group, memberIds: input.memberIds, now: now, tables: tables)
        record.memberDisplays = Self.displays(input, kept: kept)
        record.displayName = name
        record.externalId = input.externalId
        record.attributes = input.attributes
        record.lastModified = now
        record.version += 1
        try putJSON(tables.groups, Key(.string(scope.tenantId), .string(scope.connectionId), .string(id)), record)
        try appendAudit(AuditEvent(time: now, tenantId: scope.tenantId, actor: scope.actor, action: "scim.group.replace", target: id))
        return (record, changed, group)
    }

    /// Deletes the group (its members lose it) and the SCIM record; returns the users who
    /// were in it.
    public func deleteSCIMGroup(_ scope: SCIMConnectionScope, id: String, now: Date = Date(), tables: SCIMTables) throws -> [String] {
        guard try scimGroup(scope, id: id, tables: tables) != nil,
              let group = try group(tenantId: scope.tenantId, id: id, tables: tables.memberships)
        else { throw SCIMResourceError.notFound(id) }
        let (_, userIds) = try deleteGroup(
            tenantId: scope.tenantId, organizationId: group.organizationId, groupId: id, actor: scope.actor, now: now,
            tables: tables.memberships)
        try delete(tables.groups, Key(.string(scope.tenantId), .string(scope.connectionId), .string(id)))
        try appendAudit(AuditEvent(time: now, tenantId: scope.tenantId, actor: scope.actor, action: "scim.group.delete", target: id))
        return userIds
    }

    static func displays(_ input: SCIMGroupInput, kept: Set<String>) -> [String: String]? {
        let displays = input.memberDisplays.filter { kept.contains($0.key) && $0.value.utf8.count <= 256 }
        return displays.isEmpty ? nil : displays
    }

    /// Makes the group's members of this connection exactly `memberIds`; returns the users
    /// added or removed, and the members it now has. A value that is not a user of this
    /// connection (unknown, or another connection's) is left out, as if it had not been sent:
    /// a connection can only ever put its own users into its groups, and learns nothing
    /// about other ids.
    func setSCIMGroupMembers(
        _ scope: SCIMConnectionScope, group: MemberGroup, memberIds: [String], now: Date, tables: SCIMTables
    ) throws -> (changed: [String], members: Set<String>) {
        guard memberIds.count <= MemberGroup.maxMembers else {
            throw SCIMResourceError.invalidValue("a group may have at most \(MemberGroup.maxMembers) members")
        }
        var wanted: [String: String] = [:]  // userId → membershipId
        for userId in memberIds where wanted[userId] == nil {
            if let user = try scimUser(scope, id: userId, tables: tables) { wanted[userId] = user.membershipId }
        }
        var current: [String: String] = [:]  // userId → membershipId, this connection's users only
        for row in try entries(tables.memberships.groupMembers, prefix: Key(.string(scope.tenantId), .string(group.id))) {
            let userId = String(decoding: row.value, as: UTF8.self)
            if let membershipId = Self.lastString(row.key), try scimUser(scope, id: userId, tables: tables) != nil {
                current[userId] = membershipId
            }
        }
        var changed: [String] = []
        for (userId, membershipId) in current.sorted(by: { $0.key < $1.key }) where wanted[userId] == nil {
            changed.append(try removeGroupMember(
                tenantId: scope.tenantId, organizationId: group.organizationId, groupId: group.id, membershipId: membershipId,
                actor: scope.actor, now: now, tables: tables.memberships))
        }
        for (userId, membershipId) in wanted.sorted(by: { $0.key < $1.key }) where current[userId] == nil {
            do {
                if let added = try addGroupMember(
                    tenantId: scope.tenantId, organizationId: group.organizationId, groupId: group.id, membershipId: membershipId,
                    actor: scope.actor, now: now, tables: tables.memberships) {
                    changed.append(added)
                }
            } catch MembershipError.groupFull(let limit) {
                throw SCIMResourceError.limit("a group may have at most \(limit) members")
            } catch MembershipError.unknownMembership, MembershipError.otherOrganization {
                throw SCIMResourceError.invalidValue(
                    "members: user '\(userId.prefix(100))' is no longer a member of the connection's organization")
            }
        }
        return (changed, Set(wanted.keys))
    }
}
