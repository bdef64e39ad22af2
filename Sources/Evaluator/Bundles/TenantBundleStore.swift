import Foundation
import PolicyLang
import Store

/// What is known about one stored bundle version of a tenant.
public struct BundleVersionInfo: Codable, Sendable, Equatable {
    public var version: String
    public var number: UInt64
    public var createdAt: Date
    public var createdBy: String
    public var rules: Int
    public var bytes: Int
    /// When this version last became the active one (nil: never active).
    public var activatedAt: Date?
    /// Names of the uploaded source files, when they were stored with the version.
    public var files: [String]?
}

/// The outcome of storing or activating a version: what the HTTP layer answers and what it
/// swaps into the `PolicyRegistry` after the transaction commits.
public struct BundleActivation: Sendable {
    public var info: BundleVersionInfo
    public var bundle: PolicyBundle
    /// The tenant's revision after the change.
    public var revision: UInt64
    /// The tenant's policy epoch after the change (see `policyEpoch(tenantId:)`); it only
    /// ever grows, so of two activations the later-committed one has the larger epoch.
    public var policyEpoch: Int64
}

public enum TenantBundleError: Error, Equatable {
    case unknownVersion(String)
    case corrupt(String)
}

/// Tenants' compiled policy bundles in LMDB: every uploaded version is kept (so rollback
/// is an activation of an older one), and one is active.
/// - `policy.bundle_versions`  (tenant, number) → `BundleVersionInfo` (JSON)
/// - `policy.bundle_bytes`     (tenant, number) → `BundleFormat` bytes
/// - `policy.active_bundles`   (tenant) → active version number
/// - `policy.bundle_sources`   (tenant, number) → the uploaded files, name → text (JSON)
/// - `policy.epochs`           (tenant) → policy epoch (8 bytes big-endian), +1 per activation
public final class TenantBundleStore: Sendable {
    public let environment: Store.Environment
    let versions: Table
    let bytes: Table
    let active: Table
    let sources: Table
    let epochs: Table

    public init(environment: Store.Environment) throws {
        self.environment = environment
        versions = try environment.table("policy.bundle_versions")
        bytes = try environment.table("policy.bundle_bytes")
        active = try environment.table("policy.active_bundles")
        sources = try environment.table("policy.bundle_sources")
        epochs = try environment.table("policy.epochs")
    }

    static func versionName(_ number: UInt64) -> String { "v\(number)" }

    static func number(of version: String) -> UInt64? {
        guard version.hasPrefix("v") else { return nil }
        return UInt64(version.dropFirst())
    }

    /// Stores a new version and, when `activate` is set, makes it active in the same
    /// transaction (with the tenant's revision bump and an audit event).
    public func save(_ bundle: PolicyBundle, tenant: String, actor: String, activate: Bool) async throws -> BundleVersionInfo {
        try await store(bundle, sources: nil, tenant: tenant, actor: actor, activate: activate).info
    }

    /// Stores a new version with the files it was compiled from (kept so an administrator
    /// can read back exactly what was uploaded) and, when `activate` is set, makes it the
    /// active one — all in one write transaction with the audit events, the revision bump
    /// and the policy-epoch bump.
    public func store(
        _ bundle: PolicyBundle, sources files: [String: String]?, tenant: String, actor: String, activate: Bool
    ) async throws -> BundleActivation {
        let encoded = BundleFormat.encode(bundle)
        let ruleCount = bundle.rules.count
        return try await environment.write { txn in
            let last = try txn.entries(self.versions, prefix: Key(.string(tenant))).last
            let next = (try last.flatMap { try $0.key.components().last?.uintValue } ?? 0) + 1
            var info = BundleVersionInfo(
                version: Self.versionName(next), number: next, createdAt: Date(), createdBy: actor,
                rules: ruleCount, bytes: encoded.count, files: files.map { $0.keys.sorted() })
            let key = Key(.string(tenant), .uint(next))
            try txn.putJSON(self.versions, key, info)
            try txn.put(self.bytes, key, encoded)
            if let files { try txn.putJSON(self.sources, key, files) }
            try txn.appendAudit(AuditEvent(
                tenantId: tenant, actor: actor, action: "policy.bundle.upload", target: info.version,
                reason: "\(ruleCount) rules"))
            var revision = try txn.revision(tenant: tenant)
            var epoch = try self.policyEpoch(tenantId: tenant, in: txn)
            if activate { (info, revision, epoch) = try self.setActive(next, tenant: tenant, actor: actor, in: txn) }
            return BundleActivation(info: info, bundle: bundle, revision: revision, policyEpoch: epoch)
        }
    }

    /// Makes a stored version the active one (forward or back).
    public func activate(_ version: String, tenant: String, actor: String) async throws -> PolicyBundle {
        try await activateVersion(version, tenant: tenant, actor: actor).bundle
    }

    /// Makes a stored version of this tenant the active one (forward or back). A version
    /// name that is malformed, unknown or another tenant's is `unknownVersion`.
    public func activateVersion(_ version: String, tenant: String, actor: String) async throws -> BundleActivation {
        guard let number = Self.number(of: version) else { throw TenantBundleError.unknownVersion(version) }
        return try await environment.write { txn in
            guard let bytes = try txn.get(self.bytes, Key(.string(tenant), .uint(number))) else {
                throw TenantBundleError.unknownVersion(version)
            }
            let bundle = try Self.decode(bytes, version: version)
            let (info, revision, epoch) = try self.setActive(number, tenant: tenant, actor: actor, in: txn)
            return BundleActivation(info: info, bundle: bundle, revision: revision, policyEpoch: epoch)
        }
    }

    private func setActive(
        _ number: UInt64, tenant: String, actor: String, in txn: WriteTransaction
    ) throws -> (BundleVersionInfo, UInt64, Int64) {
        let key = Key(.string(tenant), .uint(number))
        guard var info = try txn.getJSON(BundleVersionInfo.self, versions, key) else {
            throw TenantBundleError.corrupt("bundle \(Self.versionName(number)) of \(tenant) has no version record")
        }
        info.activatedAt = Date()
        try txn.putJSON(versions, key, info)
        try txn.put(active, Key(.string(tenant)), withUnsafeBytes(of: number.bigEndian) { Array($0) })
        let revision = try txn.bumpRevision(tenant: tenant)
        let epoch = try policyEpoch(tenantId: tenant, in: txn) + 1
        try txn.put(epochs, Key(.string(tenant)), withUnsafeBytes(of: UInt64(epoch).bigEndian) { Array($0) })
        try txn.appendAudit(AuditEvent(
            tenantId: tenant, actor: actor, action: "policy.bundle.activate", target: Self.versionName(number)))
        return (info, revision, epoch)
    }

    // MARK: The policy epoch

    /// How many times the tenant's active bundle has changed (0 before the first
    /// activation). The tenant's bundle is one of the "applicable policies" of every
    /// subject in the tenant, so a subject's effective `perm_ver` is its own counter plus
    /// this epoch: an activation (or rollback) then moves every subject's `perm_ver` at
    /// once, in the same transaction as the activation, without rewriting one record per
    /// subject.
    public func policyEpoch(tenantId: String) throws -> Int64 {
        try environment.read { txn in try policyEpoch(tenantId: tenantId, in: txn) }
    }

    /// The same, inside a transaction the caller holds (so it matches the other counters
    /// read in it). Stored as 8 raw bytes so every check can read it without a decoder.
    public func policyEpoch(tenantId: String, in txn: some TransactionReading) throws -> Int64 {
        try txn.withValue(epochs, Key(.string(tenantId))) { bytes -> Int64 in
            guard bytes.count == 8 else { return 0 }
            return Int64(truncatingIfNeeded: bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        } ?? 0
    }

    // MARK: Reading

    /// One version's record; nil when this tenant has no such version.
    public func info(_ version: String, tenant: String) throws -> BundleVersionInfo? {
        guard let number = Self.number(of: version) else { return nil }
        return try environment.read { txn in
            try txn.getJSON(BundleVersionInfo.self, versions, Key(.string(tenant), .uint(number)))
        }
    }

    /// The files a version was compiled from, as uploaded; nil when not stored.
    public func sources(_ version: String, tenant: String) throws -> [String: String]? {
        guard let number = Self.number(of: version) else { return nil }
        return try environment.read { txn in
            try txn.getJSON([String: String].self, sources, Key(.string(tenant), .uint(number)))
        }
    }

    public func versions(tenant: String) throws -> [BundleVersionInfo] {
        try environment.read { txn in
            try txn.entries(versions, prefix: Key(.string(tenant))).map { try StoredJSON.decode(BundleVersionInfo.self, from: $0.value) }
        }
    }

    /// A page of the tenant's versions in version order, starting after `after`.
    public func versions(tenant: String, after: String?, limit: Int) throws -> (items: [BundleVersionInfo], more: Bool) {
        let start = after.flatMap(Self.number(of:)).map { Key(.string(tenant), .uint($0)) }
        return try environment.read { txn in
            let rows = try txn.entries(versions, prefix: Key(.string(tenant)), after: start, limit: limit + 1)
            let items = try rows.prefix(limit).map { try StoredJSON.decode(BundleVersionInfo.self, from: $0.value) }
            return (items, rows.count > limit)
        }
    }

    public func activeVersion(tenant: String) throws -> String? {
        try environment.read { txn in
            try txn.withValue(active, Key(.string(tenant))) { Self.versionName($0.reduce(0) { $0 << 8 | UInt64($1) }) }
        }
    }

    /// Every tenant's active bundle, decoded: what a starting server loads.
    public func loadActive() throws -> [String: ActiveBundle] {
        try environment.read { txn in
            var result: [String: ActiveBundle] = [:]
            for (key, value) in try txn.entries(active, prefix: Key()) {
                guard let tenant = try key.components().first?.stringValue else { continue }
                let number = value.reduce(0) { $0 << 8 | UInt64($1) }
                let version = Self.versionName(number)
                guard let bytes = try txn.get(self.bytes, Key(.string(tenant), .uint(number))) else {
                    throw TenantBundleError.corrupt("active bundle \(version) of \(tenant) is missing")
                }
                result[tenant] = ActiveBundle(version: version, program: Program(bundle: try Self.decode(bytes, version: version)))
            }
            return result
        }
    }

    static func decode(_ bytes: [UInt8], version: String) throws -> PolicyBundle {
        do throws(BundleFormatError) {
            return try BundleFormat.decode(bytes)
        } catch {
            throw TenantBundleError.corrupt("bundle \(version): \(error.message)")
        }
    }
}
