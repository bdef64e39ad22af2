import Foundation

/// Something a tenant builds that talks to Arbiter; its OAuth clients hang off it.
public struct Application: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        case active
        case disabled
    }

    public var id: String
    public var tenantId: String
    public var name: String
    /// A short slug-like handle, unique within the tenant (`billing`, `mobile-app`).
    public var key: String
    public var status: Status
    /// True when parties outside the tenant (customers, partners) consume the application.
    public var externalConsumption: Bool
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, tenantId: String, name: String, key: String, status: Status, externalConsumption: Bool,
        createdAt: Date, updatedAt: Date? = nil
    ) {
        self.id = id
        self.tenantId = tenantId
        self.name = name
        self.key = key
        self.status = status
        self.externalConsumption = externalConsumption
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, tenantId, name, key, status, externalConsumption, createdAt, updatedAt
    }

    /// Records written before keys existed have no `key`, `externalConsumption` or
    /// `updatedAt`; they read back with a key made from their id, which no slug a person
    /// picks will collide with (it carries the random part of the id).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        tenantId = try container.decode(String.self, forKey: .tenantId)
        name = try container.decode(String.self, forKey: .name)
        status = try container.decode(Status.self, forKey: .status)
        createdAt = try container.decode(Date.self, forKey: .createdAt)
        key = try container.decodeIfPresent(String.self, forKey: .key) ?? Self.legacyKey(id: id)
        externalConsumption = try container.decodeIfPresent(Bool.self, forKey: .externalConsumption) ?? false
        updatedAt = try container.decodeIfPresent(Date.self, forKey: .updatedAt) ?? createdAt
    }

    static func legacyKey(id: String) -> String {
        String(id.lowercased().map { $0 == "_" ? "-" : $0 }.prefix(ApplicationKey.maxLength))
    }
}

/// Rules for application keys: 1 to 63 lowercase letters, digits and hyphens, starting and
/// ending with a letter or digit, so a key can sit in a URL, a hostname or a file name.
public enum ApplicationKey {
    public static let maxLength = 63

    public static func isValid(_ key: String) -> Bool {
        let bytes = Array(key.utf8)
        guard (1...maxLength).contains(bytes.count) else { return false }
        func alnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        guard alnum(bytes.first!), alnum(bytes.last!) else { return false }
        return bytes.allSatisfy { alnum($0) || $0 == 0x2D }
    }

    /// A key made from a display name: ASCII letters and digits lowercased, runs of
    /// anything else turned into one hyphen. Nil when nothing usable is left.
    public static func derived(from name: String) -> String? {
        var out: [UInt8] = []
        var pendingHyphen = false
        for byte in name.utf8 {
            let lower = (byte >= 0x41 && byte <= 0x5A) ? byte + 0x20 : byte
            if (lower >= 0x61 && lower <= 0x7A) || (lower >= 0x30 && lower <= 0x39) {
                if pendingHyphen && !out.isEmpty { out.append(0x2D) }
                pendingHyphen = false
                out.append(lower)
                if out.count >= maxLength { break }
            } else {
                pendingHyphen = true
            }
        }
        while out.last == 0x2D { out.removeLast() }
        let key = String(decoding: out, as: UTF8.self)
        return isValid(key) ? key : nil
    }

    public static let rule = "must be 1 to 63 lowercase letters, digits or hyphens, starting and ending with a letter or digit"
}
