import Crypto
import Foundation
import Store

/// Raw hardware identifiers (serial numbers, TPM EK hashes, …) are never stored: a device
/// is found by HMAC-SHA256 of the raw id under a per-tenant random salt, so equal serials
/// in two tenants hash differently and a leaked table reveals no serial numbers.
public enum HardwareIDs {
    public static let maxLength = 512

    /// The tenant's salt, made on first use inside the caller's write transaction.
    public static func salt(tenantId: String, tables: DeviceTables, in txn: WriteTransaction) throws -> [UInt8] {
        if let existing = try txn.get(tables.hardwareSalts, Key(.string(tenantId))), existing.count == 32 { return existing }
        let fresh = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        try txn.put(tables.hardwareSalts, Key(.string(tenantId)), fresh)
        return fresh
    }

    /// The tenant's salt if it has one (reads never create it).
    public static func existingSalt(tenantId: String, tables: DeviceTables, in txn: some TransactionReading) throws -> [UInt8]? {
        try txn.get(tables.hardwareSalts, Key(.string(tenantId)))
    }

    /// Hex HMAC-SHA256 of the raw id.
    public static func hash(_ rawId: String, salt: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(rawId.utf8), using: SymmetricKey(data: salt))
        return mac.map { String(format: "%02x", $0) }.joined()
    }
}
