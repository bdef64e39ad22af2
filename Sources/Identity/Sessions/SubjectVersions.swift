import Foundation
import Store

/// The `perm_ver` and `ent_ver` counters of a subject (a user or a client, keyed by its id).
///
/// `perm_ver` moves whenever the subject's roles, groups, grants or applicable policies
/// change; `ent_ver` whenever its tenant's subscriptions, entitlements or its seats change.
/// Callers compare them with the values in a token to know when cached decisions are stale.
/// Writers bump them in the same write transaction as the change; a subject nothing has
/// changed for yet is at version 1.
public struct SubjectVersions: Codable, Sendable, Equatable {
    public var permVer: Int64
    public var entVer: Int64

    public static let initial = SubjectVersions(permVer: 1, entVer: 1)

    public init(permVer: Int64, entVer: Int64) {
        self.permVer = permVer
        self.entVer = entVer
    }
}

extension TransactionReading {
    public func subjectVersions(tenantId: String, subjectId: String, tables: IdentityTables) throws -> SubjectVersions {
        try getJSON(SubjectVersions.self, tables.subjectVersions, Key(.string(tenantId), .string(subjectId))) ?? .initial
    }
}

extension WriteTransaction {
    /// Bumps the subject's counters inside the caller's write transaction.
    @discardableResult
    public func bumpSubjectVersions(
        tenantId: String, subjectId: String, permissions: Bool, entitlements: Bool, tables: IdentityTables
    ) throws -> SubjectVersions {
        var versions = try subjectVersions(tenantId: tenantId, subjectId: subjectId, tables: tables)
        if permissions { versions.permVer += 1 }
        if entitlements { versions.entVer += 1 }
        try putJSON(tables.subjectVersions, Key(.string(tenantId), .string(subjectId)), versions)
        return versions
    }
}
