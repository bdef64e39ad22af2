import Foundation
import Store

public enum ClientRegistryError: Error, Equatable {
    case unknownApplication(String)
    case unknownClient(String)
}

/// A client just created or given a new secret: the secret in clear, this once.
public struct IssuedClientSecret: Sendable, Equatable {
    public var client: OAuthClient
    public var secret: String
}

/// Applications and their OAuth clients: creation, secret rotation, status, and the
/// secret check of the token endpoint. Every change is one write transaction with the
/// tenant's revision bump and an audit event.
public final class ClientRegistry: Sendable {
    public let environment: Environment
    let tables: OAuthTables

    /// The longest grace period an old secret can be kept after a rotation.
    public static let maxSecretGracePeriod: TimeInterval = 30 * 24 * 3600
    public static let maxNameLength = 200

    public init(environment: Environment, tables: OAuthTables) {
        self.environment = environment
        self.tables = tables
    }

    // MARK: Applications

    public func createApplication(tenantId: String, name: String, actor: String, now: Date = Date()) async throws -> Application {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if let error = Self.nameError(trimmed) { throw ValidationFailure([error]) }
        let application = Application(
            id: RandomID.make(prefix: "app"), tenantId: tenantId, name: trimmed, status: .active, createdAt: now)
        let tables = self.tables
        try await environment.write { txn in
            try txn.putJSON(tables.applications, Key(.string(tenantId), .string(application.id)), application)
            try txn.bumpRevision(tenant: tenantId)
            try txn.appendAudit(AuditEvent(
                time: now, tenantId: tenantId, actor: actor, action: "application.create", target: application.id))
        }
        return application
    }

    public func application(tenantId: String, id: String) throws -> Application? {
        try environment.read { try $0.getJSON(Application.self, tables.applications, Key(.string(tenantId), .string(id))) }
    }

    // MARK: Clients

    /// Creates a client of an application with a first secret. `grantor` decides whether
    /// reserved capability scopes may be granted (operator only).
    public func createClient(
        tenantId: String, applicationId: String, name: String, purpose: ClientPurpose, scopes: [String],
        grantor: OAuthScopes.Grantor, actor: String, now: Date = Date()
    ) async throws -> IssuedClientSecret {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        var errors: [FieldError] = []
        if let error = Self.nameError(trimmed) { errors.append(error) }
        errors += OAuthScopes.grantErrors(scopes, purpose: purpose, grantor: grantor)
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        let secret = ClientSecrets.generate()
        let client = OAuthClient(
            clientId: RandomID.make(prefix: "cli"), tenantId: tenantId, applicationId: applicationId, name: trimmed,
            purpose: purpose, status: .active, scopes: scopes,
            secrets: [ClientSecretRecord(id: RandomID.make(prefix: "sec"), sha256: ClientSecrets.hash(secret), createdAt: now)],
            createdAt: now)
        let tables = self.tables
        try await environment.write { txn in
            guard try txn.contains(tables.applications, Key(.string(tenantId), .string(applicationId))) else {
                throw ClientRegistryError.unknownApplication(applicationId)
            }
            try txn.putJSON(tables.clients, Key(.string(tenantId), .string(client.clientId)), client)
            try txn.put(tables.clientTenants, Key(.string(client.clientId)), Array(tenantId.utf8))
            try txn.bumpRevision(tenant: tenantId)
            try txn.appendAudit(AuditEvent(
                time: now, tenantId: tenantId, actor: actor, action: "client.create", target: client.clientId,
                reason: "purpose \(purpose.rawValue), scopes \(scopes.joined(separator: " "))"))
        }
        return IssuedClientSecret(client: client, secret: secret)
    }

    /// A new secret for the client, returned once. The old secrets stay valid for
    /// `gracePeriod` seconds (0: they stop working now); secrets already expired are dropped.
    public func rotateSecret(
        tenantId: String, clientId: String, gracePeriod: TimeInterval, actor: String, now: Date = Date()
    ) async throws -> IssuedClientSecret {
        guard gracePeriod >= 0, gracePeriod <= Self.maxSecretGracePeriod else {
            throw ValidationFailure([FieldError(
                field: "gracePeriodSeconds", message: "must be between 0 and \(Int(Self.maxSecretGracePeriod))")])
        }
        let secret = ClientSecrets.generate()
        let tables = self.tables
        let client: OAuthClient = try await environment.write { txn in
            let key = Key(.string(tenantId), .string(clientId))
            guard var client = try txn.getJSON(OAuthClient.self, tables.clients, key) else {
                throw ClientRegistryError.unknownClient(clientId)
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

    static func nameError(_ name: String) -> FieldError? {
        if name.isEmpty { return FieldError(field: "name", message: "must not be empty") }
        if name.count > maxNameLength { return FieldError(field: "name", message: "must be at most \(maxNameLength) characters") }
        return nil
    }
}
