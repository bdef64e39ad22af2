import Foundation

/// What a registered redirect URI (or post-logout redirect URI) may be. The authorization
/// endpoint compares them by exact string, so what is registered here is the whole defence
/// against sending a code to an attacker: absolute, https (plain http only to the loopback
/// host, RFC 8252 §7.3), no fragment (RFC 6749 §3.1.2), no credentials, bounded.
public enum RedirectURIRules {
    public static let maxCount = 10
    public static let maxBytes = 2048

    /// Every problem with `uris`, as field errors on `field`.
    public static func errors(_ uris: [String], field: String, required: Bool) -> [FieldError] {
        var errors: [FieldError] = []
        if required && uris.isEmpty {
            errors.append(FieldError(field: field, message: "must list at least one redirect URI"))
        }
        if uris.count > maxCount {
            errors.append(FieldError(field: field, message: "may list at most \(maxCount) URIs"))
            return errors
        }
        var seen: Set<String> = []
        for uri in uris {
            if let problem = problem(uri) {
                errors.append(FieldError(field: field, message: "'\(uri.prefix(100))' \(problem)"))
            } else if !seen.insert(uri).inserted {
                errors.append(FieldError(field: field, message: "lists '\(uri.prefix(100))' twice"))
            }
        }
        return errors
    }

    /// Why `uri` cannot be registered, or nil when it can.
    static func problem(_ uri: String) -> String? {
        guard uri.utf8.count <= maxBytes else { return "is longer than \(maxBytes) bytes" }
        guard !uri.contains("#") else { return "must not have a fragment" }
        guard uri.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            return "must be printable ASCII without spaces (percent-encode the rest)"
        }
        guard let components = URLComponents(string: uri), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty
        else { return "is not an absolute URI with a host" }
        guard components.user == nil, components.password == nil else { return "must not carry user information" }
        switch scheme {
        case "https":
            return nil
        case "http":
            let loopback = ["localhost", "127.0.0.1", "[::1]", "::1"]
            return loopback.contains(host.lowercased()) ? nil : "must use https (http is allowed only for localhost and 127.0.0.1)"
        default:
            return "must use https (http is allowed only for localhost and 127.0.0.1)"
        }
    }
}
