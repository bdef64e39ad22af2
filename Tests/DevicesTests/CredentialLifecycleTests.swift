import Crypto
import Devices
import Foundation
import Store
import Testing
import TestSupport

/// Register, rotate, revoke: the thumbprint index holds active credentials only, one key
/// per tenant, and every change is refused outside the caller's organization.
@Suite struct CredentialLifecycleTests {
    struct World {
        let directory = TemporaryDirectory("credentials")
        let environment: Environment
        let records: DeviceRecords
        var credentials: DeviceCredentials { DeviceCredentials(records: records) }
        let scope = DeviceScope(tenantId: "ten_a", organizationId: "org_a")

        init() throws {
            environment = try Environment(path: directory.path)
            records = DeviceRecords(tables: try DeviceTables(environment: environment))
        }

        func device(_ id: String, organization: String = "org_a", tenant: String = "ten_a") throws {
            let records = self.records
            try environment.writeSync { txn in
                try records.insertDevice(Device(id: id, tenantId: tenant, organizationId: organization, hardwareIdHash: id, createdAt: Date()), in: txn)
            }
        }

        func write<T>(_ body: (WriteTransaction) throws -> T) throws -> T { try environment.writeSync(body) }

        func active(_ kind: DeviceCredential.Kind, _ thumbprint: String, tenant: String = "ten_a") throws -> DeviceCredential? {
            try environment.read { try records.credential(tenantId: tenant, kind: kind, thumbprint: thumbprint, in: $0) }
        }
    }

    static func newKey() throws -> CredentialMaterial {
        let raw = Array(P256.Signing.PrivateKey().publicKey.rawRepresentation)
        func b64(_ bytes: ArraySlice<UInt8>) -> String {
            Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
        return try CredentialMaterial.jwk(members: ["kty": "EC", "crv": "P-256", "x": b64(raw[0..<32]), "y": b64(raw[32..<64])], hasPrivateMember: false)
    }

    @Test func certificateRegisterRotateRevoke() throws {
        let world = try World()
        let openssl = OpenSSL()
        try world.device("dev_1")
        try world.device("dev_2")
        let first = try CredentialMaterial.certificatePEM(try openssl.selfSigned("first", subject: "/CN=dev-1", days: 90))
        let second = try CredentialMaterial.certificatePEM(try openssl.selfSigned("second", subject: "/CN=dev-1b", days: 90))

        let registered = try world.write { try world.credentials.register(first, scope: world.scope, deviceId: "dev_1", actor: "usr_admin", reason: nil, in: $0) }
        #expect(registered.kind == .x509 && registered.status == .active && registered.publicJWK == nil)
        #expect(registered.certificate?.subject.contains("CN=dev-1") == true)
        #expect(try world.active(.x509, first.thumbprint)?.id == registered.id)
        #expect(try world.active(.x509, first.thumbprint, tenant: "ten_b") == nil)

        // The same certificate on another device (or again) is refused: one key, one device.
        #expect(throws: DeviceCredentialError.thumbprintInUse(kind: .x509)) {
            try world.write { try world.credentials.register(first, scope: world.scope, deviceId: "dev_2", actor: "usr_admin", reason: nil, in: $0) }
        }
        // A key cannot rotate a certificate.
        #expect(throws: DeviceCredentialError.kindMismatch(expected: .x509, got: .jwk)) {
            try world.write { try world.credentials.rotate(registered.id, to: try Self.newKey(), scope: world.scope, deviceId: "dev_1", actor: "a", reason: "r", in: $0) }
        }
        // Another device's path does not reach the credential.
        #expect(throws: DeviceCredentialError.unknownCredential(registered.id)) {
            try world.write { try world.credentials.revoke(registered.id, scope: world.scope, deviceId: "dev_2", actor: "a", reason: "r", in: $0) }
        }

        let (old, new) = try world.write {
            try world.credentials.rotate(registered.id, to: second, scope: world.scope, deviceId: "dev_1", actor: "usr_admin", reason: "renewed", in: $0)
        }
        #expect(old.status == .rotated && old.replacedBy == new.id && old.rotatedAt != nil)
        #expect(try world.active(.x509, first.thumbprint) == nil)
        #expect(try world.active(.x509, second.thumbprint)?.id == new.id)
        #expect(throws: DeviceCredentialError.notActive(id: old.id, status: .rotated)) {
            try world.write { try world.credentials.revoke(old.id, scope: world.scope, deviceId: "dev_1", actor: "a", reason: "r", in: $0) }
        }

        let revoked = try world.write { try world.credentials.revoke(new.id, scope: world.scope, deviceId: "dev_1", actor: "usr_admin", reason: "lost", in: $0) }
        #expect(revoked.status == .revoked && revoked.revokeReason == "lost" && revoked.revokedBy == "usr_admin")
        #expect(try world.active(.x509, second.thumbprint) == nil)
        // A revoked certificate's thumbprint is free again (re-enrolment).
        _ = try world.write { try world.credentials.register(second, scope: world.scope, deviceId: "dev_2", actor: "a", reason: "re-enrolled", in: $0) }

        let listed = try world.environment.read { try world.credentials.list(tenantId: "ten_a", deviceId: "dev_1", in: $0) }
        #expect(Set(listed.map(\.id)) == [old.id, new.id])
        let audit = try world.environment.read { try $0.auditEvents(tenant: "ten_a") }.map(\.action)
        #expect(audit.filter { $0.hasPrefix("device.credential.") } == [
            "device.credential.create", "device.credential.rotate", "device.credential.revoke", "device.credential.create",
        ])
    }

    @Test func otherOrganizationsAndTenantsReadAsUnknown() throws {
        let world = try World()
        try world.device("dev_b", organization: "org_b")
        try world.device("dev_t", tenant: "ten_b")
        let key = try Self.newKey()
        for id in ["dev_b", "dev_t", "dev_none"] {
            #expect(throws: DeviceCredentialError.unknownDevice(id)) {
                try world.write { try world.credentials.register(key, scope: world.scope, deviceId: id, actor: "a", reason: nil, in: $0) }
            }
        }
        #expect(try world.active(.jwk, key.thumbprint) == nil)
        #expect(try world.environment.read { try $0.auditEvents(tenant: "ten_a") }.isEmpty)
    }

    @Test func rotatingAnActivationKeyMovesTheActivationToTheNewKey() throws {
        let world = try World()
        try world.device("dev_1")
        let key = try Self.newKey()
        guard case .jwk(let publicKey) = key else { Issue.record("not a jwk"); return }
        // The key as activation registers it (through DeviceRecords, not DeviceCredentials).
        let credential = DeviceCredentialFixture.make(id: "dcr_act", deviceId: "dev_1", key: publicKey)
        let records = world.records
        try world.write { txn in
            try records.putCredential(credential, in: txn)
            try records.putInstallation(DeviceInstallation(
                id: "ins_1", tenantId: "ten_a", organizationId: "org_a", deviceId: "dev_1", productKey: "acme.crm", createdAt: Date()), in: txn)
            try records.insertActivation(LicenseActivation(
                id: "act_1", tenantId: "ten_a", organizationId: "org_a", deviceId: "dev_1", installationId: "ins_1",
                productKey: "acme.crm", state: .active, keyThumbprint: credential.thumbprint, credentialId: credential.id,
                requestedBy: "usr", createdAt: Date()), in: txn)
        }
        let listed = try world.environment.read { try world.credentials.list(tenantId: "ten_a", deviceId: "dev_1", in: $0) }
        #expect(listed.map(\.id) == ["dcr_act"])

        let replacement = try Self.newKey()
        let (_, new) = try world.write {
            try world.credentials.rotate("dcr_act", to: replacement, scope: world.scope, deviceId: "dev_1", actor: "usr_admin", reason: "key compromise drill", in: $0)
        }
        let activation = try world.environment.read { try DeviceStore.activation(tenantId: "ten_a", id: "act_1", tables: records.tables, in: $0) }
        #expect(activation?.credentialId == new.id)
        #expect(activation?.keyThumbprint == replacement.thumbprint)
        #expect(try world.active(.jwk, key.thumbprint) == nil)
        #expect(try world.active(.jwk, replacement.thumbprint)?.deviceId == "dev_1")
    }

    @Test func aDeviceHoldsABoundedNumberOfActiveCredentials() throws {
        let world = try World()
        try world.device("dev_1")
        for _ in 0..<DeviceCredentials.maxActivePerDevice {
            _ = try world.write { try world.credentials.register(try Self.newKey(), scope: world.scope, deviceId: "dev_1", actor: "a", reason: nil, in: $0) }
        }
        #expect(throws: DeviceCredentialError.tooManyCredentials(limit: DeviceCredentials.maxActivePerDevice)) {
            try world.write { try world.credentials.register(try Self.newKey(), scope: world.scope, deviceId: "dev_1", actor: "a", reason: nil, in: $0) }
        }
    }
}

/// Builds a credential the way activation does (`DeviceCredential` has no public init).
enum DeviceCredentialFixture {
    static func make(id: String, deviceId: String, key: DevicePublicKey) -> DeviceCredential {
        let json = #"{"id":"\#(id)","tenantId":"ten_a","deviceId":"\#(deviceId)","kind":"jwk","thumbprint":"\#(key.thumbprint)","status":"active","createdAt":0,"createdBy":"usr"}"#
        return try! StoredJSON.decode(DeviceCredential.self, from: Array(json.utf8))
    }
}
