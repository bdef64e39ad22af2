import Foundation
import Store
import Testing
import TestSupport
@testable import Identity

/// Two tenants over one data directory: `acme` publishes the `crm` application, `globex`
/// consumes it.
struct LicensingFixture {
    let directory = TemporaryDirectory()
    let environment: Environment
    let identity: IdentityTables
    let oauth: OAuthTables
    let store: LicensingStore
    let acme: String
    let globex: String
    let globexAdmin: String
    let applicationId: String

    init(external: Bool = true) async throws {
        environment = try Environment(path: directory.path)
        identity = try IdentityTables(environment: environment)
        oauth = try OAuthTables(environment: environment)
        store = LicensingStore(
            environment: environment, tables: try LicensingTables(environment: environment), identity: identity, oauth: oauth)
        let registrar = TenantRegistrar(environment: environment, tables: identity, hasher: PasswordHasher(cost: 4))
        acme = try await registrar.register(TenantRegistration(
            tenantName: "Acme", tenantSlug: "acme", userName: "admin", email: "admin@acme.example",
            password: "ChangeThisPassword123!", planCode: "developer")).tenantId
        let globexRegistration = try await registrar.register(TenantRegistration(
            tenantName: "Globex", tenantSlug: "globex", userName: "admin", email: "admin@globex.example",
            password: "ChangeThisPassword123!", planCode: "developer"))
        globex = globexRegistration.tenantId
        globexAdmin = globexRegistration.administratorUserId
        applicationId = try await ClientRegistry(environment: environment, tables: oauth)
            .createApplication(tenantId: acme, name: "CRM", key: "crm", externalConsumption: external, actor: "test").id
    }

    static let features = [
        FeatureDefinition(key: "reports", name: "Reports", actions: ["export", "view"], roles: ["analyst"], seatRequired: true),
        FeatureDefinition(key: "contacts", name: "Contacts", actions: []),
    ]

    func publish(_ features: [FeatureDefinition] = LicensingFixture.features, label: String? = nil) async throws -> PublishOutcome {
        let content = try ManifestContent(label: label, features: features)
        return try await environment.write { txn in
            try store.publish(content, clientId: "cli_pub", tenantId: acme, tenantSlug: "acme", applicationId: applicationId, in: txn)
        }
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (WriteTransaction) throws -> T) async throws -> T {
        try await environment.write(body)
    }
}

@Suite struct LicensingTests {
    @Test func republishingTheSameContentIsANoOp() async throws {
        let f = try await LicensingFixture()
        let first = try await f.publish()
        #expect(first.changed && first.product.version == 1)
        #expect(first.product.key == "acme.crm")
        let revision = try f.environment.read { try $0.revision(tenant: f.acme) }
        // The same declaration in another order is the same content.
        let again = try await f.publish(LicensingFixture.features.reversed().map {
            var feature = $0
            feature.actions.reverse()
            return feature
        })
        #expect(!again.changed)
        #expect(again.product.version == 1)
        #expect(try f.environment.read { try $0.revision(tenant: f.acme) } == revision)
        #expect(try f.store.manifestVersions(productKey: "acme.crm", limit: 10).count == 1)
        let audits = try f.environment.read { try $0.auditEvents(tenant: f.acme, limit: 100) }
        #expect(audits.filter { $0.action == "manifest.publish" }.count == 1)
    }

    @Test func changedContentIsANewVersionAndLabelsAreImmutable() async throws {
        let f = try await LicensingFixture()
        _ = try await f.publish(label: "1.0.0")
        var features = LicensingFixture.features
        features.append(FeatureDefinition(key: "forecasts", name: "Forecasts", actions: ["run"]))
        let second = try await f.publish(features, label: "1.1.0")
        #expect(second.changed && second.product.version == 2)
        #expect(second.previousFeatures.map(\.key) == ["contacts", "reports"])
        #expect(second.product.features.map(\.key) == ["contacts", "forecasts", "reports"])
        // A new label on the same features is a new version too.
        #expect(try await f.publish(features, label: "1.1.1").product.version == 3)
        // An old label with other content is refused.
        await #expect(throws: LicensingError.versionLabelTaken("1.0.0")) { try await f.publish(features, label: "1.0.0") }
        let versions = try f.store.manifestVersions(productKey: "acme.crm", limit: 10)
        #expect(versions.map(\.version) == [3, 2, 1])
        #expect(versions.map(\.label) == ["1.1.1", "1.1.0", "1.0.0"])
    }

    @Test func onlyExternalApplicationsPublish() async throws {
        let f = try await LicensingFixture(external: false)
        await #expect(throws: LicensingError.applicationNotExternal) { try await f.publish() }
        #expect(try f.store.product(key: "acme.crm") == nil)
    }

    @Test func manifestsAreValidatedField() async throws {
        let bad = [
            FeatureDefinition(key: "Bad Key", name: "", actions: ["ok", "ok", "No/Slash"], roles: ["", "a"]),
            FeatureDefinition(key: "dup", name: "x", actions: []),
            FeatureDefinition(key: "dup", name: "y", actions: []),
        ]
        #expect(throws: ValidationFailure.self) { try ManifestContent(label: "has space", features: bad) }
        do {
            _ = try ManifestContent(label: "has space", features: bad)
        } catch let failure as ValidationFailure {
            let fields = Set(failure.errors.map(\.field))
            #expect(fields.isSuperset(of: [
                "version", "features[0].key", "features[0].name", "features[0].actions", "features[0].roles", "features[2].key",
            ]))
        }
        #expect(throws: ValidationFailure.self) { try ManifestContent(label: nil, features: []) }
    }

    @Test func subscriptionsAndSeats() async throws {
        let f = try await LicensingFixture()
        _ = try await f.publish()
        let (globex, admin) = (f.globex, f.globexAdmin)
        let store = f.store
        // Subscribing needs the product installed.
        await #expect(throws: LicensingError.notInstalled("acme.crm")) {
            try await f.write { try store.createSubscription(tenantId: globex, productKey: "acme.crm", seats: 1, actor: "t", in: $0) }
        }
        _ = try await f.write { try store.install(tenantId: globex, productKey: "acme.crm", actor: "t", in: $0) }
        await #expect(throws: LicensingError.alreadyInstalled("acme.crm")) {
            try await f.write { try store.install(tenantId: globex, productKey: "acme.crm", actor: "t", in: $0) }
        }
        let subscription = try await f.write {
            try store.createSubscription(tenantId: globex, productKey: "acme.crm", seats: 1, actor: "t", in: $0)
        }
        await #expect(throws: LicensingError.subscriptionExists("acme.crm")) {
            try await f.write { try store.createSubscription(tenantId: globex, productKey: "acme.crm", seats: 5, actor: "t", in: $0) }
        }
        #expect(try store.entitlements(tenantId: globex).map(\.feature.key) == ["contacts", "reports"])
        #expect(try store.entitlements(tenantId: f.acme).isEmpty)

        let seat = try await f.write {
            try store.assignSeat(tenantId: globex, subscriptionId: subscription.id, userId: admin, actor: "t", in: $0)
        }
        await #expect(throws: LicensingError.seatAlreadyAssigned(userId: admin, productKey: "acme.crm")) {
            try await f.write { try store.assignSeat(tenantId: globex, subscriptionId: subscription.id, userId: admin, actor: "t", in: $0) }
        }
        // Another tenant's user and subscription ids are unknown here.
        await #expect(throws: LicensingError.unknownUser("usr_nobody")) {
            try await f.write { try store.assignSeat(tenantId: globex, subscriptionId: subscription.id, userId: "usr_nobody", actor: "t", in: $0) }
        }
        await #expect(throws: LicensingError.unknownSubscription(subscription.id)) {
            try await f.write { try store.assignSeat(tenantId: f.acme, subscriptionId: subscription.id, userId: admin, actor: "t", in: $0) }
        }
        #expect(try f.environment.read { try store.seatProductKeys(tenantId: globex, userId: admin, in: $0) } == ["acme.crm"])
        await #expect(throws: LicensingError.seatsInUse(assigned: 1, seats: 0)) {
            try await f.write { try store.updateSubscription(tenantId: globex, id: subscription.id, seats: 0, status: nil, actor: "t", in: $0) }
        }
        await #expect(throws: LicensingError.seatsInUse(assigned: 1, seats: 0)) {
            try await f.write { try store.updateSubscription(tenantId: globex, id: subscription.id, seats: nil, status: .cancelled, actor: "t", in: $0) }
        }
        await #expect(throws: LicensingError.installationInUse("acme.crm")) {
            let installation = try store.installations(tenantId: globex)[0]
            return try await f.write { try store.uninstall(tenantId: globex, id: installation.id, actor: "t", in: $0) }
        }
        _ = try await f.write { try store.releaseSeat(tenantId: globex, id: seat.id, actor: "t", in: $0) }
        let (_, cancelled) = try await f.write {
            try store.updateSubscription(tenantId: globex, id: subscription.id, seats: nil, status: .cancelled, actor: "t", in: $0)
        }
        #expect(cancelled.status == .cancelled)
        #expect(try store.entitlements(tenantId: globex).isEmpty)
        let installation = try store.installations(tenantId: globex)[0]
        _ = try await f.write { try store.uninstall(tenantId: globex, id: installation.id, actor: "t", in: $0) }
        #expect(try store.installations(tenantId: globex).isEmpty)
        let actions = try f.environment.read { try $0.auditEvents(tenant: globex, limit: 100) }.map(\.action)
        #expect(Set(actions).isSuperset(of: [
            "installation.create", "subscription.create", "seat.assign", "seat.release", "subscription.update", "installation.delete",
        ]))
    }

    @Test func seatsStopAtTheSeatCount() async throws {
        let f = try await LicensingFixture()
        _ = try await f.publish()
        let store = f.store
        let globex = f.globex
        _ = try await f.write { try store.install(tenantId: globex, productKey: "acme.crm", actor: "t", in: $0) }
        let subscription = try await f.write {
            try store.createSubscription(tenantId: globex, productKey: "acme.crm", seats: 2, actor: "t", in: $0)
        }
        // Three users (written straight into the table) race for two seats.
        var users: [String] = []
        for index in 0..<3 {
            let id = "usr_seat\(index)"
            let user: [String: Any] = [
                "id": id, "tenantId": globex, "userName": "u\(index)", "email": "u\(index)@globex.example", "passwordHash": "x",
                "active": true, "createdAt": 0,
            ]
            let bytes = Array(try JSONSerialization.data(withJSONObject: user))
            let identity = f.identity
            try await f.write { _ = try $0.put(identity.users, Key(.string(globex), .string(id)), bytes) }
            users.append(id)
        }
        let results = await withTaskGroup(of: Bool.self) { group in
            for user in users {
                group.addTask {
                    (try? await f.write {
                        try store.assignSeat(tenantId: globex, subscriptionId: subscription.id, userId: user, actor: "t", in: $0)
                    }) != nil
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.filter { $0 }.count == 2)
        await #expect(throws: LicensingError.noSeatsLeft(seats: 2)) {
            try await f.write { try store.assignSeat(tenantId: globex, subscriptionId: subscription.id, userId: f.globexAdmin, actor: "t", in: $0) }
        }
        #expect(try store.seatAssignments(tenantId: globex).count == 2)
    }

    @Test func reactivatingNeedsTheInstallationAndNoOtherActiveSubscription() async throws {
        let f = try await LicensingFixture()
        _ = try await f.publish()
        let store = f.store
        let globex = f.globex
        _ = try await f.write { try store.install(tenantId: globex, productKey: "acme.crm", actor: "t", in: $0) }
        let first = try await f.write {
            try store.createSubscription(tenantId: globex, productKey: "acme.crm", seats: 1, actor: "t", in: $0)
        }
        _ = try await f.write {
            try store.updateSubscription(tenantId: globex, id: first.id, seats: nil, status: .cancelled, actor: "t", in: $0)
        }
        let second = try await f.write {
            try store.createSubscription(tenantId: globex, productKey: "acme.crm", seats: 3, actor: "t", in: $0)
        }
        await #expect(throws: LicensingError.subscriptionExists("acme.crm")) {
            try await f.write { try store.updateSubscription(tenantId: globex, id: first.id, seats: nil, status: .active, actor: "t", in: $0) }
        }
        _ = try await f.write {
            try store.updateSubscription(tenantId: globex, id: second.id, seats: nil, status: .cancelled, actor: "t", in: $0)
        }
        let installation = try store.installations(tenantId: globex)[0]
        _ = try await f.write { try store.uninstall(tenantId: globex, id: installation.id, actor: "t", in: $0) }
        await #expect(throws: LicensingError.notInstalled("acme.crm")) {
            try await f.write { try store.updateSubscription(tenantId: globex, id: first.id, seats: nil, status: .active, actor: "t", in: $0) }
        }
        _ = try await f.write { try store.install(tenantId: globex, productKey: "acme.crm", actor: "t", in: $0) }
        let (_, reactivated) = try await f.write {
            try store.updateSubscription(tenantId: globex, id: first.id, seats: 2, status: .active, actor: "t", in: $0)
        }
        #expect(reactivated.status == .active && reactivated.seats == 2)
        #expect(try f.environment.read { try store.activeSubscription(tenantId: globex, productKey: "acme.crm", in: $0) }?.id == first.id)
    }
}
