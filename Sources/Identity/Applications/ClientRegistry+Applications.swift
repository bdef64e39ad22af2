import Foundation
import Store

extension ClientRegistry {
    // MARK: Applications

    /// Creates an application. Without `key`, one is made from the name (made unique with
    /// a random suffix if the tenant already uses it); an explicit key that is taken is an
    /// error. With `enforcingPlanQuota` the tenant's `maxApplications` is counted in the
    /// same write transaction as the insert.
    public func createApplication(
        tenantId: String, name: String, key: String? = nil, externalConsumption: Bool = false, actor: String,
        enforcingPlanQuota: Bool = false, now: Date = Date()
    ) async throws -> Application {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        var errors: [FieldError] = []
        if let error = Self.nameError(trimmed) { errors.append(error) }
        if let key, !ApplicationKey.isValid(key) { errors.append(FieldError(field: "key", message: ApplicationKey.rule)) }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        let id = RandomID.make(prefix: "app")
        let explicitKey = key
        let derivedKey = ApplicationKey.derived(from: trimmed) ?? "app"
        let tables = self.tables
        let quotas = enforcingPlanQuota ? try quotaReader() : nil
        return try await environment.write { txn in
            if let quotas {
                let (plan, quota) = try quotas(txn, tenantId)
                if try Self.count(txn, tables.applications, prefix: Key(.string(tenantId))) >= quota.maxApplications {
                    throw QuotaExceeded(limit: "maxApplications", allowed: quota.maxApplications, plan: plan)
                }
            }
            var chosen = explicitKey ?? derivedKey
            if try !txn.put(tables.applicationKeys, Key(.string(tenantId), .string(chosen)), Array(id.utf8), overwrite: false) {
                guard explicitKey == nil else { throw ClientRegistryError.applicationKeyTaken(chosen) }
                // A derived key only has to be unique: borrow the id's random tail.
                let suffix = String(id.suffix(6))
                chosen = String(derivedKey.prefix(ApplicationKey.maxLength - 7)) + "-" + suffix
                while chosen.hasSuffix("-") { chosen.removeLast() }
                guard try txn.put(tables.applicationKeys, Key(.string(tenantId), .string(chosen)), Array(id.utf8), overwrite: false) else {
                    throw ClientRegistryError.applicationKeyTaken(chosen)
                }
            }
            let application = Application(
                id: id, tenantId: tenantId, name: trimmed, key: chosen, status: .active,
                externalConsumption: externalConsumption, createdAt: now)
            try txn.putJSON(tables.applications, Key(.string(tenantId), .string(id)), application)
            try txn.bumpRevision(tenant: tenantId)
            try txn.appendAudit(AuditEvent(
                time: now, tenantId: tenantId, actor: actor, action: "application.create", target: id,
                reason: "key \(chosen)"))
            return application
        }
    }

    public func application(tenantId: String, id: String) throws -> Application? {
        guard id.utf8.count <= 100 else { return nil }
        return try environment.read { try $0.getJSON(Application.self, tables.applications, Key(.string(tenantId), .string(id))) }
    }

    /// One page of the tenant's applications, in id order.
    public func applications(tenantId: String, after: String?, limit: Int) throws -> Page<Application> {
        let limit = min(max(limit, 1), Page<Application>.maxLimit)
        return try environment.read { txn in
            let rows = try txn.entries(
                tables.applications, prefix: Key(.string(tenantId)), after: after.map { Key(.string(tenantId), .string($0)) },
                limit: limit + 1)
            let items = try rows.prefix(limit).map { try StoredJSON.decode(Application.self, from: $0.value) }
            return Page(items: items, nextAfter: rows.count > limit ? items.last?.id : nil)
        }
    }

    public func updateApplication(
        tenantId: String, id: String, _ patch: ApplicationPatch, actor: String, now: Date = Date()
    ) async throws -> Application {
        var errors: [FieldError] = []
        let trimmedName = patch.name?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let trimmedName, let error = Self.nameError(trimmedName) { errors.append(error) }
        if let key = patch.key, !ApplicationKey.isValid(key) { errors.append(FieldError(field: "key", message: ApplicationKey.rule)) }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        let tables = self.tables
        return try await environment.write { txn in
            let recordKey = Key(.string(tenantId), .string(id))
            guard var application = try txn.getJSON(Application.self, tables.applications, recordKey) else {
                throw ClientRegistryError.unknownApplication(id)
            }
            if let key = patch.key, key != application.key {
                guard try txn.put(tables.applicationKeys, Key(.string(tenantId), .string(key)), Array(id.utf8), overwrite: false) else {
                    throw ClientRegistryError.applicationKeyTaken(key)
                }
                try txn.delete(tables.applicationKeys, Key(.string(tenantId), .string(application.key)))
                application.key = key
            }
            if let trimmedName { application.name = trimmedName }
            if let status = patch.status { application.status = status }
            if let external = patch.externalConsumption { application.externalConsumption = external }
            application.updatedAt = now
            try txn.putJSON(tables.applications, recordKey, application)
            try txn.bumpRevision(tenant: tenantId)
            try txn.appendAudit(AuditEvent(
                time: now, tenantId: tenantId, actor: actor, action: "application.update", target: id,
                reason: Self.describe(patch)))
            return application
        }
    }

    /// Deletes an application and its environments. One that still has clients is refused:
    /// deleting it would silently cut off every service using them.
    public func deleteApplication(tenantId: String, id: String, actor: String, now: Date = Date()) async throws {
        let tables = self.tables
        try await environment.write { txn in
            let recordKey = Key(.string(tenantId), .string(id))
            guard let application = try txn.getJSON(Application.self, tables.applications, recordKey) else {
                throw ClientRegistryError.unknownApplication(id)
            }
            var clients = 0
            try txn.scan(tables.clients, prefix: Key(.string(tenantId))) { _, value in
                if try StoredJSON.decode(OAuthClient.self, from: value).applicationId == id { clients += 1 }
                return true
            }
            guard clients == 0 else { throw ClientRegistryError.applicationHasClients(clients) }
            for row in try txn.entries(tables.environments, prefix: Key(.string(tenantId), .string(id))) {
                try txn.delete(tables.environments, row.key)
            }
            try txn.delete(tables.applicationKeys, Key(.string(tenantId), .string(application.key)))
            try txn.delete(tables.applications, recordKey)
            try txn.bumpRevision(tenant: tenantId)
            try txn.appendAudit(AuditEvent(
                time: now, tenantId: tenantId, actor: actor, action: "application.delete", target: id,
                reason: "key \(application.key)"))
        }
    }

    // MARK: Environments

    /// Adds an environment of `kind` to an application: at most one of each kind, and with
    /// `enforcingPlanQuota` at most the plan's `maxEnvironments`, both counted in the
    /// insert's transaction.
    public func createEnvironment(
        tenantId: String, applicationId: String, kind: ApplicationEnvironment.Kind, name: String? = nil, actor: String,
        enforcingPlanQuota: Bool = false, now: Date = Date()
    ) async throws -> ApplicationEnvironment {
        let trimmed = (name ?? kind.rawValue.prefix(1).uppercased() + kind.rawValue.dropFirst())
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if let error = Self.nameError(trimmed) { throw ValidationFailure([error]) }
        let created = ApplicationEnvironment(
            id: RandomID.make(prefix: "env"), tenantId: tenantId, applicationId: applicationId, kind: kind, name: trimmed,
            createdAt: now)
        let tables = self.tables
        let quotas = enforcingPlanQuota ? try quotaReader() : nil
        try await environment.write { txn in
            guard try txn.contains(tables.applications, Key(.string(tenantId), .string(applicationId))) else {
                throw ClientRegistryError.unknownApplication(applicationId)
            }
            let existing = try txn.entries(tables.environments, prefix: Key(.string(tenantId), .string(applicationId)))
                .map { try StoredJSON.decode(ApplicationEnvironment.self, from: $0.value) }
            if existing.contains(where: { $0.kind == kind }) { throw ClientRegistryError.environmentExists(kind) }
            if let quotas {
                let (plan, quota) = try quotas(txn, tenantId)
                if existing.count >= quota.maxEnvironments {
                    throw QuotaExceeded(limit: "maxEnvironments", allowed: quota.maxEnvironments, plan: plan)
                }
            }
            try txn.putJSON(tables.environments, Key(.string(tenantId), .string(applicationId), .string(created.id)), created)
            try txn.bumpRevision(tenant: tenantId)
            try txn.appendAudit(AuditEvent(
                time: now, tenantId: tenantId, actor: actor, action: "application.environment.create", target: created.id,
                reason: "\(kind.rawValue) of \(applicationId)"))
        }
        return created
    }

    /// The application's environments, in id order (three at most).
    public func environments(tenantId: String, applicationId: String) throws -> [ApplicationEnvironment] {
        try environment.read { txn in
            try txn.entries(tables.environments, prefix: Key(.string(tenantId), .string(applicationId)))
                .map { try StoredJSON.decode(ApplicationEnvironment.self, from: $0.value) }
        }
    }

    static func describe(_ patch: ApplicationPatch) -> String {
        var parts: [String] = []
        if patch.name != nil { parts.append("name") }
        if let key = patch.key { parts.append("key=\(key)") }
        if let status = patch.status { parts.append("status=\(status.rawValue)") }
        if let external = patch.externalConsumption { parts.append("externalConsumption=\(external)") }
        return parts.isEmpty ? "no change" : "changed " + parts.joined(separator: ", ")
    }
}
