import ArgumentParser
import Foundation
import Identity

/// `arbiter login`: signs in to a tenant with the device authorization grant (RFC 8628)
/// through the tenant's built-in `arbiter-cli` client, so it works on a machine with no
/// browser: the user approves on any device at the address printed.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Sign in to a tenant with the device flow and keep the tokens for `arbiter token`.",
        discussion: """
            Prints an address and a code on stderr. Open the address on any device, enter the code, your user name and password, and approve. The tokens are then stored in $ARBITER_CONFIG_DIR/credentials.json (default ~/.config/arbiter/credentials.json, mode 0600), keyed by server and tenant; arbiter token prints the access token and renews it when it expires.

            Example:
              arbiter login --server http://127.0.0.1:8080 --tenant acme
              TOKEN=$(arbiter token --server http://127.0.0.1:8080 --tenant acme)
              curl -H "Authorization: Bearer $TOKEN" -d "token=$TOKEN" \\
                  http://127.0.0.1:8080/t/acme/connect/introspect
            """
    )

    @OptionGroup var target: LoginTarget

    @Option(help: "Space-separated scopes to ask for (default: all of arbiter-cli's).")
    var scope: String = BuiltInClients.arbiterCLIScopes.joined(separator: " ")

    @Flag(help: "Do not store the tokens; print the access token on stdout instead.")
    var noStore = false

    func run() async throws {
        let base = try target.baseURL()
        let expectedIssuer = try target.issuer()
        guard OAuthScopes.parse(scope) != nil else { throw ValidationError("--scope is not a valid scope list") }
        let http = OAuthHTTPClient()

        let discovery = try await http.getJSON(expectedIssuer + "/.well-known/openid-configuration")
        guard discovery.status == 200 else {
            throw CLIFailure(discovery.status == 404
                ? "no tenant '\(target.tenant)' at \(base)"
                : "discovery at \(expectedIssuer) failed: \(discovery.problem)")
        }
        let issuer = discovery.json["issuer"] as? String ?? expectedIssuer
        guard let tokenEndpoint = discovery.json["token_endpoint"] as? String else {
            throw CLIFailure("the discovery document of \(issuer) names no token_endpoint")
        }
        let deviceEndpoint = discovery.json["device_authorization_endpoint"] as? String
            ?? issuer + "/connect/deviceauthorization"

        let started = try await http.postForm(deviceEndpoint, [("client_id", BuiltInClients.arbiterCLIId), ("scope", scope)])
        guard started.status == 200,
              let deviceCode = started.json["device_code"] as? String,
              let userCode = started.json["user_code"] as? String,
              let verificationURI = started.json["verification_uri"] as? String
        else { throw CLIFailure("the device authorization request failed: \(started.problem)") }
        var interval = max(1, started.json["interval"] as? Int ?? 5)
        let expiresIn = max(1, started.json["expires_in"] as? Int ?? 600)
        let complete = started.json["verification_uri_complete"] as? String

        printError("To sign in to \(target.tenant), open \(verificationURI) and enter the code: \(userCode)")
        if let complete { printError("Or open: \(complete)") }
        printError("Waiting for approval (the code expires in \(expiresIn / 60) min)…")

        let deadline = Date().addingTimeInterval(TimeInterval(expiresIn))
        var answer: TokenAnswer?
        while answer == nil {
            guard Date() < deadline else { throw CLIFailure("the code expired before it was approved; run arbiter login again") }
            try await Task.sleep(for: .seconds(interval))
            let poll = try await http.postForm(tokenEndpoint, [
                ("grant_type", ClientPurpose.deviceCode), ("device_code", deviceCode), ("client_id", BuiltInClients.arbiterCLIId),
            ])
            if poll.status == 200 {
                answer = try TokenAnswer(poll.json)
                break
            }
            switch poll.error {
            case "authorization_pending": continue
            case "slow_down": interval += 5  // RFC 8628 §3.5: for this and every later poll
            case "access_denied": throw CLIFailure("the request was denied on the device page")
            case "expired_token": throw CLIFailure("the code expired before it was approved; run arbiter login again")
            default: throw CLIFailure("sign-in failed: \(poll.problem)")
            }
        }
        guard let tokens = answer else { return }
        let minutes = tokens.expiresIn / 60
        let who = tokens.subject.map { " as \($0)" } ?? ""
        if noStore {
            print(tokens.accessToken)
            printError("Signed in to \(target.tenant) at \(base)\(who); access token valid for \(minutes) min (not stored).")
            return
        }
        let store = CredentialStore()
        try store.save(StoredLogin(
            server: base, tenant: target.tenant, issuer: expectedIssuer, tokenEndpoint: tokenEndpoint,
            accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, idToken: tokens.idToken,
            scope: tokens.scope ?? scope, expiresAt: Date().addingTimeInterval(TimeInterval(tokens.expiresIn)),
            subject: tokens.subject))
        let renewal = tokens.refreshToken == nil ? "" : ", renewed by arbiter token"
        print("Signed in to \(target.tenant) at \(base)\(who); access token valid for \(minutes) min\(renewal); stored in \(store.path)")
    }
}
