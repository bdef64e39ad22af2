import Foundation
import Store

public enum ClientRegistryError: Error, Equatable {
    case unknownApplication(String)
    case unknownClient(String)
    case unknownEnvironment(String)
    /// Another application of the tenant already has this key.
    case applicationKeyTaken(String)
    /// The application already has an environment of this kind.
    case environmentExists(ApplicationEnvironment.Kind)
    /// An application with clients cannot be deleted; delete (or move) its clients first.
    case applicationHasClients(Int)
}

/// A client change, handed to `ClientRegistry`'s in-transaction hook (the Server mirrors
/// clients into the policy graph in the same transaction).
public enum ClientRegistryChange: Sendable {
    case saved(OAuthClient)
    case deleted(tenantId: String, clientId: String)
}

/// A client just created or given a new secret: the secret in clear, this once. Empty for
/// a client that has no secret (public clients and certificate clients).
public struct IssuedClientSecret: Sendable, Equatable {
    public var client: OAuthClient
    public var secret: String

    public var hasSecret: Bool { !secret.isEmpty }
}

/// One page of a listing, in id order; `nextAfter` is the id to pass as `after` for the
/// next page, nil on the last one.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextAfter: String?

    public static var maxLimit: Int { 100 }
    public static var defaultLimit: Int { 50 }
}

extension Page: Equatable where Item: Equatable {}

/// Applications, their environments and their OAuth clients: creation, changes, secret
/// rotation, deletion, and the secret check of the token endpoint. Every change is one
/// write transaction with the tenant's revision bump and an audit event; plan quotas,
/// when enforced, are counted inside that same transaction.
public final class ClientRegistry: Sendable {
    public let environment: Environment
    let tables: OAuthTables
    /// Where tenants (and so their plans) live; needed only to enforce plan quotas.
    let identity: IdentityTables?
    /// Runs inside the transaction of every client create, update and delete.
    let inTransaction: (@Sendable (WriteTransaction, ClientRegistryChange) throws -> Void)?

    /// The longest grace period an old secret can be kept after a rotation.
    public static let maxSecretGracePeriod: TimeInterval = 30 * 24 * 3600
    public static let maxNameLength = 200

    public init(
        environment: Environment, tables: OAuthTables, identity: IdentityTables? = nil,
        inTransaction: (@Sendable (WriteTransaction, ClientRegistryChange) throws -> Void)? = nil
    ) {
        self.environment = environment
        self.tables = tables
        self.identity = identity
        self.inTransaction = inTransaction
    }

    // MARK: Clients

    /// Creates a client of an application with a first secret (a compatibility shape of
    /// `createClient(tenantId:applicationId:_:)`). `grantor` decides whether reserved
    /// capability scopes may be granted (operator only).
    public func createClient(
        tenantId: String, applicationId: String, name: String, purpose: ClientPurpose, scopes: [String],
        grantor: OAuthScopes.Grantor, actor: String, isPublic: Bool? = nil, redirectURIs: [String] = [],
        postLogoutRedirectURIs: [String] = [], now: Date = Date()
    ) async throws -> IssuedClientSecret {
        try await createClient(
            tenantId: tenantId, applicationId: applicationId,
            ClientRegistration(
                name: name, purpose: purpose, scopes: scopes, isPublic: isPublic, redirectURIs: redirectURIs,
                postLogoutRedirectURIs: postLogoutRedirectURIs),
            grantor: grantor, actor: actor, now: now)
    }

    /// Creates a client as `registration` describes, after checking it against its
    /// purpose. A confidential secret client gets a first secret, returned once; public
    /// and certificate clients get none. With `enforcingPlanQuota` the tenant's
    /// `maxClients` is counted in the same transaction as the insert.
    public func createClient(
        tenantId: String, applicationId: String, _ registration: ClientRegistration, grantor: OAuthScopes.Grantor,
        actor: String, enforcingPlanQuota: Bool = false, now: Date = Date()
    ) async throws -> IssuedClientSecret {
        let errors = registration.validationErrors(grantor: grantor)
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        let secret = registration.isSecretless ? "" : ClientSecrets.generate()
        let isPublic = registration.resolvedPublic
        let client = OAuthClient(
            clientId: RandomID.make(prefix: "cli"), tenantId: tenantId, applicationId: applicationId,
            name: registration.name.trimmingCharacters(in: .whitespacesAndNewlines),
            purpose: registration.purpose, status: .active, scopes: registration.scopes,
            secrets: secret.isEmpty ? [] : [ClientSecretRecord(
                id: RandomID.make(prefix: "sec"), sha256: ClientSecrets.hash(secret), createdAt: now)],
            createdAt: now,
            isPublic: isPublic,
            redirectURIs: registration.purpose == .interactiveWeb ? registration.redirectURIs : nil,
            postLogoutRedirectURIs: registration.purpose == .interactiveWeb ? registration.postLogoutRedirectURIs : nil,
            certificate: registration.certificate, environmentId: registration.environmentId)
        let tables = self.tables
        let quotas = enforcingPlanQuota ? try quotaReader() : nil
        let inTransaction = self.inTransaction
        try await environment.write { txn in
            guard try txn.contains(tables.applications, Key(.string(tenantId), .string(applicationId))) else {
                throw ClientRegistryError.unknownApplication(applicationId)
            }
            if let environmentId = registration.environmentId,
               try !txn.contains(tables.environments, Key(.string(tenantId), .string(applicationId), .string(environmentId))) {
                throw ClientRegistryError.unknownEnvironment(environmentId)
            }
            if let quotas {
                let (plan, quota) = try quotas(txn, tenantId)
                if try Self.count(txn, tables.clients, prefix: Key(.string(tenantId))) >= quota.maxClients {
                    throw QuotaExceeded(limit: "maxClients", allowed: quota.maxClients, plan: plan)
                }
            }
            try txn.putJSON(tables.clients, Key(.string(tenantId), .string(client.clientId)), client)
            try txn.put(tables.clientTenants, Key(.string(client.clientId)), Array(tenantId.utf8))
            try inTransaction?(txn, .saved(client))
            try txn.bumpRevision(tenant: tenantId)
            try txn.appendAudit(AuditEvent(
                time: now, tenantId: tenantId, actor: actor, action: "client.create", target: client.clientId,
                reason: "purpose \(client.purpose.rawValue), auth \(client.authMethods.map(\.rawValue).joined(separator: " ")), scopes \(client.scopes.joined(separator: " "))"))
        }
        return IssuedClientSecret(client: client, secret: secret)
    }

    /// The client with this id in this tenant (and, when given, of this application).
    public func client(tenantId: String, applicationId: String? = nil, id: String) throws -> OAuthClient? {
        guard id.utf8.count <= 100 else { return nil }
        let found = try environment.read { try $0.getJSON(OAuthClient.self, tables.clients, Key(.string(tenantId), .string(id))) }
        guard let found, applicationId == nil || found.applicationId == applicationId else { return nil }
        return found
    }

    /// One page of an application's clients, in client-id order.
    public func clients(tenantId: String, applicationId: String, after: String?, limit: Int) throws -> Page<OAuthClient> {
        let limit = min(max(limit, 1), Page<OAuthClient>.maxLimit)
        return try environment.read { txn in
            var items: [OAuthClient] = []
            var more = false
            try txn.scan(tables.clients, prefix: Key(.string(tenantId)), after: after.map { Key(.string(tenantId), .string($0)) }) { _, value in
                let client = try StoredJSON.decode(OAuthClient.self, from: value)
                guard client.applicationId == applicationId else { return true }
                if items.count == limit {
                    more = true
                    return false
                }
                items.append(client)
                return true
            }
            return Page(items: items, nextAfter: more ? items.last?.clientId : nil)
        }
    }

    /// Applies `patch` to a client of `applicationId`, checking each changed field against
    /// the client's purpose. Scopes are checked only when they change, so a client the
    /// operator gave a reserved scope can still be renamed through the API.
    public func updateClient(
        tenantId: String, applicationId: String, clientId: String, _ patch: ClientPatch, grantor: OAuthScopes.Grantor,
        actor: String, now: Date = Date()
    ) async throws -> OAuthClient {
        let tables = self.tables
        let inTransaction = self.inTransaction
        return try await environment.write { txn in
            let key = Key(.string(tenantId), .string(clientId))
            guard var client = try txn.getJSON(OAuthClient.self, tables.clients, key), client.applicationId == applicationId else {
                throw ClientRegistryError.unknownClient(clientId)
            }
            var errors: [FieldError] = []
            if let name = patch.name {
                let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
                if let error = Self.nameError(trimmed) { errors.append(error) } else { client.name = trimmed }
            }
            if let scopes = patch.scopes {
                errors += OAuthScopes.grantErrors(scopes, purpose: client.purpose, grantor: grantor)
                client.scopes = scopes
            }
            if let uris = patch.redirectURIs {
                if client.purpose == .interactiveWeb {
                    errors += RedirectURIRules.errors(uris, field: "redirectUris", required: true)
                } else {
                    errors.append(FieldError(field: "redirectUris", message: "only interactive_web clients have redirect URIs"))
                }
                client.redirectURIs = uris
            }
            if let uris = patch.postLogoutRedirectURIs {
                if client.purpose == .interactiveWeb {
                    errors += RedirectURIRules.errors(uris, field: "postLogoutRedirectUris", required: false)
                } else {
                    errors.append(FieldError(
                        field: "postLogoutRedirectUris", message: "only interactive_web clients have post-logout redirect URIs"))
                }
                client.postLogoutRedirectURIs = uris
            }
            if let status = patch.status { client.status = status }
            guard errors.isEmpty else { throw ValidationFailure(errors) }
            try txn.putJSON(tables.clients, key, client)
            try inTransaction?(txn, .saved(client))
            try txn.bumpRevision(tenant: tenantId)
            try txn.appendAudit(AuditEvent(
                time: now, tenantId: tenantId, actor: actor, action: "client.update", target: clientId,
                reason: Self.describe(patch)))
            return client
        }
    }

    /// Deletes a client of `applicationId` and its entry in the global client index, so
    /// its id stops authenticating anywhere at once.
    public func deleteClient(tenantId: String, applicationId: String, clientId: String, actor: String, now: Date = Date()) async throws {
        let tables = self.tables
        let inTransaction = self.inTransaction
        try await environment.write { txn in
            let key = Key(.string(tenantId), .string(clientId))
            guard let client = try txn.getJSON(OAuthClient.self, tables.clients, key), client.applicationId == applicationId else {
                throw ClientRegistryError.unknownClient(clientId)
            }
            try txn.delete(tables.clients, key)
            try txn.delete(tables.clientTenants, Key(.string(clientId)))
            try inTransaction?(txn, .deleted(tenantId: tenantId, clientId: clientId))
            try txn.bumpRevision(tenant: tenantId)
            try txn.appendAudit(AuditEvent(
                time: now, tenantId: tenantId, actor: actor, action: "client.delete", target: clientId,
                reason: "application \(applicationId)"))
        }
    }

    /// A new secret for the client, returned once. The old secrets stay valid for
    /// `gracePeriod` seconds (0: they stop working now); secrets already expired are dropped.
    /// With `applicationId`, the client must belong to that application. Clients without a
    /// secret (public, certificate) have none to rotate.
    public func rotateSecret(
        tenantId: String, applicationId: String? = nil, clientId: String, gracePeriod: TimeInterval, actor: String,
        now: Date = Date()
    ) async throws -> IssuedClientSecret {
        guard gracePeriod >= 0, gracePeriod <= Self.maxSecretGracePeriod else {
            throw ValidationFailure([FieldError(
                field: "gracePeriodSeconds", message: "must be between 0 and \(Int(Self.maxSecretGracePeriod))")])
        }
        let secret = ClientSecrets.generate()
        let tables = self.tables
        let client: OAuthClient = try await environment.write { txn in
            let key = Key(.string(tenantId), .string(clientId))
            guard var client = try txn.getJSON(OAuthClient.self, tables.clients, key),
                  applicationId == nil || client.applicationId == applicationId
            else {
                throw ClientRegistryError.unknownClient(clientId)
            }
            if client.publicClient || client.certificate != nil {
                throw ValidationFailure([FieldError(
                    field: "clientId",
                    message: "this client authenticates with \(client.authMethods.map(\.rawValue).joined(separator: ", ")) and has no secret to rotate")])
            }
            let oldUntil = now.addingTimeInterval(gracePeriod)
            client.secrets = client.secrets.compactMap { old in
                guard gracePeriod > 0, old.isValid(at: now) else { return nil }
                var kept = old
                kept.expiresAt = min(old.expiresAt ?? oldUntil, oldUntil)
                return kept
            }
            client.secrets.append(ClientSecretRecord(
                id: RandomID.make(prefix: "sec"), sha256: ClientSecrets.hash(secret), createdAt: now))
            try txn.putJSON(tables.clients, key, client)
            try txn.bumpRevision(tenant: tenantId)
            try txn.appendAudit(AuditEvent(
                time: now, tenantId: tenantId, actor: actor, action: "client.secret.rotate", target: clientId,
                reason: "old secrets valid for \(Int(gracePeriod)) s more"))
            return client
        }
        return IssuedClientSecret(client: client, secret: secret)
    }

    public func setStatus(tenantId: String, clientId: String, _ status: OAuthClient.Status, actor: String, now: Date = Date()) async throws {
        let tables = self.tables
        try await environment.write { txn in
            let key = Key(.string(tenantId), .string(clientId))
            guard var client = try txn.getJSON(OAuthClient.self, tables.clients, key) else {
                throw ClientRegistryError.unknownClient(clientId)
            }
            client.status = status
            try txn.putJSON(tables.clients, key, client)
            try txn.bumpRevision(tenant: tenantId)
            try txn.appendAudit(AuditEvent(
                time: now, tenantId: tenantId, actor: actor, action: "client.status", target: clientId, reason: status.rawValue))
        }
    }

    /// The client with this id, in whichever tenant it lives.
    public func client(id: String) throws -> OAuthClient? {
        guard id.utf8.count <= 100 else { return nil }
        return try environment.read { txn in
            guard let tenant = try txn.get(tables.clientTenants, Key(.string(id))) else { return nil }
            return try txn.getJSON(
                OAuthClient.self, tables.clients, Key(.string(String(decoding: tenant, as: UTF8.self)), .string(id)))
        }
    }

    /// The client when `secret` is one of its currently valid secrets; nil otherwise
    /// (unknown client, wrong or expired secret), without saying which.
    public func authenticate(clientId: String, secret: String, now: Date = Date()) throws -> OAuthClient? {
        guard let client = try client(id: clientId) else {
            // Same work as a known client, so timing does not tell whether the id exists.
            _ = ClientSecrets.matches(secret, storedHash: String(repeating: "0", count: 64))
            return nil
        }
        var matched = false
        for record in client.secrets where record.isValid(at: now) {
            if ClientSecrets.matches(secret, storedHash: record.sha256) { matched = true }
        }
        return matched ? client : nil
    }

    // MARK: Helpers

    static func nameError(_ name: String) -> FieldError? {
        if name.isEmpty { return FieldError(field: "name", message: "must not be empty") }
        if name.count > maxNameLength { return FieldError(field: "name", message: "must be at most \(maxNameLength) characters") }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return FieldError(field: "name", message: "must not contain control characters")
        }
        return nil
    }

    /// Reads the tenant's plan and quotas inside a transaction; fails when this registry
    /// was made without the identity tables (a configuration mistake, not bad input).
    func quotaReader() throws -> @Sendable (WriteTransaction, String) throws -> (Plan, PlanQuotas) {
        guard let identity else { throw QuotaConfigurationError() }
        return { txn, tenantId in
            let plan = try txn.getJSON(Tenant.self, identity.tenants, Key(.string(tenantId)))?.plan ?? .developer
            return (plan, PlanQuotas.of(plan))
        }
    }

    /// Number of keys under `prefix`, stopping early once past `stopAt`.
    static func count(_ txn: some TransactionReading, _ table: Table, prefix: Key, stopAt: Int = .max) throws -> Int {
        var count = 0
        try txn.scan(table, prefix: prefix) { _, _ in
            count += 1
            return count < stopAt
        }
        return count
    }

    static func describe(_ patch: ClientPatch) -> String {
        var parts: [String] = []
        if patch.name != nil { parts.append("name") }
        if let status = patch.status { parts.append("status=\(status.rawValue)") }
        if let scopes = patch.scopes { parts.append("scopes=\(scopes.joined(separator: " "))") }
        if patch.redirectURIs != nil { parts.append("redirectUris") }
        if patch.postLogoutRedirectURIs != nil { parts.append("postLogoutRedirectUris") }
        return parts.isEmpty ? "no change" : "changed " + parts.joined(separator: ", ")
    }
}

/// Quotas were asked for, but the registry cannot see the tenants table.
struct QuotaConfigurationError: Error {}
