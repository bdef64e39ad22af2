import Foundation
import Store

/// SCIM users inside a caller's transaction. Each write changes the Arbiter `User`, its
/// membership of the connection's JIT organization and the SCIM record together, with audit
/// events and the `perm_ver` bump of the user; the caller (a Server route) adds the graph
/// projection and the revision bump to the same transaction.
extension TransactionReading {
    public func scimUser(_ scope: SCIMConnectionScope, id: String, tables: SCIMTables) throws -> SCIMUserRecord? {
        guard !id.isEmpty, id.utf8.count <= 100 else { return nil }
        return try getJSON(SCIMUserRecord.self, tables.users, Key(.string(scope.tenantId), .string(scope.connectionId), .string(id)))
    }

    /// Every user of the connection, in id order (at most `SCIMUserRecord.maxPerConnection`).
    public func scimUsers(_ scope: SCIMConnectionScope, tables: SCIMTables) throws -> [SCIMUserRecord] {
        var found: [SCIMUserRecord] = []
        try scan(tables.users, prefix: Key(.string(scope.tenantId), .string(scope.connectionId))) { _, value in
            found.append(try StoredJSON.decode(SCIMUserRecord.self, from: value))
            return true
        }
        return found
    }

    /// The connection's SCIM groups the user is in, as (id, displayName), in id order.
    public func scimGroups(ofUser record: SCIMUserRecord, tables: SCIMTables) throws -> [(id: String, displayName: String)] {
        let scope = SCIMConnectionScope(tenantId: record.tenantId, connectionId: record.connectionId, organizationId: nil, roles: [])
        var found: [(id: String, displayName: String)] = []
        for groupId in try groupIds(ofMembership: record.membershipId, tenantId: record.tenantId, tables: tables.memberships) {
            if let group = try scimGroup(scope, id: groupId, tables: tables) { found.append((group.id, group.displayName)) }
        }
        return found
    }
}

extension WriteTransaction {
    /// Creates the `User` (no password: a provisioned user cannot sign in with one), its
    /// membership of the JIT organization with the JIT roles, and the SCIM record.
    public func createSCIMUser(
        _ scope: SCIMConnectionScope, _ input: SCIMUserInput, now: Date = Date(), tables: SCIMTables
    ) throws -> SCIMUserRecord {
        guard let organizationId = scope.organizationId else { throw SCIMResourceError.noJITOrganization }
        try input.validate()
        var count = 0
        try scan(tables.users, prefix: Key(.string(scope.tenantId), .string(scope.connectionId))) { _, _ in
            count += 1
            return count < SCIMUserRecord.maxPerConnection
        }
        guard count < SCIMUserRecord.maxPerConnection else {
            throw SCIMResourceError.limit("a connection may provision at most \(SCIMUserRecord.maxPerConnection) users")
        }
        let user = User(
            id: RandomID.make(prefix: "usr"), tenantId: scope.tenantId, userName: input.userName, email: input.email,
            passwordHash: "", active: input.active, createdAt: now)
        let membership: Membership
        do {
            membership = try addMembership(
                tenantId: scope.tenantId, organizationId: organizationId, member: .newUser(user), roles: scope.roles,
                actor: scope.actor, now: now, tables: tables.memberships).membership
        } catch MembershipError.userNameTaken {
            throw SCIMResourceError.uniqueness("userName '\(input.userName.prefix(100))' is already used in this tenant")
        } catch MembershipError.unknownOrganization {
            throw SCIMResourceError.noJITOrganization
        }
        let record = SCIMUserRecord(
            id: user.id, tenantId: scope.tenantId, connectionId: scope.connectionId, membershipId: membership.id,
            userName: input.userName, externalId: input.externalId, active: input.active, attributes: input.attributes,
            created: now, lastModified: now, version: 1)
        try putJSON(tables.users, Key(.string(scope.tenantId), .string(scope.connectionId), .string(user.id)), record)
        try appendAudit(AuditEvent(
            time: now, tenantId: scope.tenantId, actor: scope.actor, action: "scim.user.create", target: user.id,
            reason: "userName \(input.userName.prefix(100))\(input.active ? "" : " (inactive)")"))
        return record
    }

    /// Replaces the user's attributes. `active` going false deprovisions: the user's
    /// sign-in sessions and refresh-token families are revoked here, in this transaction.
    public func replaceSCIMUser(
        _ scope: SCIMConnectionScope, id: String, _ input: SCIMUserInput, now: Date = Date(), tables: SCIMTables
    ) throws -> SCIMUserRecord {
        guard var record = try scimUser(scope, id: id, tables: tables),
              var user = try user(tenantId: scope.tenantId, id: id, tables: tables.memberships)
        else { throw SCIMResourceError.notFound(id) }
        try input.validate()
        let identity = tables.identity
        if input.userName.lowercased() != user.userName.lowercased() {
            guard try put(
                identity.userNames, Key(.string(scope.tenantId), .string(input.userName.lowercased())), Array(user.id.utf8),
                overwrite: false)
            else { throw SCIMResourceError.uniqueness("userName '\(input.userName.prefix(100))' is already used in this tenant") }
            try delete(identity.userNames, Key(.string(scope.tenantId), .string(user.userName.lowercased())))
        }
        let deprovisioned = user.active && !input.active
        let userChanged = user.userName != input.userName || user.email != input.email || user.active != input.active
        user.userName = input.userName
        user.email = input.email
        user.active = input.active
        if userChanged {
            try putJSON(identity.users, Key(.string(scope.tenantId), .string(user.id)), user)
            try bumpSubjectVersions(tenantId: scope.tenantId, subjectId: user.id, permissions: true, entitlements: false, tables: identity)
        }
        if deprovisioned {
            try revokeSignIns(tenantId: scope.tenantId, userId: user.id, reason: "deprovisioned by SCIM", actor: scope.actor, now: now, tables: tables)
        }
        record.userName = input.userName
        record.externalId = input.externalId
        record.active = input.active
        record.attributes = input.attributes
        record.lastModified = now
        record.version += 1
        try putJSON(tables.users, Key(.string(scope.tenantId), .string(scope.connectionId), .string(id)), record)
        try appendAudit(AuditEvent(
            time: now, tenantId: scope.tenantId, actor: scope.actor, action: deprovisioned ? "scim.user.deprovision" : "scim.user.replace",
            target: id))
        return record
    }

    /// Deletes the user: every membership (and with them its groups and sessions), the
    /// refresh-token families, the `User` and the SCIM record.
    public func deleteSCIMUser(_ scope: SCIMConnectionScope, id: String, now: Date = Date(), tables: SCIMTables) throws {
        guard let record = try scimUser(scope, id: id, tables: tables) else { throw SCIMResourceError.notFound(id) }
        let identity = tables.identity
        for membership in try memberships(ofUser: id, tenantId: scope.tenantId, tables: tables.memberships) {
            do {
                try removeMembership(
                    tenantId: scope.tenantId, organizationId: membership.organizationId, membershipId: membership.id,
                    actor: scope.actor, now: now, tables: tables.memberships)
            } catch MembershipError.lastAdministrator {
                throw SCIMResourceError.lastAdministrator
            }
        }
        try revokeSignIns(tenantId: scope.tenantId, userId: id, reason: "deleted by SCIM", actor: scope.actor, now: now, tables: tables)
        if let user = try user(tenantId: scope.tenantId, id: id, tables: tables.memberships) {
            try delete(identity.userNames, Key(.string(scope.tenantId), .string(user.userName.lowercased())))
            try delete(identity.users, Key(.string(scope.tenantId), .string(id)))
        }
        try bumpSubjectVersions(tenantId: scope.tenantId, subjectId: id, permissions: true, entitlements: false, tables: identity)
        try delete(tables.users, Key(.string(scope.tenantId), .string(scope.connectionId), .string(id)))
        try appendAudit(AuditEvent(
            time: now, tenantId: scope.tenantId, actor: scope.actor, action: "scim.user.delete", target: id,
            reason: "userName \(record.userName.prefix(100))"))
    }

    /// Ends everything a user signed in with: each live sign-in session (its access tokens
    /// stop at the bearer check) and each live refresh-token family. Scans of the tenant's
    /// sessions and families: fine for a provisioning write.
    public func revokeSignIns(
        tenantId: String, userId: String, reason: String, actor: String, now: Date, tables: SCIMTables
    ) throws {
        var sessionIds: [String] = []
        try scan(tables.identity.sessions, prefix: Key(.string(tenantId))) { _, value in
            if let session = try? StoredJSON.decode(SignInSession.self, from: value), session.userId == userId, session.revokedAt == nil {
                sessionIds.append(session.id)
            }
            return true
        }
        for sessionId in sessionIds {
            try revokeSession(tenantId: tenantId, id: sessionId, reason: reason, actor: actor, now: now, tables: tables.identity)
        }
        var families: [RefreshTokenFamily] = []
        try scan(tables.oauth.refreshFamilies, prefix: Key(.string(tenantId))) { _, value in
            if let family = try? StoredJSON.decode(RefreshTokenFamily.self, from: value), family.userId == userId, family.revokedAt == nil {
                families.append(family)
            }
            return true
        }
        for var family in families {
            family.revokedAt = now
            family.revokedReason = reason
            try putJSON(tables.oauth.refreshFamilies, Key(.string(tenantId), .string(family.id)), family)
            try appendAudit(AuditEvent(
                time: now, tenantId: tenantId, actor: actor, action: "refresh_token.revoke", target: family.id, reason: reason))
        }
    }
}
