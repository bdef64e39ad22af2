/// Role names as memberships carry them and policies read them (`Role::"<name>"`,
/// `principal.roles.contains("<name>")`): 1 to 64 ASCII letters, digits, `.`, `_`, `-`
/// or `:`, starting with a letter or digit, so a name is safe in an entity id, a log line
/// and a URL alike.
public enum RoleNames {
    public static let maxLength = 64
    public static let maxPerMembership = 20
    public static let rule = "must be 1 to 64 letters, digits, '.', '_', '-' or ':', starting with a letter or digit"

    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...maxLength).contains(bytes.count) else { return false }
        func alnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) }
        guard alnum(bytes[0]) else { return false }
        return bytes.allSatisfy { alnum($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D || $0 == 0x3A }
    }

    /// Every problem with a list of roles, under `field` (one error per bad entry).
    public static func validationErrors(_ roles: [String], field: String = "roles") -> [FieldError] {
        if roles.count > maxPerMembership {
            return [FieldError(field: field, message: "may list at most \(maxPerMembership) roles")]
        }
        return roles.enumerated().compactMap { index, role in
            isValid(role) ? nil : FieldError(field: "\(field)[\(index)]", message: rule)
        }
    }

    /// Sorted, without duplicates: the stored form.
    public static func normalized(_ roles: [String]) -> [String] { Array(Set(roles)).sorted() }
}
