import ArgumentParser
import Foundation
import Identity

/// `arbiter admin create-client`: an application client with its first secret, shown once.
struct CreateClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-client",
        abstract: "Create an OAuth client and print its client_id and secret (the secret only this once).",
        discussion: """
            Without --application, a new application named like the client is created for it.
            As the operator you may grant the reserved capability scopes (arbiter.runtime.check,
            arbiter.manifest.publish, arbiter.devices.agent, arbiter.scim.admin,
            arbiter.ssf.manage for a Shared Signals receiver), which a tenant can never grant
            its own clients.

            An interactive_web client (authorization code + PKCE) needs at least one exact
            --redirect-uri; with --public it gets no secret and must use PKCE.

            Examples:
              arbiter admin create-client --tenant acme --name "Billing sync" \\
                  --purpose automation --scopes "arbiter.api tenant_context"
              arbiter admin create-client --tenant acme --name "Portal" --purpose interactive_web --public \\
                  --scopes "openid profile email offline_access tenant_context" \\
                  --redirect-uri https://portal.acme.example/callback \\
                  --post-logout-redirect-uri https://portal.acme.example/
              arbiter admin create-client --tenant acme --name "SIEM receiver" --purpose automation \\
                  --scopes "arbiter.ssf.manage tenant_context"
              arbiter admin create-client --tenant acme --name "Billing mTLS" --purpose automation \\
                  --scopes "arbiter.api" --tls-subject-dn "CN=billing,O=Acme"

            An automation client may authenticate with a certificate instead of a secret
            (RFC 8705): --tls-subject-dn for tls_client_auth (a certificate from the server's
            --client-ca with this subject; RFC 4514 order, as
            `openssl x509 -noout -subject -nameopt RFC2253` prints it) or --tls-thumbprint for
            self_signed_tls_client_auth (the certificate's SHA-256, base64url or hex as
            `openssl x509 -noout -fingerprint -sha256` prints it). It then gets no secret.
            """
    )

    @OptionGroup var target: AdminTenantOptions

    @Option(help: "Display name of the client.")
    var name: String

    @Option(help: "automation (client_secret_basic or client_secret_post), manifest_publisher (HTTP Basic only), interactive_web (authorization code + PKCE) or device.")
    var purpose: String

    @Option(help: "Space-separated scopes the client may receive.")
    var scopes: String

    @Option(help: "Id of an existing application of the tenant (app_…).")
    var application: String?

    @Option(name: .customLong("redirect-uri"), help: "An exact redirect URI of an interactive_web client (repeatable).")
    var redirectURIs: [String] = []

    @Option(name: .customLong("post-logout-redirect-uri"), help: "An exact post-logout redirect URI of an interactive_web client (repeatable).")
    var postLogoutRedirectURIs: [String] = []

    @Option(name: .customLong("tls-subject-dn"), help: "tls_client_auth: the subject DN of the client's certificate from the client CA.")
    var tlsSubjectDN: String?

    @Option(name: .customLong("tls-thumbprint"), help: "self_signed_tls_client_auth: SHA-256 of the client's certificate (base64url or hex).")
    var tlsThumbprint: String?

    @Flag(name: .customLong("public"), help: "An interactive_web client without a secret (PKCE only), for browser and native apps.")
    var isPublic = false

    func run() async throws {
        guard let purpose = ClientPurpose(rawValue: purpose) else {
            throw ValidationError("--purpose must be one of " + ClientPurpose.allCases.map(\.rawValue).joined(separator: ", "))
        }
        guard let scopeList = OAuthScopes.parse(scopes) else { throw ValidationError("--scopes is not a valid scope list") }
        let opened = try target.open()
        let registry = opened.clientRegistry()
        let tenantId = opened.tenant.id
        do {
            // Checked before an application is made, so a refused client leaves nothing behind.
            let registration = ClientRegistration(
                name: name, purpose: purpose, scopes: scopeList, isPublic: isPublic ? true : nil, redirectURIs: redirectURIs,
                postLogoutRedirectURIs: postLogoutRedirectURIs,
                certificate: ClientCertificate.binding(subjectDN: tlsSubjectDN, thumbprint: tlsThumbprint))
            let errors = registration.validationErrors(grantor: .operator)
            if !errors.isEmpty { throw ValidationFailure(errors) }
            let applicationId: String
            if let application {
                guard try registry.application(tenantId: tenantId, id: application) != nil else {
                    throw ValidationError("no application '\(application)' in tenant '\(target.tenant)'")
                }
                applicationId = application
            } else {
                applicationId = try await registry.createApplication(tenantId: tenantId, name: name, actor: operatorActor).id
            }
            let issued = try await registry.createClient(
                tenantId: tenantId, applicationId: applicationId, registration, grantor: .operator, actor: operatorActor)
            print("client_id: \(issued.client.clientId)")
            if issued.hasSecret { print("client_secret: \(issued.secret)") }
            print("application_id: \(applicationId)")
            print("scopes: \(issued.client.scopes.joined(separator: " "))")
            for uri in issued.client.redirectURIs ?? [] { print("redirect_uri: \(uri)") }
            if issued.hasSecret {
                printError("The secret is shown only now; Arbiter keeps only its hash.")
            } else {
                printError("This client has no secret: it authenticates with \(issued.client.authMethods.map(\.rawValue).joined(separator: ", ")).")
            }
        } catch let failure as ValidationFailure {
            throw ValidationError(failure.errors.map { "\($0.field): \($0.message)" }.joined(separator: "\n"))
        }
    }
}
