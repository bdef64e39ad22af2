import Testing
import TestSupport
@testable import Identity
@testable import Store

@Suite struct TenantRegistrationValidationTests {
    static let valid = TenantRegistration(
        tenantName: "Acme Corp", tenantSlug: "acme", userName: "acme-admin",
        email: "admin@acme.example", password: "ChangeThisPassword123!", planCode: "developer")

    func errors(_ change: (inout TenantRegistration) -> Void) -> [String] {
        var registration = Self.valid
        change(&registration)
        return registration.validationErrors().map(\.field)
    }

    @Test func validInputHasNoErrors() {
        #expect(Self.valid.validationErrors().isEmpty)
    }

    @Test(arguments: ["a", "ab", "-abc", "abc-", "Acme", "ac_me", "ac me", String(repeating: "a", count: 64), "ácme"])
    func badSlugs(_ slug: String) {
        #expect(errors { $0.tenantSlug = slug } == ["tenantSlug"])
    }

    @Test(arguments: ["abc", "a-b", "acme-2", "0ab", String(repeating: "a", count: 63)])
    func goodSlugs(_ slug: String) {
        #expect(errors { $0.tenantSlug = slug }.isEmpty)
    }

    @Test(arguments: ["", "plain", "a@b", "a@@b.com", "a b@c.com", ".a@b.com", "a..b@c.com", "a@-b.com", "a@b.c0m", "a@b.c"])
    func badEmails(_ email: String) {
        #expect(errors { $0.email = email } == ["email"])
    }

    @Test(arguments: ["a@b.co", "first.last+tag@mail.example.org", "x@sub-domain.example.com"])
    func goodEmails(_ email: String) {
        #expect(errors { $0.email = email }.isEmpty)
    }

    @Test func passwordLengthBounds() {
        #expect(errors { $0.password = "elevenchars" } == ["password"])
        #expect(errors { $0.password = "twelve chars" }.isEmpty)
        #expect(errors { $0.password = String(repeating: "x", count: 73) } == ["password"])
    }

    @Test func planMustBeKnown() {
        #expect(errors { $0.planCode = "gold" } == ["planCode"])
        for plan in Plan.allCases { #expect(errors { $0.planCode = plan.rawValue }.isEmpty) }
    }

    @Test func namesMustBePresentAndPrintable() {
        #expect(errors { $0.tenantName = "   " } == ["tenantName"])
        #expect(errors { $0.userName = "" } == ["userName"])
        #expect(errors { $0.userName = "has space" } == ["userName"])
    }

    @Test func everyErrorIsReportedAtOnce() {
        let all = TenantRegistration(tenantName: "", tenantSlug: "X", userName: "", email: "no", password: "short", planCode: "")
        #expect(all.validationErrors().map(\.field) == ["tenantName", "tenantSlug", "userName", "email", "password", "planCode"])
    }
}

@Suite struct TenantRegistrarTests {
    struct InjectedFailure: Error {}

    func makeRegistrar(_ dir: TemporaryDirectory, fault: (@Sendable () throws -> Void)? = nil) throws -> (TenantRegistrar, Environment, IdentityTables) {
        let env = try Environment(path: dir.path)
        let tables = try IdentityTables(environment: env)
        let registrar = TenantRegistrar(environment: env, tables: tables, hasher: PasswordHasher(cost: 4), afterTenantWritten: fault)
        return (registrar, env, tables)
    }

    @Test func registrationWritesEverythingInOneTransaction() async throws {
        let dir = TemporaryDirectory()
        let (registrar, env, tables) = try makeRegistrar(dir)
        let result = try await registrar.register(TenantRegistrationValidationTests.valid)
        #expect(result.revision == 1)
        try env.read { txn throws in
            let tenant = try #require(try txn.getJSON(Tenant.self, tables.tenants, Key(.string(result.tenantId))))
            #expect(tenant.slug == "acme")
            #expect(tenant.plan == .developer)
            let org = try txn.getJSON(Organization.self, tables.organizations, Key(.string(result.tenantId), .string(result.organizationId)))
            #expect(org?.name == "Acme Corp")
            let user = try #require(try txn.getJSON(User.self, tables.users, Key(.string(result.tenantId), .string(result.administratorUserId))))
            #expect(user.passwordHash.hasPrefix("$2b$"))
            #expect(!user.passwordHash.contains("ChangeThisPassword123!"))
            let membership = try txn.getJSON(Membership.self, tables.memberships, Key(.string(result.tenantId), .string(result.membershipId)))
            #expect(membership?.roles == [Membership.administratorRole])
            #expect(membership?.userId == user.id)
            #expect(try txn.revision(tenant: result.tenantId) == 1)
            let audit = try txn.auditEvents(tenant: result.tenantId)
            #expect(audit.map(\.action) == ["tenant.register"])
        }
        #expect(result.tenantId.hasPrefix("ten_"))
        #expect(result.administratorUserId.hasPrefix("usr_"))
    }

    @Test func passwordVerifiesAgainstStoredHash() async throws {
        let dir = TemporaryDirectory()
        let (registrar, env, tables) = try makeRegistrar(dir)
        let result = try await registrar.register(TenantRegistrationValidationTests.valid)
        let user = try env.read { try $0.getJSON(User.self, tables.users, Key(.string(result.tenantId), .string(result.administratorUserId))) }
        let hasher = PasswordHasher(cost: 4)
        #expect(await hasher.verify("ChangeThisPassword123!", hash: user!.passwordHash))
        #expect(await !hasher.verify("WrongPassword1234", hash: user!.passwordHash))
    }

    @Test func duplicateSlugIsRefused() async throws {
        let dir = TemporaryDirectory()
        let (registrar, _, _) = try makeRegistrar(dir)
        _ = try await registrar.register(TenantRegistrationValidationTests.valid)
        await #expect(throws: TenantRegistrationError.slugTaken("acme")) {
            try await registrar.register(TenantRegistrationValidationTests.valid)
        }
    }

    @Test func concurrentRegistrationsOfOneSlugCreateOneTenant() async throws {
        let dir = TemporaryDirectory()
        let (registrar, env, tables) = try makeRegistrar(dir)
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask { (try? await registrar.register(TenantRegistrationValidationTests.valid)) != nil }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)
        #expect(try env.read { try $0.count(tables.tenants) } == 1)
    }

    @Test func failureAfterTenantRowLeavesNothingBehind() async throws {
        let dir = TemporaryDirectory()
        let (registrar, env, tables) = try makeRegistrar(dir, fault: { throw InjectedFailure() })
        await #expect(throws: InjectedFailure.self) {
            try await registrar.register(TenantRegistrationValidationTests.valid)
        }
        try env.read { txn throws in
            for table in [tables.tenants, tables.tenantSlugs, tables.organizations, tables.users, tables.userNames, tables.memberships, env.audit, env.revisions] {
                #expect(try txn.count(table) == 0, "table \(table.name) has rows")
            }
        }
        // The slug is still free: a healthy registrar over the same data can take it.
        let healthy = TenantRegistrar(environment: env, tables: tables, hasher: PasswordHasher(cost: 4))
        _ = try await healthy.register(TenantRegistrationValidationTests.valid)
    }

    @Test func invalidInputWritesNothing() async throws {
        let dir = TemporaryDirectory()
        let (registrar, env, tables) = try makeRegistrar(dir)
        var bad = TenantRegistrationValidationTests.valid
        bad.email = "nope"
        await #expect(throws: ValidationFailure([FieldError(field: "email", message: "must be an email address such as admin@example.com")])) {
            try await registrar.register(bad)
        }
        #expect(try env.read { try $0.count(tables.tenants) } == 0)
    }
}
