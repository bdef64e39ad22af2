import Store

/// Reads of memberships and groups, in any transaction (a route's read or the write that
/// re-projects a user).
extension TransactionReading {
    public func organization(tenantId: String, id: String, tables: MembershipTables) throws -> Organization? {
        guard id.utf8.count <= 100 else { return nil }
        return try getJSON(Organization.self, tables.identity.organizations, Key(.string(tenantId), .string(id)))
    }

    public func user(tenantId: String, id: String, tables: MembershipTables) throws -> User? {
        guard id.utf8.count <= 100 else { return nil }
        return try getJSON(User.self, tables.identity.users, Key(.string(tenantId), .string(id)))
    }

    /// The membership with this id in this tenant and, when given, this organization.
    public func membership(tenantId: String, organizationId: String? = nil, id: String, tables: MembershipTables) throws -> Membership? {
        guard id.utf8.count <= 100,
              let found = try getJSON(Membership.self, tables.identity.memberships, Key(.string(tenantId), .string(id))),
              organizationId == nil || found.organizationId == organizationId
        else { return nil }
        return found
    }

    /// Every membership of a user in the tenant. A scan of the tenant's memberships, like
    /// the sign-in's choice of membership: tenants hold thousands, not millions.
    public func memberships(ofUser userId: String, tenantId: String, tables: MembershipTables) throws -> [Membership] {
        var found: [Membership] = []
        try scan(tables.identity.memberships, prefix: Key(.string(tenantId))) { _, value in
            let membership = try StoredJSON.decode(Membership.self, from: value)
            if membership.userId == userId { found.append(membership) }
            return true
        }
        return found
    }

    /// One page of an organization's memberships, in id order.
    public func memberships(
        tenantId: String, organizationId: String, after: String?, limit: Int, tables: MembershipTables
    ) throws -> (items: [Membership], nextAfter: String?) {
        var items: [Membership] = []
        var more = false
        try scan(tables.identity.memberships, prefix: Key(.string(tenantId)), after: after.map { Key(.string(tenantId), .string($0)) }) { _, value in
            let membership = try StoredJSON.decode(Membership.self, from: value)
            guard membership.organizationId == organizationId else { return true }
            if items.count == limit {
                more = true
                return false
            }
            items.append(membership)
            return true
        }
        return (items, more ? items.last?.id : nil)
    }

    public func group(tenantId: String, organizationId: String? = nil, id: String, tables: MembershipTables) throws -> MemberGroup? {
        guard id.utf8.count <= 100,
              let found = try getJSON(MemberGroup.self, tables.groups, Key(.string(tenantId), .string(id))),
              organizationId == nil || found.organizationId == organizationId
        else { return nil }
        return found
    }

    /// One page of an organization's groups, in id order.
    public func groups(
        tenantId: String, organizationId: String, after: String?, limit: Int, tables: MembershipTables
    ) throws -> (items: [MemberGroup], nextAfter: String?) {
        var items: [MemberGroup] = []
        var more = false
        try scan(tables.groups, prefix: Key(.string(tenantId)), after: after.map { Key(.string(tenantId), .string($0)) }) { _, value in
            let group = try StoredJSON.decode(MemberGroup.self, from: value)
            guard group.organizationId == organizationId else { return true }
            if items.count == limit {
                more = true
                return false
            }
            items.append(group)
            return true
        }
        return (items, more ? items.last?.id : nil)
    }

    /// The membership ids of a group's members, in id order (at most `MemberGroup.maxMembers`).
    public func groupMemberIds(tenantId: String, groupId: String, tables: MembershipTables) throws -> [String] {
        try entries(tables.groupMembers, prefix: Key(.string(tenantId), .string(groupId))).compactMap { Self.lastString($0.key) }
    }

    /// The ids of the groups a membership is in.
    public func groupIds(ofMembership membershipId: String, tenantId: String, tables: MembershipTables) throws -> [String] {
        try entries(tables.membershipGroups, prefix: Key(.string(tenantId), .string(membershipId))).compactMap { Self.lastString($0.key) }
    }

    static func lastString(_ key: Key) -> String? {
        if case .string(let last)? = (try? key.components())?.last { return last }
        return nil
    }
}
