import Foundation

/// A node of an organization's resource-scope tree (DESIGN §3.5): organization → project →
/// resource …, each node carrying per-member allow/deny grants that `check-scoped` reads.
///
/// A root scope (no parent) hangs under its organization. `path` is the names from the root
/// down, joined by `/` (`/acme/projects/apollo`); paths are unique within the tenant (not
/// only within the organization), so a check can name a scope by path with nothing but the
/// token's tenant to resolve it. `depth` is 0 for a root.
public struct Scope: Codable, Sendable, Equatable {
    public var id: String
    public var tenantId: String
    public var organizationId: String
    public var parentId: String?
    public var name: String
    public var path: String
    public var depth: Int
    public var createdAt: Date

    public init(
        id: String, tenantId: String, organizationId: String, parentId: String?, name: String, path: String, depth: Int,
        createdAt: Date
    ) {
        self.id = id
        self.tenantId = tenantId
        self.organizationId = organizationId
        self.parentId = parentId
        self.name = name
        self.path = path
        self.depth = depth
        self.createdAt = createdAt
    }
}

/// One grant of a member on a scope: an action (or `*`, every action) allowed or denied.
public struct ScopeGrant: Codable, Sendable, Hashable {
    public enum Effect: String, Codable, Sendable, CaseIterable {
        case allow, deny
    }

    public var action: String
    public var effect: Effect

    public init(action: String, effect: Effect) {
        self.action = action
        self.effect = effect
    }

    public static let anyAction = "*"

    public func matches(_ requested: String) -> Bool {
        action == Self.anyAction || action == requested
    }
}

/// The grants of one member (a user id, the id a check's principal `User::"usr_…"` carries)
/// on one scope. Replaced as a whole by `PUT …/grants/{memberId}`.
public struct MemberGrants: Codable, Sendable, Equatable {
    public var scopeId: String
    public var memberId: String
    public var grants: [ScopeGrant]
    public var updatedAt: Date

    public init(scopeId: String, memberId: String, grants: [ScopeGrant], updatedAt: Date) {
        self.scopeId = scopeId
        self.memberId = memberId
        self.grants = grants
        self.updatedAt = updatedAt
    }
}

/// The bounds and character rules of scopes and grants.
public enum ScopeRules {
    /// At most 16 levels: depths 0…15.
    public static let maxDepth = 15
    public static let maxNameLength = 64
    public static let maxGrantsPerMember = 32
    public static let maxActionLength = 128
    /// Scopes one organization may hold.
    public static let maxScopesPerOrganization = 5_000

    public static let nameRule =
        "must be 1–64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit"
    public static let actionRule =
        "must be \"*\" or 1–128 characters of letters, digits, '.', '_', ':', '/' or '-'"

    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...maxNameLength).contains(bytes.count), isAlphanumeric(bytes[0]) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    public static func isValidAction(_ action: String) -> Bool {
        if action == ScopeGrant.anyAction { return true }
        let bytes = Array(action.utf8)
        guard (1...maxActionLength).contains(bytes.count) else { return false }
        return bytes.allSatisfy {
            isAlphanumeric($0) || [UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "/"), UInt8(ascii: "-")].contains($0)
        }
    }

    /// A path as a check may name it: `/`-separated valid names, at most `maxDepth + 1` deep.
    public static func isPlausiblePath(_ path: String) -> Bool {
        guard path.hasPrefix("/"), path.utf8.count <= (maxNameLength + 1) * (maxDepth + 1) else { return false }
        let names = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        return (1...(maxDepth + 1)).contains(names.count) && names.allSatisfy { isValidName(String($0)) }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}

/// Why a scope change was refused.
public enum ScopeError: Error, Equatable, Sendable {
    /// Not in the caller's tenant (or made up): answered as 404.
    case unknownScope(String)
    case unknownOrganization(String)
    case unknownMember(String)
    /// The parent is not a scope of the tenant: a field error on `parentId`.
    case unknownParent(String)
    case parentInOtherOrganization
    case tooDeep
    case pathTaken(String)
    case hasChildren(Int)
    case tooManyScopes(Int)
}
