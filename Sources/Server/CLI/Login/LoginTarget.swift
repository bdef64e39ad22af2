import ArgumentParser
import Foundation
import Identity

/// `--server URL --tenant SLUG`: which tenant issuer `arbiter login` and `arbiter token` talk to.
struct LoginTarget: ParsableArguments {
    @Option(help: "Base URL of the Arbiter server, as its users reach it (e.g. https://auth.example.com).")
    var server: String

    @Option(help: "Slug of the tenant to sign in to.")
    var tenant: String

    /// The server URL without trailing slashes; http(s) only.
    func baseURL() throws -> String {
        var base = server.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        let lower = base.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://"), URL(string: base)?.host != nil else {
            throw ValidationError("--server must be an http:// or https:// URL, e.g. https://auth.example.com")
        }
        return base
    }

    /// The tenant's issuer, `{server}/t/{slug}`: also the key its tokens are stored under.
    func issuer() throws -> String {
        let slug = tenant.trimmingCharacters(in: .whitespaces)
        guard !slug.isEmpty, slug.utf8.count <= 63,
              slug.utf8.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D })
        else { throw ValidationError("--tenant must be a tenant slug (lowercase letters, digits and dashes)") }
        return try baseURL() + "/t/" + slug
    }
}

/// A successful token response (RFC 6749 §5.1), as the CLI keeps it.
struct TokenAnswer {
    var accessToken: String
    var refreshToken: String?
    var idToken: String?
    var scope: String?
    var expiresIn: Int

    init(_ json: [String: Any]) throws {
        guard let accessToken = json["access_token"] as? String, !accessToken.isEmpty else {
            throw CLIFailure("the token endpoint answered without an access_token")
        }
        self.accessToken = accessToken
        refreshToken = json["refresh_token"] as? String
        idToken = json["id_token"] as? String
        scope = json["scope"] as? String
        expiresIn = (json["expires_in"] as? Int) ?? 3600
    }

    /// The access token's `sub`, read without verifying it: only for saying who signed in.
    var subject: String? {
        let parts = accessToken.split(separator: ".")
        guard parts.count == 3, let bytes = Base64URL.decode(parts[1]),
              let claims = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        else { return nil }
        return claims["sub"] as? String
    }
}
