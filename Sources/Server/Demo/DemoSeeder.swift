import Devices
import Evaluator
import Foundation
import Identity
import PolicyLang
import Store

/// What the demo start produced: everything the printed commands need.
struct DemoTenant: Sendable, Equatable {
    var tenantId: String
    var organizationId: String
    /// Only when this start created the administrator (its hash is all that is kept).
    var administratorPassword: String?
    var userIds: [String: String]
    var groupIds: [String: String]
    var deviceId: String
    var clientId: String
    /// Fresh on every start: an existing demo client's secret is rotated so the printed
    /// commands work.
    var clientSecret: String
    var bundleVersion: String
}

/// Loads the demo tenant through the same services the API uses (registrar, membership
/// and group transactions with their graph projection, the bundle store and registry,
/// `DeviceRecords`, the client registry), so the demo data is exactly what real calls
/// would have written, audit events included.
///
/// Each piece is found by its natural key first and made only when missing: a second
/// start on the same data directory reuses the demo (and completes one interrupted
/// half-way); only the client secret changes.
struct DemoSeeder {
    let services: ArbiterApplication.Services

    enum Failure: Error, CustomStringConvertible {
        case foreignTenant(String)
        case bundle([Diagnostic])

        var description: String {
            switch self {
            case .foreignTenant(let slug):
                "a tenant '\(slug)' exists in this data directory without the demo administrator '\(DemoData.administrator)'; --demo will not write into it (use another --data-dir)"
            case .bundle(let diagnostics):
                "the demo policy bundle does not compile: " + diagnostics.map { "\($0)" }.joined(separator: "; ")
            }
        }
    }

    func seed() async throws -> DemoTenant {
        let (tenantId, organizationId, password) = try await tenantAndAdministrator()
        var groupIds: [String: String] = [:]
        for name in DemoData.groups {
            groupIds[name] = try await group(name, tenantId: tenantId, organizationId: organizationId)
        }
        var userIds: [String: String] = [:]
        for member in DemoData.members {
            let (userId, membershipId) = try await self.member(member.userName, tenantId: tenantId, organizationId: organizationId)
            userIds[member.userName] = userId
            if let groupId = groupIds[member.group] {
                try await addToGroup(groupId, membershipId: membershipId, tenantId: tenantId, organizationId: organizationId)
            }
        }
        try await graphEntities(tenantId: tenantId, userIds: userIds, groupIds: groupIds)
        let version = try await bundle(tenantId: tenantId)
        let deviceId = try await device(tenantId: tenantId, organizationId: organizationId)
        let (clientId, secret) = try await client(tenantId: tenantId)
        return DemoTenant(
            tenantId: tenantId, organizationId: organizationId, administratorPassword: password, userIds: userIds,
            groupIds: groupIds, deviceId: deviceId, clientId: clientId, clientSecret: secret, bundleVersion: version)
    }

    static func randomPassword() -> String { String(ClientSecrets.generate().prefix(20)) }

    // MARK: Tenant and administrator

    private func tenantAndAdministrator() async throws -> (tenantId: String, organizationId: String, password: String?) {
        let identity = services.identityTables
        let memberships = services.membershipTables
        let existing = try services.environment.read { txn -> (String, String?)? in
            guard let tenant = try identity.tenant(slug: DemoData.tenantSlug, in: txn) else { return nil }
            guard let adminId = try txn.get(identity.userNames, Key(.string(tenant.id), .string(DemoData.administrator))) else {
                return (tenant.id, nil)
            }
            let organizationId = try txn.memberships(
                ofUser: String(decoding: adminId, as: UTF8.self), tenantId: tenant.id, tables: memberships
            ).first?.organizationId
            return (tenant.id, organizationId)
        }
        if let (tenantId, organizationId) = existing {
            guard let organizationId else { throw Failure.foreignTenant(DemoData.tenantSlug) }
            return (tenantId, organizationId, nil)
        }
        let password = Self.randomPassword()
        let registered = try await services.registrar.register(TenantRegistration(
            tenantName: DemoData.tenantName, tenantSlug: DemoData.tenantSlug, userName: DemoData.administrator,
            email: DemoData.administratorEmail, password: password, planCode: DemoData.plan))
        return (registered.tenantId, registered.organizationId, password)
    }

    // MARK: Members and groups

    /// Runs an Identity change with the graph projection of the users it touched and the
    /// revision bump, in one write transaction (as the organization routes do).
    private func write<T: Sendable>(
        tenantId: String, _ change: @escaping @Sendable (WriteTransaction, MembershipTables) throws -> (T, upserts: [Entity], users: [String])
    ) async throws -> T {
        let tables = services.membershipTables
        let graph = services.graph
        let licensing = services.licensing
        return try await services.environment.write { txn in
            let (result, upserts, users) = try change(txn, tables)
            // Nothing changed (a member already in its group): no revision bump either.
            guard !upserts.isEmpty || !users.isEmpty else { return result }
            try graph.upsert(upserts, tenant: tenantId, in: txn)
            for userId in Set(users).sorted() {
                try IdentityFacts.projectUser(
                    tenantId: tenantId, userId: userId, graph: graph, tables: tables, licensing: licensing, in: txn)
            }
            try txn.bumpRevision(tenant: tenantId)
            return result
        }
    }

    private func group(_ name: String, tenantId: String, organizationId: String) async throws -> String {
        let tables = services.membershipTables
        if let found = try services.environment.read({ txn in
            try txn.groups(tenantId: tenantId, organizationId: organizationId, after: nil, limit: MemberGroup.maxPerOrganization, tables: tables)
                .items.first { $0.name == name }
        }) {
            return found.id
        }
        return try await write(tenantId: tenantId) { txn, tables in
            let group = try txn.createGroup(tenantId: tenantId, organizationId: organizationId, name: name, actor: DemoData.actor, tables: tables)
            return (group.id, [IdentityFacts.group(group)], [])
        }
    }

    private func member(_ userName: String, tenantId: String, organizationId: String) async throws -> (userId: String, membershipId: String) {
        let tables = services.membershipTables
        let identity = services.identityTables
        let found = try services.environment.read { txn -> (String, String?)? in
            guard let id = try txn.get(identity.userNames, Key(.string(tenantId), .string(userName))) else { return nil }
            let userId = String(decoding: id, as: UTF8.self)
            let membership = try txn.memberships(ofUser: userId, tenantId: tenantId, tables: tables)
                .first { $0.organizationId == organizationId }
            return (userId, membership?.id)
        }
        if let (userId, membershipId) = found, let membershipId { return (userId, membershipId) }
        let member: PreparedMember = if let (userId, _) = found {
            .existingUser(id: userId)
        } else {
            try await NewMember.newUser(userName: userName, email: "\(userName)@demo.example", password: Self.randomPassword())
                .prepared(tenantId: tenantId, hasher: services.passwordHasher)
        }
        return try await write(tenantId: tenantId) { txn, tables in
            let (membership, user) = try txn.addMembership(
                tenantId: tenantId, organizationId: organizationId, member: member, roles: ["member"], actor: DemoData.actor, tables: tables)
            return ((user.id, membership.id), [], [user.id])
        }
    }

    private func addToGroup(_ groupId: String, membershipId: String, tenantId: String, organizationId: String) async throws {
        try await write(tenantId: tenantId) { txn, tables in
            let userId = try txn.addGroupMember(
                tenantId: tenantId, organizationId: organizationId, groupId: groupId, membershipId: membershipId,
                actor: DemoData.actor, tables: tables)
            return ((), [], userId.map { [$0] } ?? [])
        }
    }

    // MARK: Folders and documents

    private func graphEntities(tenantId: String, userIds: [String: String], groupIds: [String: String]) async throws {
        let wanted = DemoData.entities(userIds: userIds, groupIds: groupIds)
        let missing = try services.graph.read(tenant: tenantId) { entities in
            try wanted.filter { try !entities.contains($0.uid) }
        }
        guard !missing.isEmpty else { return }
        _ = try await services.graph.apply(
            tenant: tenantId, upserts: missing, actor: DemoData.actor,
            reason: "demo folders and documents: " + missing.map { "\($0.uid.type)::\"\($0.uid.id)\"" }.joined(separator: ", "))
    }

    // MARK: Tenant policies

    /// The demo bundle goes through the upload route's checks (compile, management-surface
    /// guard) and its activator (store + activate in one transaction, then the registry).
    private func bundle(tenantId: String) async throws -> String {
        if let active = try services.tenantBundles.activeVersion(tenant: tenantId) { return active }
        let files = [DemoData.bundleFile: DemoData.bundle]
        let output = await PolicyBundleActivator.compile(files)
        let diagnostics = output.diagnostics + ManagementSurfaceGuard.diagnostics(for: output.policySet.rules)
        guard diagnostics.isEmpty, let bundle = output.bundle else { throw Failure.bundle(diagnostics) }
        let activator = PolicyBundleActivator(store: services.tenantBundles, registry: services.policies)
        return try await activator.publish(bundle, sources: files, tenant: tenantId, actor: DemoData.actor).info.version
    }

    // MARK: Device

    /// A trusted device of the organization, written through `DeviceRecords` (indexes,
    /// graph projection, revision) with its audit event.
    private func device(tenantId: String, organizationId: String) async throws -> String {
        let records = services.deviceRecords
        let tables = services.deviceTables
        return try await services.environment.write { txn in
            let salt = try HardwareIDs.salt(tenantId: tenantId, tables: tables, in: txn)
            let hash = HardwareIDs.hash(DemoData.deviceHardwareId, salt: salt)
            if let id = try records.deviceId(tenantId: tenantId, organizationId: organizationId, hardwareIdHash: hash, in: txn) {
                return id
            }
            let now = Date()
            var device = Device(
                id: RandomID.make(prefix: "dev"), tenantId: tenantId, organizationId: organizationId, hardwareIdHash: hash,
                displayName: DemoData.deviceName, platform: "macos", createdAt: now)
            device.riskState = .trusted
            device.riskChangedBy = DemoData.actor
            device.riskChangedAt = now
            device.riskReason = "demo data"
            try records.insertDevice(device, in: txn)
            try txn.appendAudit(AuditEvent(
                time: now, tenantId: tenantId, actor: DemoData.actor, action: "device.create", target: device.id,
                reason: "demo device, risk state trusted"))
            return device.id
        }
    }

    // MARK: Automation client

    private func client(tenantId: String) async throws -> (clientId: String, secret: String) {
        let registry = services.clients
        var application = try registry.applications(tenantId: tenantId, after: nil, limit: Page<Application>.maxLimit)
            .items.first { $0.name == DemoData.applicationName }
        if application == nil {
            application = try await registry.createApplication(tenantId: tenantId, name: DemoData.applicationName, actor: DemoData.actor)
        }
        let applicationId = application!.id
        if let existing = try registry.clients(tenantId: tenantId, applicationId: applicationId, after: nil, limit: Page<OAuthClient>.maxLimit)
            .items.first(where: { $0.name == DemoData.clientName }) {
            let rotated = try await registry.rotateSecret(
                tenantId: tenantId, applicationId: applicationId, clientId: existing.clientId, gracePeriod: 0, actor: DemoData.actor)
            return (rotated.client.clientId, rotated.secret)
        }
        let issued = try await registry.createClient(
            tenantId: tenantId, applicationId: applicationId,
            ClientRegistration(name: DemoData.clientName, purpose: .automation, scopes: DemoData.clientScopes),
            grantor: .operator, actor: DemoData.actor)
        return (issued.client.clientId, issued.secret)
    }
}
