import Foundation
import Store

/// The identifiers a registration created.
public struct TenantRegistrationResult: Codable, Sendable, Equatable {
    public var tenantId: String
    public var organizationId: String
    public var administratorUserId: String
    public var membershipId: String
    public var revision: UInt64
}

/// The records a registration writes, handed to `TenantRegistrar`'s in-transaction hook
/// (the Server projects them into the policy graph in the same transaction).
public struct RegisteredTenant: Sendable {
    public var tenant: Tenant
    public var organization: Organization
    public var administrator: User
    public var membership: Membership
}

public enum TenantRegistrationError: Error, Equatable {
    case slugTaken(String)
}

/// Creates a tenant, its first organization, the administrator user and an administrator
/// membership in one write transaction, with the tenant's first revision and an audit event.
public final class TenantRegistrar: Sendable {
    let environment: Environment
    let tables: IdentityTables
    let hasher: PasswordHasher
    /// Runs inside the transaction right after the tenant row is written; tests use it to
    /// prove that a failure there leaves nothing behind.
    let afterTenantWritten: (@Sendable () throws -> Void)?
    /// Runs inside the registration's transaction after every record is written, so what
    /// it writes (the policy graph's entities) commits or fails with the registration.
    let inTransaction: (@Sendable (WriteTransaction, RegisteredTenant) throws -> Void)?

    public convenience init(
        environment: Environment, tables: IdentityTables, hasher: PasswordHasher,
        inTransaction: (@Sendable (WriteTransaction, RegisteredTenant) throws -> Void)? = nil
    ) {
        self.init(environment: environment, tables: tables, hasher: hasher, afterTenantWritten: nil, inTransaction: inTransaction)
    }

    init(
        environment: Environment, tables: IdentityTables, hasher: PasswordHasher, afterTenantWritten: (@Sendable () throws -> Void)?,
        inTransaction: (@Sendable (WriteTransaction, RegisteredTenant) throws -> Void)? = nil
    ) {
        self.environment = environment
        self.tables = tables
        self.hasher = hasher
        self.afterTenantWritten = afterTenantWritten
        self.inTransaction = inTransaction
    }

    public func register(_ registration: TenantRegistration) async throws -> TenantRegistrationResult {
        let errors = registration.validationErrors()
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        let slug = registration.tenantSlug
        // Cheap early answer for a taken slug, before paying for bcrypt. The transaction
        // below still claims the slug atomically, so a race cannot create two tenants.
        if try environment.read({ try $0.contains(self.tables.tenantSlugs, Key(.string(slug))) }) {
            throw TenantRegistrationError.slugTaken(slug)
        }
        let passwordHash = await hasher.hash(registration.password)
        let now = Date()
        let tenant = Tenant(
            id: RandomID.make(prefix: "ten"), name: String(registration.tenantName.trimmingWhitespace),
            slug: slug, plan: Plan(rawValue: registration.planCode)!, createdAt: now)
        let organization = Organization(
            id: RandomID.make(prefix: "org"), tenantId: tenant.id, name: tenant.name, createdAt: now)
        let user = User(
            id: RandomID.make(prefix: "usr"), tenantId: tenant.id, userName: registration.userName,
            email: registration.email, passwordHash: passwordHash, active: true, createdAt: now)
        let membership = Membership(
            id: RandomID.make(prefix: "mem"), tenantId: tenant.id, organizationId: organization.id,
            userId: user.id, roles: [Membership.administratorRole], createdAt: now)
        let tables = self.tables
        let afterTenantWritten = self.afterTenantWritten
        let inTransaction = self.inTransaction

        return try await environment.write { txn in
            guard try txn.put(tables.tenantSlugs, Key(.string(slug)), Array(tenant.id.utf8), overwrite: false) else {
                throw TenantRegistrationError.slugTaken(slug)
            }
            try txn.putJSON(tables.tenants, Key(.string(tenant.id)), tenant)
            try afterTenantWritten?()
            try txn.putJSON(tables.organizations, Key(.string(tenant.id), .string(organization.id)), organization)
            try txn.putJSON(tables.users, Key(.string(tenant.id), .string(user.id)), user)
            try txn.put(tables.userNames, Key(.string(tenant.id), .string(user.userName.lowercased())), Array(user.id.utf8))
            try txn.putJSON(tables.memberships, Key(.string(tenant.id), .string(membership.id)), membership)
            try inTransaction?(txn, RegisteredTenant(
                tenant: tenant, organization: organization, administrator: user, membership: membership))
            let revision = try txn.bumpRevision(tenant: tenant.id)
            try txn.appendAudit(AuditEvent(
                tenantId: tenant.id, actor: user.id, action: "tenant.register",
                target: tenant.id, reason: "self-service registration of '\(slug)'"))
            return TenantRegistrationResult(
                tenantId: tenant.id, organizationId: organization.id, administratorUserId: user.id,
                membershipId: membership.id, revision: revision)
        }
    }
}
