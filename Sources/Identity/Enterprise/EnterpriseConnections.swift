import Foundation
import Store

/// Creating, reading, changing and deleting a tenant's enterprise connections. Each change
/// is one write transaction with its audit event and the tenant's revision bump; the global
/// connection → tenant row is written and deleted with the record.
public struct EnterpriseConnections: Sendable {
    public let environment: Environment
    public let tables: EnterpriseTables
    let identity: IdentityTables

    public init(environment: Environment, tables: EnterpriseTables, identity: IdentityTables) {
        self.environment = environment
        self.tables = tables
        self.identity = identity
    }

    public func create(tenantId: String, _ draft: ConnectionDraft, actor: String, now: Date = Date()) async throws -> EnterpriseConnection {
        let (tables, identity) = (self.tables, self.identity)
        return try await environment.write { txn in
            try txn.createEnterpriseConnection(tenantId: tenantId, draft, actor: actor, now: now, tables: tables, identity: identity)
        }
    }

    public func connection(tenantId: String, id: String) throws -> EnterpriseConnection? {
        let tables = self.tables
        return try environment.read { txn in try txn.enterpriseConnection(tenantId: tenantId, id: id, tables: tables) }
    }

    public func list(tenantId: String, after: String?, limit: Int) throws -> Page<EnterpriseConnection> {
        let tables = self.tables
        let limit = min(max(limit, 1), Page<EnterpriseConnection>.maxLimit)
        return try environment.read { txn in
            let rows = try txn.entries(
                tables.connections, prefix: Key(.string(tenantId)), after: after.map { Key(.string(tenantId), .string($0)) },
                limit: limit + 1)
            let items = try rows.prefix(limit).map { try StoredJSON.decode(EnterpriseConnection.self, from: $0.value) }
            return Page(items: items, nextAfter: rows.count > limit ? items.last?.id : nil)
        }
    }

    public func update(tenantId: String, id: String, _ patch: ConnectionPatch, actor: String, now: Date = Date()) async throws -> EnterpriseConnection {
        let (tables, identity) = (self.tables, self.identity)
        return try await environment.write { txn in
            try txn.updateEnterpriseConnection(tenantId: tenantId, id: id, patch, actor: actor, now: now, tables: tables, identity: identity)
        }
    }

    public func delete(tenantId: String, id: String, actor: String, now: Date = Date()) async throws {
        let tables = self.tables
        try await environment.write { txn in
            try txn.deleteEnterpriseConnection(tenantId: tenantId, id: id, actor: actor, now: now, tables: tables)
        }
    }
}

extension TransactionReading {
    public func enterpriseConnection(tenantId: String, id: String, tables: EnterpriseTables) throws -> EnterpriseConnection? {
        guard !id.isEmpty, id.utf8.count <= 100 else { return nil }
        return try getJSON(EnterpriseConnection.self, tables.connections, Key(.string(tenantId), .string(id)))
    }

    /// A connection found by its id alone (SCIM paths carry no tenant).
    public func enterpriseConnection(id: String, tables: EnterpriseTables) throws -> EnterpriseConnection? {
        guard !id.isEmpty, id.utf8.count <= 100, let tenant = try get(tables.connectionTenants, Key(.string(id))) else { return nil }
        return try enterpriseConnection(tenantId: String(decoding: tenant, as: UTF8.self), id: id, tables: tables)
    }
}

extension WriteTransaction {
    public func createEnterpriseConnection(
        tenantId: String, _ draft: ConnectionDraft, actor: String, now: Date, tables: EnterpriseTables, identity: IdentityTables
    ) throws -> EnterpriseConnection {
        let errors = ConnectionRules.validate(draft)
        guard errors.isEmpty else { throw EnterpriseConnectionError.invalid(errors) }
        var jit = draft.jit
        if let defaults = jit {
            try requireOrganization(tenantId: tenantId, defaults.organizationId, identity: identity)
            jit?.roles = RoleNames.normalized(defaults.roles)
        }
        var count = 0
        try scan(tables.connections, prefix: Key(.string(tenantId))) { _, _ in
            count += 1
            return count < ConnectionRules.maxConnectionsPerTenant
        }
        guard count < ConnectionRules.maxConnectionsPerTenant else {
            throw EnterpriseConnectionError.tooManyConnections(ConnectionRules.maxConnectionsPerTenant)
        }
        let id = RandomID.make(prefix: "con")
        var connection = EnterpriseConnection(
            id: id, tenantId: tenantId, type: draft.type, name: draft.name, providerKey: draft.providerKey, jit: jit,
            createdAt: now, updatedAt: now)
        if let input = draft.oidc, draft.type == .oidc {
            var oidc = OIDCSettings(
                issuer: input.issuer ?? "", clientId: input.clientId ?? "", scopes: input.scopes ?? ConnectionRules.defaultScopes,
                claimMappings: input.claimMappings ?? [:])
            if let secret = input.clientSecret { oidc.setSecret(secret, at: now) }
            connection.oidc = oidc
        }
        if let input = draft.saml, draft.type == .saml {
            connection.saml = SAMLSettings(
                idpEntityId: input.idpEntityId ?? "", ssoUrl: input.ssoUrl ?? "",
                signingCertificate: try input.signingCertificate.map(Self.parsedCertificate),
                nameIdFormat: input.nameIdFormat ?? ConnectionRules.defaultNameIdFormat,
                attributeMappings: input.attributeMappings ?? [:])
        }
        try putJSON(tables.connections, Key(.string(tenantId), .string(id)), connection)
        try put(tables.connectionTenants, Key(.string(id)), Array(tenantId.utf8))
        try bumpRevision(tenant: tenantId)
        try appendAudit(AuditEvent(
            time: now, tenantId: tenantId, actor: actor, action: "enterprise_connection.create", target: id,
            reason: "\(draft.type.rawValue) \(draft.providerKey)"))
        return connection
    }

    public func updateEnterpriseConnection(
        tenantId: String, id: String, _ patch: ConnectionPatch, actor: String, now: Date, tables: EnterpriseTables,
        identity: IdentityTables
    ) throws -> EnterpriseConnection {
        guard var connection = try enterpriseConnection(tenantId: tenantId, id: id, tables: tables) else {
            throw EnterpriseConnectionError.unknownConnection(id)
        }
        let errors = ConnectionRules.validate(patch, type: connection.type)
        guard errors.isEmpty else { throw EnterpriseConnectionError.invalid(errors) }
        var changed: [String] = []
        if let name = patch.name { connection.name = name; changed.append("name") }
        if let key = patch.providerKey { connection.providerKey = key; changed.append("providerKey") }
        if let input = patch.oidc, var oidc = connection.oidc {
            if let issuer = input.issuer { oidc.issuer = issuer; changed.append("oidc.issuer") }
            if let clientId = input.clientId { oidc.clientId = clientId; changed.append("oidc.clientId") }
            if let secret = input.clientSecret { oidc.setSecret(secret, at: now); changed.append("oidc.clientSecret") }
            if let scopes = input.scopes { oidc.scopes = scopes; changed.append("oidc.scopes") }
            if let mappings = input.claimMappings { oidc.claimMappings = mappings; changed.append("oidc.claimMappings") }
            connection.oidc = oidc
        }
        if let input = patch.saml, var saml = connection.saml {
            if let entityId = input.idpEntityId { saml.idpEntityId = entityId; changed.append("saml.idpEntityId") }
            if let ssoUrl = input.ssoUrl { saml.ssoUrl = ssoUrl; changed.append("saml.ssoUrl") }
            if let pem = input.signingCertificate {
                saml.signingCertificate = try Self.parsedCertificate(pem)
                changed.append("saml.signingCertificate")
            }
            if let format = input.nameIdFormat { saml.nameIdFormat = format; changed.append("saml.nameIdFormat") }
            if let mappings = input.attributeMappings { saml.attributeMappings = mappings; changed.append("saml.attributeMappings") }
            connection.saml = saml
        }
        if let jit = patch.jit {
            try requireOrganization(tenantId: tenantId, jit.organizationId, identity: identity)
            connection.jit = JITDefaults(organizationId: jit.organizationId, roles: RoleNames.normalized(jit.roles))
            changed.append("jit")
        }
        connection.updatedAt = now
        try putJSON(tables.connections, Key(.string(tenantId), .string(id)), connection)
        try bumpRevision(tenant: tenantId)
        try appendAudit(AuditEvent(
            time: now, tenantId: tenantId, actor: actor, action: "enterprise_connection.update", target: id,
            reason: changed.joined(separator: ",")))
        return connection
    }

    /// Deletes the connection and, with its record, its SCIM token's hash: the token stops
    /// working at this commit.
    public func deleteEnterpriseConnection(tenantId: String, id: String, actor: String, now: Date, tables: EnterpriseTables) throws {
        guard let connection = try enterpriseConnection(tenantId: tenantId, id: id, tables: tables) else {
            throw EnterpriseConnectionError.unknownConnection(id)
        }
        try delete(tables.connections, Key(.string(tenantId), .string(id)))
        try delete(tables.connectionTenants, Key(.string(id)))
        try bumpRevision(tenant: tenantId)
        try appendAudit(AuditEvent(
            time: now, tenantId: tenantId, actor: actor, action: "enterprise_connection.delete", target: id,
            reason: connection.scimToken != nil ? "SCIM token revoked" : nil))
    }

    func requireOrganization(tenantId: String, _ organizationId: String, identity: IdentityTables) throws {
        guard !organizationId.isEmpty, organizationId.utf8.count <= 100,
              try contains(identity.organizations, Key(.string(tenantId), .string(organizationId)))
        else { throw EnterpriseConnectionError.unknownOrganization(organizationId) }
    }

    static func parsedCertificate(_ pem: String) throws -> CertificateMetadata {
        switch CertificateMetadata.parse(pem: pem) {
        case .success(let metadata): return metadata
        case .failure(let failure):
            throw EnterpriseConnectionError.invalid([FieldError(field: "saml.signingCertificate", message: failure.message)])
        }
    }
}

extension OIDCSettings {
    mutating func setSecret(_ secret: String, at now: Date) {
        clientSecretHash = ClientSecrets.hash(secret)
        clientSecretHint = String(secret.suffix(4))
        clientSecretSetAt = now
    }
}
