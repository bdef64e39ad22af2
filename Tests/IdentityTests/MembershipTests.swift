import Foundation
import Testing
import TestSupport
@testable import Identity
@testable import Store

/// Membership and group changes at the transaction level: records, uniqueness, the last
/// administrator, group rows in both directions, audit events and `perm_ver` per user.
@Suite struct MembershipTests {
    struct Fixture {
        let directory = TemporaryDirectory()
        let env: Environment
        let tables: MembershipTables
        let registered: TenantRegistrationResult
        var tenantId: String { registered.tenantId }
        var organizationId: String { registered.organizationId }
        let hasher = PasswordHasher(cost: 4)

        init() async throws {
            env = try Environment(path: directory.path)
            let identity = try IdentityTables(environment: env)
            tables = try MembershipTables(environment: env, identity: identity)
            registered = try await TenantRegistrar(environment: env, tables: identity, hasher: PasswordHasher(cost: 4))
                .register(TenantRegistration(
                    tenantName: "Acme", tenantSlug: "acme", userName: "admin", email: "admin@acme.example",
                    password: "ChangeThisPassword123!", planCode: "developer"))
        }

        func add(_ member: NewMember, roles: [String] = ["editor"]) async throws -> (membership: Membership, user: User) {
            let prepared = try await member.prepared(tenantId: tenantId, hasher: hasher)
            let tenantId = tenantId, organizationId = organizationId, tables = tables
            return try await env.write { txn in
                try txn.addMembership(
                    tenantId: tenantId, organizationId: organizationId, member: prepared, roles: roles, actor: "test", tables: tables)
            }
        }

        func permVer(_ userId: String) throws -> Int64 {
            try env.read { try $0.subjectVersions(tenantId: tenantId, subjectId: userId, tables: tables.identity).permVer }
        }

        func auditActions() throws -> [String] {
            try env.read { try $0.auditEvents(tenant: tenantId, limit: 1000).map(\.action) }
        }

        func write<T: Sendable>(_ body: @escaping @Sendable (WriteTransaction, MembershipTables) throws -> T) async throws -> T {
            let tables = tables
            return try await env.write { try body($0, tables) }
        }
    }

    static let newAda = NewMember.newUser(userName: "ada", email: "ada@acme.example", password: "a long passphrase!")

    @Test func aNewUserIsCreatedWithAHashedPasswordAndTheMembership() async throws {
        let f = try await Fixture()
        let (membership, user) = try await f.add(Self.newAda, roles: ["editor", "billing", "editor"])
        #expect(membership.roles == ["billing", "editor"])
        #expect(membership.organizationId == f.organizationId && membership.userId == user.id)
        #expect(user.passwordHash.hasPrefix("$2") && user.passwordHash != "a long passphrase!")
        #expect(await f.hasher.verify("a long passphrase!", hash: user.passwordHash))
        let stored = try f.env.read { txn in
            (try txn.user(tenantId: f.tenantId, id: user.id, tables: f.tables),
             try txn.get(f.tables.identity.userNames, Key(.string(f.tenantId), .string("ada"))).map { String(decoding: $0, as: UTF8.self) },
             try txn.memberships(ofUser: user.id, tenantId: f.tenantId, tables: f.tables))
        }
        // Dates round-trip through JSON at millisecond precision: compare the rest.
        #expect(stored.0?.id == user.id && stored.0?.passwordHash == user.passwordHash && stored.0?.userName == "ada")
        #expect(stored.1 == user.id)
        #expect(stored.2.map(\.id) == [membership.id] && stored.2.first?.roles == ["billing", "editor"])
        #expect(try f.permVer(user.id) == 2)
    }

    @Test func validationAndUniqueness() async throws {
        let f = try await Fixture()
        let bad = NewMember.newUser(userName: "has space", email: "nope", password: "short")
        #expect(bad.validationErrors().map(\.field) == ["user.userName", "user.email", "user.password"])
        await #expect(throws: ValidationFailure.self) { _ = try await bad.prepared(tenantId: f.tenantId, hasher: f.hasher) }
        #expect(RoleNames.validationErrors(["ok", "no spaces", "-lead", String(repeating: "r", count: 65), "a.b_c:d-e"]).map(\.field)
            == ["roles[1]", "roles[2]", "roles[3]"])
        #expect(RoleNames.validationErrors(Array(repeating: "r", count: 21)).map(\.field) == ["roles"])
        await #expect(throws: ValidationFailure.self) { _ = try await f.add(Self.newAda, roles: ["bad role"]) }

        let (_, ada) = try await f.add(Self.newAda)
        // The same name again (any case) is taken; the admin is already a member.
        await #expect(throws: MembershipError.userNameTaken("ADA")) {
            _ = try await f.add(.newUser(userName: "ADA", email: "x@acme.example", password: "another long one"))
        }
        await #expect(throws: MembershipError.alreadyMember(f.registered.membershipId)) {
            _ = try await f.add(.existingUser(id: f.registered.administratorUserId))
        }
        await #expect(throws: MembershipError.self) { _ = try await f.add(.existingUser(id: ada.id)) }
        await #expect(throws: MembershipError.unknownUser("usr_nobody")) { _ = try await f.add(.existingUser(id: "usr_nobody")) }
        let tenantId = f.tenantId
        await #expect(throws: MembershipError.unknownOrganization("org_nope")) {
            try await f.write { txn, tables in
                try txn.addMembership(
                    tenantId: tenantId, organizationId: "org_nope", member: .existingUser(id: ada.id), roles: [], actor: "t", tables: tables)
            }
        }
    }

    @Test func theLastActiveAdministratorCannotBeRemovedOrDemoted() async throws {
        let f = try await Fixture()
        let tenantId = f.tenantId, organizationId = f.organizationId, adminMembership = f.registered.membershipId
        await #expect(throws: MembershipError.lastAdministrator) {
            try await f.write { txn, tables in
                try txn.removeMembership(tenantId: tenantId, organizationId: organizationId, membershipId: adminMembership, actor: "t", tables: tables)
            }
        }
        await #expect(throws: MembershipError.lastAdministrator) {
            try await f.write { txn, tables in
                try txn.setMembershipRoles(
                    tenantId: tenantId, organizationId: organizationId, membershipId: adminMembership, roles: ["member"], actor: "t", tables: tables)
            }
        }
        // A second administrator makes both possible.
        let (second, _) = try await f.add(Self.newAda, roles: ["administrator"])
        let (demoted, changed) = try await f.write { txn, tables in
            try txn.setMembershipRoles(
                tenantId: tenantId, organizationId: organizationId, membershipId: adminMembership, roles: ["member"], actor: "t", tables: tables)
        }
        #expect(changed && demoted.roles == ["member"])
        #expect(try f.permVer(f.registered.administratorUserId) == 2)
        // …and now the second one is the last.
        await #expect(throws: MembershipError.lastAdministrator) {
            try await f.write { txn, tables in
                try txn.removeMembership(tenantId: tenantId, organizationId: organizationId, membershipId: second.id, actor: "t", tables: tables)
            }
        }
    }

    @Test func removingAMembershipEndsTheSessionsSignedIntoIt() async throws {
        let f = try await Fixture()
        let (ada, user) = try await f.add(Self.newAda)
        let sessions = SessionStore(environment: f.env, tables: f.tables.identity)
        let tenant = try #require(try f.env.read { try $0.getJSON(Tenant.self, f.tables.identity.tenants, Key(.string(f.tenantId))) })
        let adaSession = try await sessions.start(SignedInUser(tenant: tenant, user: user, membership: ada))
        let admin = try #require(try f.env.read { txn throws in
            try txn.getJSON(User.self, f.tables.identity.users, Key(.string(f.tenantId), .string(f.registered.administratorUserId)))
        })
        let adminMembership = try #require(try f.env.read { txn throws in
            try txn.getJSON(Membership.self, f.tables.identity.memberships, Key(.string(f.tenantId), .string(f.registered.membershipId)))
        })
        let adminSession = try await sessions.start(SignedInUser(tenant: tenant, user: admin, membership: adminMembership))
        let tenantId = f.tenantId, organizationId = f.organizationId
        try await f.write { txn, tables in
            try txn.removeMembership(tenantId: tenantId, organizationId: organizationId, membershipId: ada.id, actor: "t", tables: tables)
        }
        #expect(try !sessions.isActive(tenantId: tenantId, id: adaSession.id))
        #expect(try sessions.session(tenantId: tenantId, id: adaSession.id)?.revokedReason == "membership removed")
        #expect(try sessions.isActive(tenantId: tenantId, id: adminSession.id))
    }

    @Test func settingTheSameRolesChangesNothing() async throws {
        let f = try await Fixture()
        let (membership, user) = try await f.add(Self.newAda, roles: ["b", "a"])
        let tenantId = f.tenantId, organizationId = f.organizationId
        let before = try f.auditActions().count
        let (_, changed) = try await f.write { txn, tables in
            try txn.setMembershipRoles(
                tenantId: tenantId, organizationId: organizationId, membershipId: membership.id, roles: ["a", "b", "a"], actor: "t", tables: tables)
        }
        #expect(!changed)
        #expect(try f.permVer(user.id) == 2)
        #expect(try f.auditActions().count == before)
    }

    @Test func groupsKeepRowsBothWaysAndBumpTheirMembers() async throws {
        let f = try await Fixture()
        let (ada, adaUser) = try await f.add(Self.newAda)
        let tenantId = f.tenantId, organizationId = f.organizationId
        let group = try await f.write { txn, tables in
            try txn.createGroup(tenantId: tenantId, organizationId: organizationId, name: "  Editors ", actor: "t", tables: tables)
        }
        #expect(group.name == "Editors" && group.id.hasPrefix("grp_"))
        await #expect(throws: ValidationFailure.self) {
            try await f.write { txn, tables in try txn.createGroup(tenantId: tenantId, organizationId: organizationId, name: " ", actor: "t", tables: tables) }
        }
        let added = try await f.write { txn, tables in
            try txn.addGroupMember(tenantId: tenantId, organizationId: organizationId, groupId: group.id, membershipId: ada.id, actor: "t", tables: tables)
        }
        #expect(added == adaUser.id)
        #expect(try f.permVer(adaUser.id) == 3)
        let again = try await f.write { txn, tables in
            try txn.addGroupMember(tenantId: tenantId, organizationId: organizationId, groupId: group.id, membershipId: ada.id, actor: "t", tables: tables)
        }
        #expect(again == nil)
        #expect(try f.permVer(adaUser.id) == 3)
        #expect(try f.env.read { try $0.groupMemberIds(tenantId: tenantId, groupId: group.id, tables: f.tables) } == [ada.id])
        #expect(try f.env.read { try $0.groupIds(ofMembership: ada.id, tenantId: tenantId, tables: f.tables) } == [group.id])

        // Removing the membership removes its group rows too.
        try await f.write { txn, tables in
            try txn.removeMembership(tenantId: tenantId, organizationId: organizationId, membershipId: ada.id, actor: "t", tables: tables)
        }
        #expect(try f.env.read { try $0.groupMemberIds(tenantId: tenantId, groupId: group.id, tables: f.tables) }.isEmpty)
        #expect(try f.env.read { try $0.groupIds(ofMembership: ada.id, tenantId: tenantId, tables: f.tables) }.isEmpty)
        #expect(try f.permVer(adaUser.id) == 4)
        await #expect(throws: MembershipError.notGroupMember(ada.id)) {
            try await f.write { txn, tables in
                try txn.removeGroupMember(tenantId: tenantId, organizationId: organizationId, groupId: group.id, membershipId: ada.id, actor: "t", tables: tables)
            }
        }

        // Deleting a group returns (and bumps) its members.
        let adminMembership = f.registered.membershipId, adminUser = f.registered.administratorUserId
        try await f.write { txn, tables in
            _ = try txn.addGroupMember(tenantId: tenantId, organizationId: organizationId, groupId: group.id, membershipId: adminMembership, actor: "t", tables: tables)
        }
        let (_, userIds) = try await f.write { txn, tables in
            try txn.deleteGroup(tenantId: tenantId, organizationId: organizationId, groupId: group.id, actor: "t", tables: tables)
        }
        #expect(userIds == [adminUser])
        #expect(try f.permVer(adminUser) == 3)
        #expect(try f.env.read { try $0.group(tenantId: tenantId, id: group.id, tables: f.tables) } == nil)
        #expect(try f.env.read { try $0.groupIds(ofMembership: adminMembership, tenantId: tenantId, tables: f.tables) }.isEmpty)
        let actions = try f.auditActions()
        for action in ["user.create", "membership.create", "group.create", "group.member.add", "membership.delete", "group.delete"] {
            #expect(actions.contains(action), "\(action)")
        }
    }

    @Test func aFailedChangeWritesNothing() async throws {
        let f = try await Fixture()
        let prepared = try await Self.newAda.prepared(tenantId: f.tenantId, hasher: f.hasher)
        let tenantId = f.tenantId, organizationId = f.organizationId
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            try await f.write { txn, tables in
                _ = try txn.addMembership(
                    tenantId: tenantId, organizationId: organizationId, member: prepared, roles: [], actor: "t", tables: tables)
                throw Boom()
            }
        }
        #expect(try f.env.read { try $0.get(f.tables.identity.userNames, Key(.string(tenantId), .string("ada"))) } == nil)
        guard case .newUser(let user) = prepared else { Issue.record("expected a new user"); return }
        #expect(try f.env.read { try $0.memberships(ofUser: user.id, tenantId: tenantId, tables: f.tables) }.isEmpty)
        #expect(try f.permVer(user.id) == 1)
    }
}
