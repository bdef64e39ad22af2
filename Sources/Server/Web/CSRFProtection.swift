import Crypto
import Foundation
import Hummingbird
import Identity

/// Cross-site request forgery protection for the server-rendered forms, by the double-
/// submit pattern: the page sets a random token in an `HttpOnly`, `SameSite=Strict` cookie
/// and repeats it in a hidden form field; a POST is accepted only when both are present and
/// equal. Another site can make a browser send the cookie but cannot read it to fill the field.
enum CSRFProtection {
    static let cookieName = "arbiter_csrf"
    static let fieldName = "csrf_token"

    /// The token of this browser, reusing the cookie's if it is well-formed, and the
    /// `Set-Cookie` header to send when a new one was made.
    static func token(for request: Request, secure: Bool) -> (token: String, setCookie: HTTPFields) {
        if let existing = request.cookies[cookieName]?.value, isWellFormed(existing) {
            return (existing, [:])
        }
        let token = ClientSecrets.generate()
        var cookie = "\(cookieName)=\(token); Path=/; HttpOnly; SameSite=Strict"
        if secure { cookie += "; Secure" }
        return (token, [.setCookie: cookie])
    }

    /// True when the submitted field matches the cookie (compared in constant time).
    static func verify(request: Request, submitted: String?) -> Bool {
        guard let submitted, let cookie = request.cookies[cookieName]?.value,
              isWellFormed(submitted), isWellFormed(cookie)
        else { return false }
        return ClientSecrets.matches(submitted, storedHash: ClientSecrets.hash(cookie))
    }

    /// Tokens are 43 base64url characters (`ClientSecrets.generate`).
    static func isWellFormed(_ value: String) -> Bool {
        value.utf8.count == 43 && value.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D || byte == 0x5F
        }
    }
}
