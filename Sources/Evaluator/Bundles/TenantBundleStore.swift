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
public final class TenantBundleStore: Sendable {
    public let environment: Store.Environment
    let versions: Table
    let bytes: Table
    let active: Table

    public init(environment: Store.Environment) throws {
        self.environment = environment
        versions = try environment.table("policy.bundle_versions")
        bytes = try environment.table("policy.bundle_bytes")
        active = try environment.table("policy.active_bundles")
    }

    static func versionName(_ number: UInt64) -> String { "v\(number)" }

    static func number(of version: String) -> UInt64? {
        guard version.hasPrefix("v") else { return nil }
        return UInt64(version.dropFirst())
    }

    /// Stores a new version and, when `activate` is set, makes it active in the same
    /// transaction (with the tenant's revision bump and an audit event).
    public func save(_ bundle: PolicyBundle, tenant: String, actor: String, activate: Bool) async throws -> BundleVersionInfo {
        let encoded = BundleFormat.encode(bundle)
        let ruleCount = bundle.rules.count
        return try await environment.write { txn in
            let last = try txn.entries(self.versions, prefix: Key(.string(tenant))).last
            let next = (try last.flatMap { try $0.key.components().last?.uintValue } ?? 0) + 1
            let info = BundleVersionInfo(
                version: Self.versionName(next), number: next, createdAt: Date(), createdBy: actor,
                rules: ruleCount, bytes: encoded.count)
            let key = Key(.string(tenant), .uint(next))
            try txn.putJSON(self.versions, key, info)
            try txn.put(self.bytes, key, encoded)
            try txn.appendAudit(AuditEvent(
                tenantId: tenant, actor: actor, action: "policy.bundle.upload", target: info.version,
                reason: "\(ruleCount) rules"))
            if activate { try self.setActive(next, tenant: tenant, actor: actor, in: txn) }
            return info
        }
    }

    /// Makes a stored version the active one (forward or back).
    public func activate(_ version: String, tenant: String, actor: String) async throws -> PolicyBundle {
        guard let number = Self.number(of: version) else { throw TenantBundleError.unknownVersion(version) }
        return try await environment.write { txn in
            guard let bytes = try txn.get(self.bytes, Key(.string(tenant), .uint(number))) else {
                throw TenantBundleError.unknownVersion(version)
            }
            let bundle = try Self.decode(bytes, version: version)
            try self.setActive(number, tenant: tenant, actor: actor, in: txn)
            return bundle
        }
    }

    private func setActive(_ number: UInt64, tenant: String, actor: String, in txn: WriteTransaction) throws {
        try txn.put(active, Key(.string(tenant)), withUnsafeBytes(of: number.bigEndian) { Array($0) })
        try txn.bumpRevision(tenant: tenant)
        try txn.appendAudit(AuditEvent(
            tenantId: tenant, actor: actor, action: "policy.bundle.activate", target: Self.versionName(number)))
    }

    public func versions(tenant: String) throws -> [BundleVersionInfo] {
        try environment.read { txn in
            try txn.entries(versions, prefix: Key(.string(tenant))).map { try StoredJSON.decode(BundleVersionInfo.self, from: $0.value) }
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
