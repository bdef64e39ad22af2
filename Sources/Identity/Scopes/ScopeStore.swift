import Foundation
import Store

// Transaction-level functions: the Server runs them inside the one write transaction that
// also updates the graph, the revision, `perm_ver` and the audit log (RUNTIME.md).

extension TransactionReading {
    public func scope(tenantId: String, id: String, tables: ScopeTables) throws -> Scope? {
        guard !id.isEmpty, id.utf8.count <= 100 else { return nil }
        return try getJSON(Scope.self, tables.scopes, Key(.string(tenantId), .string(id)))
    }

    public func scope(tenantId: String, path: String, tables: ScopeTables) throws -> Scope? {
        guard ScopeRules.isPlausiblePath(path),
              let id = try get(tables.paths, Key(.string(tenantId), .string(path)))
        else { return nil }
        return try scope(tenantId: tenantId, id: String(decoding: id, as: UTF8.self), tables: tables)
    }

    /// One page of a tenant's scopes in id order, or of one organization's.
    public func scopes(tenantId: String, organizationId: String?, after: String?, limit: Int, tables: ScopeTables) throws -> Page<Scope> {
        let limit = min(max(limit, 1), Page<Scope>.maxLimit)
        if let organizationId {
            let prefix = Key(.string(tenantId), .string(organizationId))
            let rows = try entries(
                tables.byOrganization, prefix: prefix, after: after.map { prefix.appending(.string($0)) }, limit: limit + 1)
            var items: [Scope] = []
            for row in rows.prefix(limit) {
                guard case .string(let id)? = try row.key.components().last,
                      let scope = try scope(tenantId: tenantId, id: id, tables: tables) else { continue }
                items.append(scope)
            }
            return Page(items: items, nextAfter: rows.count > limit ? items.last?.id : nil)
        }
        let rows = try entries(
            tables.scopes, prefix: Key(.string(tenantId)), after: after.map { Key(.string(tenantId), .string($0)) },
            limit: limit + 1)
        let items = try rows.prefix(limit).map { try StoredJSON.decode(Scope.self, from: $0.value) }
        return Page(items: items, nextAfter: rows.count > limit ? items.last?.id : nil)
    }

    /// Every member's grants on one scope, in member id order.
    public func grants(tenantId: String, scopeId: String, tables: ScopeTables) throws -> [MemberGrants] {
        try entries(tables.grants, prefix: Key(.string(tenantId), .string(scopeId)))
            .map { try StoredJSON.decode(MemberGrants.self, from: $0.value) }
    }

    public func grants(tenantId: String, scopeId: String, memberId: String, tables: ScopeTables) throws -> MemberGrants? {
        try getJSON(MemberGrants.self, tables.grants, Key(.string(tenantId), .string(scopeId), .string(memberId)))
    }

    /// The scope and its ancestors, nearest first, each with `memberId`'s grants there.
    /// Bounded by the depth limit, so bad data (a cycle) cannot loop.
    public func scopeChain(tenantId: String, from scope: Scope, memberId: String?, tables: ScopeTables) throws -> [ScopeLevel] {
        var chain: [ScopeLevel] = []
        var current: Scope? = scope
        while let node = current, chain.count <= ScopeRules.maxDepth {
            let grants = try memberId.flatMap { try self.grants(tenantId: tenantId, scopeId: node.id, memberId: $0, tables: tables) }
            chain.append(ScopeLevel(scopeId: node.id, path: node.path, depth: node.depth, grants: grants?.grants ?? []))
            current = try node.parentId.flatMap { try self.scope(tenantId: tenantId, id: $0, tables: tables) }
        }
        return chain
    }

    /// The user `memberId` if it exists in the tenant and belongs to the organization.
    func isMember(tenantId: String, userId: String, organizationId: String, identity: IdentityTables) throws -> Bool {
        guard userId.utf8.count <= 100, try contains(identity.users, Key(.string(tenantId), .string(userId))) else { return false }
        var found = false
        try scan(identity.memberships, prefix: Key(.string(tenantId))) { _, value in
            let membership = try StoredJSON.decode(Membership.self, from: value)
            found = membership.userId == userId && membership.organizationId == organizationId
            return !found
        }
        return found
    }
}

extension WriteTransaction {
    /// Inserts a scope under `parentId` (or as a root of the organization). Checks the
    /// organization and parent exist in the tenant, the depth bound, the organization's scope
    /// count and that the path is free; throws `ScopeError` otherwise.
    public func insertScope(
        tenantId: String, organizationId: String, parentId: String?, name: String, now: Date,
        tables: ScopeTables, identity: IdentityTables
    ) throws -> Scope {
        guard organizationId.utf8.count <= 100,
              try contains(identity.organizations, Key(.string(tenantId), .string(organizationId)))
        else { throw ScopeError.unknownOrganization(organizationId) }
        var path = "/" + name
        var depth = 0
        if let parentId {
            guard let parent = try scope(tenantId: tenantId, id: parentId, tables: tables) else {
                throw ScopeError.unknownParent(parentId)
            }
            guard parent.organizationId == organizationId else { throw ScopeError.parentInOtherOrganization }
            guard parent.depth < ScopeRules.maxDepth else { throw ScopeError.tooDeep }
            path = parent.path + "/" + name
            depth = parent.depth + 1
        }
        var count = 0
        try scan(tables.byOrganization, prefix: Key(.string(tenantId), .string(organizationId))) { _, _ in
            count += 1
            return count < ScopeRules.maxScopesPerOrganization
        }
        guard count < ScopeRules.maxScopesPerOrganization else { throw ScopeError.tooManyScopes(ScopeRules.maxScopesPerOrganization) }
        let id = RandomID.make(prefix: "scp")
        guard try put(tables.paths, Key(.string(tenantId), .string(path)), Array(id.utf8), overwrite: false) else {
            throw ScopeError.pathTaken(path)
        }
        let scope = Scope(
            id: id, tenantId: tenantId, organizationId: organizationId, parentId: parentId, name: name, path: path,
            depth: depth, createdAt: now)
        try putJSON(tables.scopes, Key(.string(tenantId), .string(id)), scope)
        try put(tables.byOrganization, Key(.string(tenantId), .string(organizationId), .string(id)), [UInt8]())
        if let parentId { try put(tables.children, Key(.string(tenantId), .string(parentId), .string(id)), [UInt8]()) }
        return scope
    }

    /// Deletes a childless scope and every grant on it; returns the scope and the members
    /// whose grants went with it (their `perm_ver` must move). A scope with children is
    /// refused (`hasChildren`): deleting a subtree silently would drop grants nobody looked at.
    public func deleteScope(tenantId: String, id: String, tables: ScopeTables) throws -> (scope: Scope, members: [String]) {
        guard let scope = try scope(tenantId: tenantId, id: id, tables: tables) else { throw ScopeError.unknownScope(id) }
        var children = 0
        try scan(tables.children, prefix: Key(.string(tenantId), .string(id))) { _, _ in
            children += 1
            return true
        }
        guard children == 0 else { throw ScopeError.hasChildren(children) }
        var members: [String] = []
        for row in try entries(tables.grants, prefix: Key(.string(tenantId), .string(id))) {
            members.append(try StoredJSON.decode(MemberGrants.self, from: row.value).memberId)
            try delete(tables.grants, row.key)
        }
        try delete(tables.scopes, Key(.string(tenantId), .string(id)))
        try delete(tables.paths, Key(.string(tenantId), .string(scope.path)))
        try delete(tables.byOrganization, Key(.string(tenantId), .string(scope.organizationId), .string(id)))
        if let parentId = scope.parentId {
            try delete(tables.children, Key(.string(tenantId), .string(parentId), .string(id)))
        }
        return (scope, members)
    }

    /// Replaces a member's grants on a scope. The member must be a user of the tenant with a
    /// membership in the scope's organization (`unknownMember` otherwise, answered 404).
    public func putScopeGrants(
        tenantId: String, scopeId: String, memberId: String, grants: [ScopeGrant], now: Date,
        tables: ScopeTables, identity: IdentityTables
    ) throws -> MemberGrants {
        guard let scope = try scope(tenantId: tenantId, id: scopeId, tables: tables) else { throw ScopeError.unknownScope(scopeId) }
        guard try isMember(tenantId: tenantId, userId: memberId, organizationId: scope.organizationId, identity: identity) else {
            throw ScopeError.unknownMember(memberId)
        }
        let record = MemberGrants(scopeId: scopeId, memberId: memberId, grants: grants, updatedAt: now)
        try putJSON(tables.grants, Key(.string(tenantId), .string(scopeId), .string(memberId)), record)
        return record
    }

    /// Removes a member's grants on a scope; false when there were none.
    public func deleteScopeGrants(tenantId: String, scopeId: String, memberId: String, tables: ScopeTables) throws -> Bool {
        guard try scope(tenantId: tenantId, id: scopeId, tables: tables) != nil else { throw ScopeError.unknownScope(scopeId) }
        guard memberId.utf8.count <= 100 else { return false }
        return try delete(tables.grants, Key(.string(tenantId), .string(scopeId), .string(memberId)))
    }
}
