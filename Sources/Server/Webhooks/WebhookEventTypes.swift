/// The event types a webhook may subscribe to: audit action names, prefixes of them, or all.
///
/// Accepted forms: `*` (every event), an action name such as `client.create` or
/// `device.activation.revoke`, or a prefix ending in `.*` such as `device.*`. Names are
/// lowercase dot-separated segments of letters, digits and `_`, and the first segment must
/// be one of the families Arbiter writes audit events for, so a typo such as `devce.*` is a
/// 400 rather than a webhook that silently never fires.
enum WebhookEventTypes {
    static let families: [String] = [
        "access_token", "application", "authorization_code", "client", "device", "enterprise_connection", "graph",
        "group", "installation", "manifest", "membership", "policy", "refresh_token", "scim", "scope", "seat",
        "session", "ssf", "subscription", "tenant", "user", "webhook",
    ]

    static let maxCount = 50
    static let maxLength = 100

    /// Why `pattern` is not acceptable, or nil when it is.
    static func problem(_ pattern: String) -> String? {
        if pattern == "*" { return nil }
        guard !pattern.isEmpty, pattern.utf8.count <= maxLength else { return "must be 1 to \(maxLength) characters" }
        var name = Substring(pattern)
        if name.hasSuffix(".*") { name = name.dropLast(2) }
        let segments = name.split(separator: ".", omittingEmptySubsequences: false)
        let wellFormed = segments.allSatisfy { segment in
            !segment.isEmpty && segment.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
        }
        guard wellFormed else {
            return "must be *, an audit action such as client.create, or a prefix such as device.* (lowercase letters, digits, _ and dots)"
        }
        guard families.contains(String(segments[0])) else {
            return "'\(segments[0].prefix(40))' is not an event family; known families: " + families.joined(separator: ", ")
        }
        return nil
    }

    static func matches(_ pattern: String, action: String) -> Bool {
        if pattern == "*" { return true }
        if pattern.hasSuffix(".*") { return action.hasPrefix(pattern.dropLast()) }
        return action == pattern
    }
}
