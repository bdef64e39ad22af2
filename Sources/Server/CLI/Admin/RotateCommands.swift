import ArgumentParser
import Foundation
import Identity

/// `arbiter admin rotate-client-secret`: a new secret, the old one valid for a grace period.
struct RotateClientSecretCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-client-secret",
        abstract: "Give a client a new secret (printed once); old secrets stay valid for --grace-period seconds.",
        discussion: """
            Example:
              arbiter admin rotate-client-secret --tenant acme --client-id cli_… --grace-period 3600
            """
    )

    @OptionGroup var target: AdminTenantOptions

    @Option(name: .customLong("client-id"), help: "The client's id (cli_…).")
    var clientId: String

    @Option(name: .customLong("grace-period"), help: "Seconds the old secret keeps working (default 0: it stops now).")
    var gracePeriod: Int = 0

    func run() async throws {
        let opened = try target.open()
        let registry = opened.clientRegistry()
        do {
            let issued = try await registry.rotateSecret(
                tenantId: opened.tenant.id, clientId: clientId, gracePeriod: TimeInterval(gracePeriod), actor: operatorActor)
            print("client_id: \(issued.client.clientId)")
            print("client_secret: \(issued.secret)")
            printError("The secret is shown only now; Arbiter keeps only its hash.")
        } catch ClientRegistryError.unknownClient {
            throw ValidationError("no client '\(clientId)' in tenant '\(target.tenant)'")
        } catch let failure as ValidationFailure {
            throw ValidationError(failure.errors.map { "\($0.field): \($0.message)" }.joined(separator: "\n"))
        }
    }
}

/// `arbiter admin rotate-keys`: a new active signing key; the old one is retired but stays
/// in JWKS until every token and offline lease it signed has expired.
struct RotateKeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-keys",
        abstract: "Add a new active ES256 signing key and retire the current one.",
        discussion: """
            The retired key stays published in the tenant's JWKS as long as anything it signed
            may still be valid (access tokens: 1 hour; device offline leases: 7 days; plus
            leeway), so those keep verifying; then it drops out, and a later rotation deletes it. A running server picks up the new key on its next token.

            Example:
              arbiter admin rotate-keys --data-dir /var/lib/arbiter --tenant acme
            """
    )

    @OptionGroup var target: AdminTenantOptions

    func run() async throws {
        let opened = try target.open()
        let store = SigningKeyStore(environment: opened.environment, tables: opened.tables)
        let key = try await store.rotate(tenantId: opened.tenant.id, actor: operatorActor)
        print("active kid: \(key.kid)")
        for published in try store.publishedKeys(tenantId: opened.tenant.id) where !published.isActive {
            let until = published.retiredAt!.addingTimeInterval(AccessTokenLifetime.keyRetention)
            print("retired kid: \(published.kid) (published until \(until.ISO8601Format()))")
        }
    }
}
