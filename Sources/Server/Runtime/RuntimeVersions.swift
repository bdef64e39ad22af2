import Evaluator
import Identity
import Store

/// The `permVer`/`entVer` a check reports for its principal: the subject's own
/// `SubjectVersions` (under (tenant, user id or client id), bumped when its roles, groups,
/// grants or seats change) with the tenant's policy epoch added to `permVer` (the tenant
/// bundle is an applicable policy of every subject, and `TenantBundleStore` bumps the
/// epoch once per activation instead of every subject's counter). Whoever puts
/// `perm_ver`/`ent_ver` in a new token must add the epoch the same way.
enum RuntimeVersions {
    struct Pair: Sendable, Equatable {
        var permVer: Int64
        var entVer: Int64
    }

    /// The subject's own counters under its encoded (tenant id, subject id) key: a point
    /// read and a byte-level decode of `{"permVer":…,"entVer":…}` (no Foundation decoder
    /// for it). `RuntimeVersionReader` adds the policy epoch.
    static func read(_ table: Table, rawKey: UnsafeRawBufferPointer, in txn: some TransactionReading) throws -> Pair {
        let stored: Pair?? = try txn.withValue(table, rawKey: rawKey) { bytes -> Pair? in
            guard case .object(let members) = try? JSON.parse(Array(bytes), maxDepth: 2) else { return nil }
            var pair = Pair(permVer: 1, entVer: 1)
            for member in members {
                guard case .integer(let n) = member.value else { continue }
                if member.key == "permVer" { pair.permVer = n } else if member.key == "entVer" { pair.entVer = n }
            }
            return pair
        }
        switch stored {
        case .some(.some(let pair)): return pair
        case .some(.none):
            // Not the expected shape: fall back to the Identity decoder, which reports it.
            let versions = try txn.getJSON(SubjectVersions.self, table, Key(encoded: Array(rawKey))) ?? .initial
            return Pair(permVer: versions.permVer, entVer: versions.entVer)
        case .none: return Pair(permVer: 1, entVer: 1)
        }
    }
}
