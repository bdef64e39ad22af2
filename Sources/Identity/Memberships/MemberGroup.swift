import Foundation

/// A named set of members of one organization. Policies see it as `Group::"grp_…"`, a
/// parent of each member's `User`, so a rule can grant to everyone in it at once.
public struct MemberGroup: Codable, Sendable, Equatable {
    public var id: String
    public var tenantId: String
    public var organizationId: String
    public var name: String
    public var createdAt: Date

    /// Bounds that keep a group's record, its listing and a re-projection of its members small.
    public static let maxPerOrganization = 500
    public static let maxMembers = 1000
    public static let maxNameLength = 200

    public static func nameErrors(_ name: String) -> [FieldError] {
        if name.isEmpty { return [FieldError(field: "name", message: "must not be empty")] }
        if name.count > maxNameLength { return [FieldError(field: "name", message: "must be at most \(maxNameLength) characters")] }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return [FieldError(field: "name", message: "must not contain control characters")]
        }
        return []
    }
}
