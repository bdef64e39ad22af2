import Crypto
import Devices
import Evaluator
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import NIOCore
import PolicyLang
import Store
import Testing
@testable import Server

/// globex installs acme's CRM with a few seats; its administrator's user acts both as a
/// device agent (arbiter.devices.agent + tenant_context) and as the administrator.
struct DeviceRouteFixture {
    let m: ManagementApp
    let admin: String
    let agent: String
    /// The same administrator, but with a token naming another organization of the tenant.
    let otherOrgAdmin: String
    let otherOrgAgent: String
    let acmeAdmin: String
    let acmeAgent: String
    let publisher: String

    init() async throws {
        m = try await ManagementApp()
        (publisher, _) = try await m.manifestPublisher()
        admin = try await Self.token(m, "globex", scopes: ["arbiter.api", "tenant_context"])
        agent = try await Self.token(m, "globex", scopes: ["arbiter.devices.agent", "tenant_context"])
        otherOrgAdmin = try await Self.token(m, "globex", scopes: ["arbiter.api", "tenant_context"], organizationId: "org_elsewhere")
        otherOrgAgent = try await Self.token(m, "globex", scopes: ["arbiter.devices.agent", "tenant_context"], organizationId: "org_elsewhere")
        acmeAdmin = try await Self.token(m, "acme", scopes: ["arbiter.api", "tenant_context"])
        acmeAgent = try await Self.token(m, "acme", scopes: ["arbiter.devices.agent", "tenant_context"])
    }

    static func token(_ m: ManagementApp, _ slug: String, scopes: [String], organizationId: String? = nil) async throws -> String {
        let services = m.services
        let signIn = PasswordSignIn(environment: services.environment, tables: services.identityTables, hasher: PasswordHasher(cost: 4))
        let user = try #require(try await signIn.authenticate(tenantSlug: slug, userName: "admin", password: ManagementApp.password))
        let session = try await services.sessions.start(user)
        var subject = try services.sessions.subject(of: session)
        if let organizationId { subject.organizationId = organizationId }
        var client = try services.clients.client(id: "cli_web_\(slug)")
        if client == nil { client = try await m.webClient(slug) }
        return try await services.tokenIssuer.issue(TokenGrant(client: client!, tenantSlug: slug, scopes: scopes, user: subject)).token
    }

    /// Publishes, installs and subscribes globex to acme.crm with `seats` seats.
    func subscribe(_ client: any TestClientProtocol, seats: Int) async throws {
        #expect(try await client.call(.post, "/api/runtime/manifests", publisher, crmManifest).status == .created)
        #expect(try await client.call(.post, "/api/marketplace/installations", admin, ["productKey": "acme.crm"]).status == .created)
        #expect(try await client.call(.post, "/api/licensing/subscriptions", admin, ["productKey": "acme.crm", "seats": seats]).status == .created)
    }

    static func jwk(_ key: P256.Signing.PrivateKey) -> [String: Any] {
        let raw = key.publicKey.rawRepresentation
        return ["kty": "EC", "crv": "P-256", "x": Base64URL.encode(raw.prefix(32)), "y": Base64URL.encode(raw.suffix(32))]
    }

    func activate(_ client: any TestClientProtocol, _ hardware: String, key: P256.Signing.PrivateKey = .init(), token: String? = nil,
                  platform: String = "macos") async throws -> TestResponse {
        try await client.call(.post, "/api/devices/activations", token ?? agent, [
            "productKey": "acme.crm", "hardwareId": hardware, "platform": platform, "publicKey": Self.jwk(key),
        ])
    }

    func heartbeat(_ client: any TestClientProtocol, _ activationId: String, key: P256.Signing.PrivateKey, kid: String,
                   nonce: String = RandomID.make(prefix: "n"), timestamp: Date = Date(), token: String? = nil) async throws -> TestResponse {
        let header = Base64URL.encode(Array(try JSONSerialization.data(withJSONObject: ["alg": "ES256", "kid": kid])))
        let body = Base64URL.encode(Array(try JSONSerialization.data(withJSONObject: [
            "nonce": nonce, "timestamp": Int(timestamp.timeIntervalSince1970),
        ])))
        let signature = try key.signature(for: Array("\(header).\(body)".utf8)).rawRepresentation
        return try await client.execute(
            uri: "/api/devices/activations/\(activationId)/heartbeat", method: .post,
            headers: [.authorization: "Bearer \(token ?? agent)", .contentType: "application/jose"],
            body: ByteBuffer(string: "\(header).\(body).\(Base64URL.encode(signature))"))
    }
}

@Suite struct DeviceLifecycleRouteTests {
    @Test func agentFlowApprovalHeartbeatLeaseTransferRevoke() async throws {
        let f = try await DeviceRouteFixture()
        let key = P256.Signing.PrivateKey()
        let globex = f.m.tenantId("globex")
        try await f.m.test { client in
            // Before a subscription: 409 no-subscription.
            #expect(try await f.activate(client, "hw-0").problemType == "no-subscription")
            try await f.subscribe(client, seats: 2)

            // Bad keys and bodies.
            var bad = try await client.call(.post, "/api/devices/activations", f.agent, [
                "productKey": "acme.crm", "hardwareId": "hw", "publicKey": DeviceRouteFixture.jwk(key).merging(["d": "secret"]) { $1 },
            ])
            #expect(bad.status == .badRequest)
            bad = try await client.call(.post, "/api/devices/activations", f.agent, [
                "productKey": "acme.crm", "hardwareId": "hw", "publicKey": ["kty": "RSA", "n": "x", "e": "AQAB"],
            ])
            #expect(bad.status == .badRequest)
            #expect(try await client.call(.post, "/api/devices/activations", f.admin, ["productKey": "acme.crm"]).problemType == "insufficient-scope")

            // Built-in policies only: pending.
            let created = try await f.activate(client, "hw-1", key: key)
            #expect(created.status == .created)
            let activation = try #require(created.json["activation"] as? [String: Any])
            let activationId = try #require(activation["id"] as? String)
            let deviceId = try #require(activation["deviceId"] as? String)
            let kid = try #require(activation["keyThumbprint"] as? String)
            #expect(activation["state"] as? String == "pending_approval")
            // A retry with the same key answers the same activation.
            let retry = try await f.activate(client, "hw-1", key: key)
            #expect(retry.status == .ok)
            #expect((retry.json["activation"] as? [String: Any])?["id"] as? String == activationId)

            // Pending: no heartbeat, no lease.
            #expect(try await f.heartbeat(client, activationId, key: key, kid: kid).problemType == "activation-state")
            #expect(try await client.call(.post, "/api/devices/activations/\(activationId)/offline-lease", f.agent).problemType == "activation-state")

            // Approve needs a reason; then active, audited, projected.
            #expect(try await client.call(.post, "/api/devices/activations/\(activationId)/approve", f.admin, [:]).status == .badRequest)
            let revision = try f.m.tenantRevision("globex")
            let approved = try await client.call(.post, "/api/devices/activations/\(activationId)/approve", f.admin, ["reason": "known laptop"])
            #expect(approved.status == .ok)
            #expect(approved.json["state"] as? String == "active")
            #expect(approved.json["decisionReason"] as? String == "known laptop")
            #expect(try f.m.tenantRevision("globex") > revision)
            let entity = try #require(try f.m.graphEntity("globex", "Device", deviceId))
            #expect(entity.attributes["activeProducts"] == .set([.string("acme.crm")]))
            #expect(entity.attributes["riskState"] == .string("unknown"))
            #expect(entity.parents.contains(EntityUID(type: "Organization", id: f.m.tenants["globex"]!.organizationId)))
            #expect(try await client.call(.post, "/api/devices/activations/\(activationId)/approve", f.admin, ["reason": "again"]).problemType == "activation-state")

            // Heartbeat: accepted once; replay and stale are 401.
            let nonce = "nonce-abcdef"
            #expect(try await f.heartbeat(client, activationId, key: key, kid: kid, nonce: nonce).status == .ok)
            #expect(try await f.heartbeat(client, activationId, key: key, kid: kid, nonce: nonce).status == .unauthorized)
            #expect(try await f.heartbeat(client, activationId, key: key, kid: kid, timestamp: Date().addingTimeInterval(-600)).status == .unauthorized)
            #expect(try await f.heartbeat(client, activationId, key: .init(), kid: kid).status == .unauthorized)

            // Offline lease verified with the tenant's published key; rollback 409 and audited.
            let lease = try await client.call(.post, "/api/devices/activations/\(activationId)/offline-lease", f.agent)
            #expect(lease.status == .ok)
            let jws = try CompactJWS(try #require(lease.json["lease"] as? String))
            #expect(jws.header["typ"] == "arbiter-lease+jwt")
            let published = try f.m.services.signingKeys.publishedKeys(tenantId: globex)
            let signer = try #require(published.first { $0.kid == jws.header["kid"] })
            let jwk = try signer.publicJWK()
            #expect(jws.verifies(with: try DevicePublicKey(jwk: ["kty": jwk.kty, "crv": jwk.crv, "x": jwk.x, "y": jwk.y]).key))
            let claims = try JSONSerialization.jsonObject(with: Data(jws.payload)) as! [String: Any]
            #expect(claims["activation_id"] as? String == activationId && claims["device_id"] as? String == deviceId)
            #expect(claims["product"] as? String == "acme.crm" && claims["counter"] as? Int == 1)
            #expect(claims["iss"] as? String == f.m.services.tokenIssuer.naming.issuer(slug: "globex"))
            let renewed = try await client.call(.post, "/api/devices/activations/\(activationId)/offline-lease", f.agent, ["counter": 1])
            #expect(renewed.json["counter"] as? Int == 2)
            let rollback = try await client.call(.post, "/api/devices/activations/\(activationId)/offline-lease", f.agent, ["counter": 1])
            #expect(rollback.status == .conflict && rollback.problemType == "lease-rollback")
            let audit = try f.m.services.environment.read { try $0.auditEvents(tenant: globex, limit: 10_000) }
            #expect(audit.contains { $0.action == "device.lease.rollback" && $0.target == activationId && $0.outcome == .denied })
            #expect(audit.contains { $0.action == "device.activation.approve" && $0.reason == "known laptop" })

            // A second device takes the second seat; the third has none.
            let second = try await f.activate(client, "hw-2")
            let secondId = try #require((second.json["activation"] as? [String: Any])?["id"] as? String)
            #expect(try await f.activate(client, "hw-3").problemType == "no-free-seat")
            // Deny the second, then transfer the first seat to the second's installation.
            #expect(try await client.call(.post, "/api/devices/activations/\(secondId)/deny", f.admin, ["reason": "unknown box"]).json["state"] as? String == "denied")
            let secondInstallation = try #require((second.json["activation"] as? [String: Any])?["installationId"] as? String)
            let moved = try await client.call(.post, "/api/devices/activations/\(activationId)/transfer", f.admin, [
                "installationId": secondInstallation, "reason": "new laptop",
            ])
            #expect(moved.status == .ok)
            #expect((moved.json["ended"] as? [String: Any])?["state"] as? String == "transferred")
            let startedId = try #require((moved.json["started"] as? [String: Any])?["id"] as? String)
            #expect(try f.m.graphEntity("globex", "Device", deviceId)?.attributes["activeProducts"] == .set([]))
            #expect(try await f.heartbeat(client, activationId, key: key, kid: kid).problemType == "activation-state")

            // Revoke the new one: the seat frees, a new device can activate.
            let revoked = try await client.call(.post, "/api/devices/activations/\(startedId)/revoke", f.admin, ["reason": "stolen"])
            #expect(revoked.json["state"] as? String == "revoked")
            #expect(try await f.activate(client, "hw-3").status == .created)

            // Reads.
            let read = try await client.call(.get, "/api/devices/activations/\(activationId)", f.admin)
            #expect(read.json["transferredTo"] as? String == startedId)
            let device = try await client.call(.get, "/api/devices/\(deviceId)", f.admin)
            #expect((device.json["device"] as? [String: Any])?["riskState"] as? String == "unknown")
            #expect((device.json["installations"] as? [[String: Any]])?.count == 1)
        }
    }

    /// Seats full, a new laptop asks: refused (409), but its installation and key are
    /// recorded, so the administrator moves the old laptop's seat to it in one step.
    @Test func aRefusedActivationCanReceiveATransferredSeat() async throws {
        let f = try await DeviceRouteFixture()
        try await f.m.test { client in
            try await f.subscribe(client, seats: 1)
            let old = try await f.activate(client, "old-laptop")
            let oldId = try #require((old.json["activation"] as? [String: Any])?["id"] as? String)
            #expect(try await client.call(.post, "/api/devices/activations/\(oldId)/approve", f.admin, ["reason": "ok"]).status == .ok)

            let newKey = P256.Signing.PrivateKey()
            let refused = try await f.activate(client, "new-laptop", key: newKey)
            #expect(refused.status == .conflict && refused.problemType == "no-free-seat")
            let installationId = try #require(refused.json["installationId"] as? String)
            let audit = try f.m.services.environment.read { try $0.auditEvents(tenant: f.m.tenantId("globex"), limit: 10_000) }
            #expect(audit.contains { $0.action == "device.activation.refused" && $0.target == installationId && $0.outcome == .denied })

            let moved = try await client.call(.post, "/api/devices/activations/\(oldId)/transfer", f.admin, [
                "installationId": installationId, "reason": "replacement laptop",
            ])
            #expect(moved.status == .ok)
            let started = try #require(moved.json["started"] as? [String: Any])
            #expect(started["state"] as? String == "active" && started["installationId"] as? String == installationId)
            // The new laptop's own key is the activation's key: its heartbeat is accepted.
            let startedId = try #require(started["id"] as? String)
            let kid = try #require(started["keyThumbprint"] as? String)
            let jwk = DeviceRouteFixture.jwk(newKey).compactMapValues { $0 as? String }
            #expect(kid == (try DevicePublicKey(jwk: jwk).thumbprint))
            #expect(try await f.heartbeat(client, startedId, key: newKey, kid: kid).status == .ok)
            // Still one seat in use.
            #expect(try await f.activate(client, "third-laptop").problemType == "no-free-seat")
        }
    }

    @Test func riskRouteTransitionsAndGraph() async throws {
        let f = try await DeviceRouteFixture()
        try await f.m.test { client in
            try await f.subscribe(client, seats: 5)
            let created = try await f.activate(client, "hw-risk")
            let deviceId = try #require((created.json["activation"] as? [String: Any])?["deviceId"] as? String)
            let uri = "/api/devices/\(deviceId)/risk"
            #expect(try await client.call(.put, uri, f.admin, ["riskState": "trusted"]).status == .badRequest)
            #expect(try await client.call(.put, uri, f.admin, ["riskState": "sideways", "reason": "x"]).status == .badRequest)
            let trusted = try await client.call(.put, uri, f.admin, ["riskState": "trusted", "reason": "enrolled"])
            #expect(trusted.status == .ok && trusted.json["trustLevel"] as? Int == 3)
            #expect(try f.m.graphEntity("globex", "Device", deviceId)?.attributes["trustLevel"] == .long(3))
            #expect(try await client.call(.put, uri, f.admin, ["riskState": "compromised", "reason": "EDR"]).status == .ok)
            let refused = try await client.call(.put, uri, f.admin, ["riskState": "trusted", "reason": "oops"])
            #expect(refused.status == .conflict && refused.problemType == "risk-transition-refused")
            #expect(try f.m.graphEntity("globex", "Device", deviceId)?.attributes["riskState"] == .string("compromised"))
            // A compromised device activates nothing more.
            let again = try await f.activate(client, "hw-risk")
            #expect(again.status == .forbidden && again.problemType == "device-denied")
        }
    }

    @Test func tenantRuleAutoApproves() async throws {
        let f = try await DeviceRouteFixture()
        let rules = """
            kind: policy
            id: device-approval
            rules:
              - id: auto-approve-linux
                effect: allow
                principal: User
                actions: [approve-device-activation]
                resource: Product
                when: context.platform == "linux"
            """
        let output = PolicyBuild.build(files: ["rules.yaml": rules])
        let bundle = try #require(output.bundle, "\(output.diagnostics)")
        let services = f.m.services
        let tenant = f.m.tenantId("globex")
        let info = try await services.tenantBundles.save(bundle, tenant: tenant, actor: "test", activate: true)
        services.policies.activate(ActiveBundle(version: info.version, program: Program(bundle: bundle)), tenant: tenant)
        try await f.m.test { client in
            try await f.subscribe(client, seats: 5)
            let linux = try await f.activate(client, "hw-linux", platform: "linux")
            #expect((linux.json["activation"] as? [String: Any])?["state"] as? String == "active")
            #expect((linux.json["activation"] as? [String: Any])?["decidedBy"] as? String == "policy")
            let mac = try await f.activate(client, "hw-mac", platform: "macos")
            #expect((mac.json["activation"] as? [String: Any])?["state"] as? String == "pending_approval")
        }
    }

    @Test func concurrentActivationsThroughTheRoute() async throws {
        let f = try await DeviceRouteFixture()
        try await f.m.test { client in
            try await f.subscribe(client, seats: 3)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for i in 0..<24 { group.addTask { try await f.activate(client, "box-\(i)").status } }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 3)
            #expect(statuses.filter { $0 == .conflict }.count == 21)
            let used = try f.m.services.environment.read {
                try DeviceStore.usedSeats(tenantId: f.m.tenantId("globex"), productKey: "acme.crm", tables: f.m.services.deviceTables, in: $0)
            }
            #expect(used == 3)
        }
    }

    /// Every route answers 404 for an id of another tenant or another organization.
    @Test func crossTenantAndCrossOrganizationIdsAre404() async throws {
        let f = try await DeviceRouteFixture()
        let key = P256.Signing.PrivateKey()
        try await f.m.test { client in
            try await f.subscribe(client, seats: 5)
            let created = try await f.activate(client, "hw-iso", key: key)
            let activation = try #require(created.json["activation"] as? [String: Any])
            let id = try #require(activation["id"] as? String)
            let deviceId = try #require(activation["deviceId"] as? String)
            let kid = try #require(activation["keyThumbprint"] as? String)
            for (adminToken, agentToken) in [(f.acmeAdmin, f.acmeAgent), (f.otherOrgAdmin, f.otherOrgAgent)] {
                let admin: [(HTTPRequest.Method, String, [String: Any]?)] = [
                    (.get, "/api/devices/activations/\(id)", nil),
                    (.post, "/api/devices/activations/\(id)/approve", ["reason": "r"]),
                    (.post, "/api/devices/activations/\(id)/deny", ["reason": "r"]),
                    (.post, "/api/devices/activations/\(id)/revoke", ["reason": "r"]),
                    (.post, "/api/devices/activations/\(id)/transfer", ["reason": "r", "installationId": "ins_x"]),
                    (.get, "/api/devices/\(deviceId)", nil),
                    (.put, "/api/devices/\(deviceId)/risk", ["riskState": "blocked", "reason": "r"]),
                ]
                for (method, uri, body) in admin {
                    let response = try await client.call(method, uri, adminToken, body)
                    #expect(response.status == .notFound, "\(method) \(uri)")
                }
                #expect(try await client.call(.post, "/api/devices/activations/\(id)/offline-lease", agentToken).status == .notFound)
                #expect(try await f.heartbeat(client, id, key: key, kid: kid, token: agentToken).status == .notFound)
            }
            // Nothing changed.
            let read = try await client.call(.get, "/api/devices/activations/\(id)", f.admin)
            #expect(read.json["state"] as? String == "pending_approval")
        }
    }
}
