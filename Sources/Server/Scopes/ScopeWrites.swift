import Evaluator
import Foundation
import Identity
import Store

/// Every change to resource scopes and their grants, each ONE write transaction holding
/// the records, the graph entity `Scope::"…"`, the tenant's revision bump, the `perm_ver`
/// bump of every member whose grants changed, and the audit event (RUNTIME.md).
struct ScopeWrites {
    let services: ArbiterApplication.Services

    var tables: ScopeTables { services.scopeTables }

    func create(tenantId: String, organizationId: String, parentId: String?, name: String, actor: String, now: Date = Date()) async throws -> Scope {
        let (tables, identity, graph) = (self.tables, services.identityTables, services.graph)
        return try await services.environment.write { txn in
            let scope = try txn.insertScope(
                tenantId: tenantId, organizationId: organizationId, parentId: parentId, name: name, now: now,
                tables: tables, identity: identity)
            try graph.upsert([ScopeFacts.entity(scope)], tenant: tenantId, in: txn)
            try txn.bumpRevision(tenant: tenantId)
            try txn.appendAudit(AuditEvent(
                time: now, tenantId: tenantId, actor: actor, action: "scope.create", target: scope.id, reason: "path \(scope.path)"))
            return scope
        }
    }

    /// Deletes a childless scope with its grants; the members who held grants there get a
    /// new `perm_ver`.
    func delete(tenantId: String, id: String, actor: String, now: Date = Date()) async throws {
        let (tables, identity, graph) = (self.tables, services.identityTables, services.graph)
        try await services.environment.write { txn in
            let (scope, members) = try txn.deleteScope(tenantId: tenantId, id: id, tables: tables)
            try graph.delete([ScopeFacts.uid(scope.id)], tenant: tenantId, in: txn)
            for member in members {
                try txn.bumpSubjectVersions(tenantId: tenantId, subjectId: member, permissions: true, entitlements: false, tables: identity)
            }
            try txn.bumpRevision(tenant: tenantId)
            try txn.appendAudit(AuditEvent(
                time: now, tenantId: tenantId, actor: actor, action: "scope.delete", target: scope.id,
                reason: "path \(scope.path), grants of \(members.count) member\(members.count == 1 ? "" : "s") removed"))
        }
    }

    func putGrants(
        tenantId: String, scopeId: String, memberId: String, grants: [ScopeGrant], actor: String, now: Date = Date()
    ) async throws -> MemberGrants {
        let (tables, identity) = (self.tables, services.identityTables)
        return try await services.environment.write { txn in
            let record = try txn.putScopeGrants(
                tenantId: tenantId, scopeId: scopeId, memberId: memberId, grants: grants, now: now, tables: tables, identity: identity)
            try txn.bumpSubjectVersions(tenantId: tenantId, subjectId: memberId, permissions: true, entitlements: false, tables: identity)
            try txn.bumpRevision(tenant: tenantId)
            try txn.appendAudit(AuditEvent(
                time: now, tenantId: tenantId, actor: actor, action: "scope.grants.put", target: scopeId,
                reason: "member \(memberId): " + grants.map { "\($0.action)=\($0.effect.rawValue)" }.joined(separator: ",")))
            return record
        }
    }

    /// Removes a member's grants on a scope; `unknownMember` when there were none.
    func deleteGrants(tenantId: String, scopeId: String, memberId: String, actor: String, now: Date = Date()) async throws {
        let (tables, identity) = (self.tables, services.identityTables)
        try await services.environment.write { txn in
            guard try txn.deleteScopeGrants(tenantId: tenantId, scopeId: scopeId, memberId: memberId, tables: tables) else {
                throw ScopeError.unknownMember(memberId)
            }
            try txn.bumpSubjectVersions(tenantId: tenantId, subjectId: memberId, permissions: true, entitlements: false, tables: identity)
            try txn.bumpRevision(tenant: tenantId)
            try txn.appendAudit(AuditEvent(
                time: now, tenantId: tenantId, actor: actor, action: "scope.grants.delete", target: scopeId,
                reason: "member \(memberId)"))
        }
    }
}
