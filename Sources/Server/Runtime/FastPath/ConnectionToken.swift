import Identity

/// The bearer token a connection's last check carried, as its `Authorization` value and
/// what the verifier found for it (`AccessTokenVerifier.Finding`). Clients send check
/// after check with one token on a keep-alive connection; the next request with the same
/// header value skips parsing the token out of it and the shared cache's lookup (hashing
/// a token of ≈600 bytes under a lock), ≈2.5% of a check's server CPU, as long as the
/// verifier says the finding still holds — the same test the shared cache makes before it
/// skips the revocation reads, so a revocation, a disabled client, a sign-out or the
/// token's expiry takes effect on the next request here as everywhere.
///
/// One per connection handler, used on its event loop only: no lock.
struct ConnectionToken {
    private var authorization = ""
    private var token = ""
    private var finding: AccessTokenVerifier.Finding?

    /// The token and its finding for a request's `Authorization` value; nil when it is
    /// no bearer token, not in the verifier's cache, expired or revoked (the router then
    /// answers, as before).
    mutating func verified(_ authorization: String, verifier: AccessTokenVerifier) -> (token: String, finding: AccessTokenVerifier.Finding)? {
        if let finding, Self.same(authorization, self.authorization), verifier.stillHolds(finding) {
            return (token, finding)
        }
        finding = nil
        guard let token = BearerAuthenticator.bearerToken(authorization), !token.isEmpty,
              let found = (try? verifier.cachedFinding(token)) ?? nil
        else { return nil }
        (self.authorization, self.token, finding) = (authorization, token, found)
        return (token, found)
    }

    /// Compared in constant time: behind a proxy that pools its connections, the last
    /// token seen on one may be another caller's.
    static func same(_ a: String, _ b: String) -> Bool {
        ClientSecrets.constantTimeEqual(a, b)
    }
}
