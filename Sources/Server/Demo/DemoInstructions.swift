/// The text `arbiter serve --demo` prints: what was loaded, and commands to paste into a
/// shell. Each command is one line (the e2e test runs exactly these lines), and the check
/// bodies name real ids of this data directory.
enum DemoInstructions {
    /// The two example checks: bob reads alice's roadmap as a reader of its folder; carol,
    /// who is not in engineering, may not.
    static let allowed = (user: "bob", action: "read", document: "roadmap")
    static let denied = (user: "carol", action: "read", document: "roadmap")

    /// `baseURL` is where this server listens (scheme, host, port), without a trailing slash.
    static func text(_ demo: DemoTenant, baseURL: String) -> String {
        let tokenURL = "\(baseURL)/t/\(DemoData.tenantSlug)/connect/token"
        let checkURL = "\(baseURL)/api/runtime/authorization/check"
        let password = demo.administratorPassword.map { "password \($0) (shown only now)" }
            ?? "password as printed at the first --demo start (unchanged)"
        func check(_ example: (user: String, action: String, document: String)) -> String {
            let principal = demo.userIds[example.user] ?? example.user
            let body = #"{"principal": {"type": "User", "id": "\#(principal)"}, "action": "\#(example.action)", "resource": {"type": "Document", "id": "\#(example.document)"}}"#
            return "curl -s \(checkURL) -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' -d '\(body)'"
        }
        let users = DemoData.members.map { "\($0.userName) (User::\"\(demo.userIds[$0.userName] ?? "?")\", group \($0.group))" }
        let documents = DemoData.documents.map { "Document::\"\($0.id)\" (owner \($0.owner), folder \($0.folder)\($0.archived ? ", archived" : ""))" }
        return """

            ── Arbiter demo ─────────────────────────────────────────────────────────────
            Tenant \(DemoData.tenantSlug) (\(demo.tenantId)), issuer \(baseURL)/t/\(DemoData.tenantSlug)
              administrator  \(DemoData.administrator), \(password)
              users          \(users.joined(separator: ", "))
              documents      \(documents.joined(separator: ", "))
              policies       bundle \(demo.bundleVersion) (\(DemoData.bundleFile)): owners read/edit/share, folder reader groups read, archived documents are read-only
              device         \(demo.deviceId) (\(DemoData.deviceName), trusted)
              client         \(demo.clientId) (automation, scope \(DemoData.clientScopes.joined(separator: " ")); a new secret on every --demo start)

            Get a token with the client's credentials, then ask two questions:

            TOKEN=$(curl -s -u '\(demo.clientId):\(demo.clientSecret)' -d grant_type=client_credentials \(tokenURL) | sed -E 's/.*"access_token" *: *"([^"]+)".*/\\1/')
            \(check(allowed))
            # → "allowed": true   (\(allowed.user) is in engineering, the reader group of the roadmap's folder)
            \(check(denied))
            # → "allowed": false  (\(denied.user) is neither the owner nor a reader of engineering)
            ─────────────────────────────────────────────────────────────────────────────

            """
    }

    /// Where curl reaches this listener: a wildcard address is reached on loopback.
    static func baseURL(host: String, port: Int, tls: Bool) -> String {
        let reachable: String = switch host {
        case "0.0.0.0", "": "127.0.0.1"
        case "::", "[::]": "[::1]"
        default: host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        }
        return "\(tls ? "https" : "http")://\(reachable):\(port)"
    }
}
