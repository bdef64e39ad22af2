import HTTPTypes
import Hummingbird
import Identity

/// The browser-session cookie: an opaque random value standing for a sign-in session
/// (`BrowserSessionStore` maps it), so a second authorization request from the same browser
/// skips the password form.
///
/// `HttpOnly` keeps it from scripts; `SameSite=Lax` lets it ride along when a relying party
/// sends the browser here with a top-level GET, and keeps it off cross-site POSTs and
/// sub-requests; `Secure` whenever the server is reached over https.
enum BrowserSession {
    static let cookieName = "arbiter_session"

    /// The cookie value a request carries, if any.
    static func cookie(in request: Request) -> String? {
        guard let value = request.cookies[cookieName]?.value, !value.isEmpty, value.utf8.count <= 128 else { return nil }
        return value
    }

    static func setCookie(_ value: String, secure: Bool) -> HTTPField {
        // A session cookie (no Max-Age): the browser forgets it when it closes; the server
        // side ends with the sign-in session at the latest.
        var cookie = "\(cookieName)=\(value); Path=/; HttpOnly; SameSite=Lax"
        if secure { cookie += "; Secure" }
        return HTTPField(name: .setCookie, value: cookie)
    }

    static func clearCookie(secure: Bool) -> HTTPField {
        var cookie = "\(cookieName)=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
        if secure { cookie += "; Secure" }
        return HTTPField(name: .setCookie, value: cookie)
    }
}
