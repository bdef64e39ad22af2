import ArgumentParser
import Foundation
import Identity

/// `arbiter token`: prints the access token `arbiter login` stored for a tenant, renewing it
/// first with the stored refresh token when it has expired (or is about to), so scripts can
/// always put `$(arbiter token …)` in an Authorization header.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Print the stored access token of a tenant, refreshing it when it has expired.",
        discussion: """
            Run arbiter login first. A refreshed token replaces the stored ones (refresh tokens rotate on every use).

            Example:
              TOKEN=$(arbiter token --server http://127.0.0.1:8080 --tenant acme)
              curl -H "Authorization: Bearer $TOKEN" -d "token=$TOKEN" \\
                  http://127.0.0.1:8080/t/acme/connect/introspect
            """
    )

    @OptionGroup var target: LoginTarget

    /// A token this close to its expiry is renewed rather than handed to a script.
    static let renewalMargin: TimeInterval = 60

    func run() async throws {
        let issuer = try target.issuer()
        let store = CredentialStore()
        let again = "arbiter login --server \(try target.baseURL()) --tenant \(target.tenant)"
        guard var login = try store.login(issuer: issuer) else {
            throw CLIFailure("not signed in to \(target.tenant) at \(try target.baseURL()); run \(again)")
        }
        if login.expiresAt.timeIntervalSinceNow > Self.renewalMargin {
            print(login.accessToken)
            return
        }
        guard let refreshToken = login.refreshToken else {
            throw CLIFailure("the stored access token has expired and there is no refresh token; run \(again)")
        }
        let answer = try await OAuthHTTPClient().postForm(login.tokenEndpoint, [
            ("grant_type", ClientPurpose.refreshToken), ("refresh_token", refreshToken),
            ("client_id", BuiltInClients.arbiterCLIId),
        ])
        guard answer.status == 200 else {
            if answer.error == "invalid_grant" {
                throw CLIFailure("the stored sign-in has ended (\(answer.errorDescription ?? "refresh refused")); run \(again)")
            }
            throw CLIFailure("refreshing the token failed: \(answer.problem)")
        }
        let tokens = try TokenAnswer(answer.json)
        login.accessToken = tokens.accessToken
        login.refreshToken = tokens.refreshToken ?? login.refreshToken
        login.idToken = tokens.idToken ?? login.idToken
        login.scope = tokens.scope ?? login.scope
        login.expiresAt = Date().addingTimeInterval(TimeInterval(tokens.expiresIn))
        login.subject = tokens.subject ?? login.subject
        try store.save(login)
        print(login.accessToken)
    }
}
