import Devices
import Evaluator
import Foundation
import Identity
import PolicyLang
import Store

/// A registered device found through one of its credentials, as it is now.
struct BoundDevice: Sendable, Equatable {
    var credential: DeviceCredential
    var device: Device
    /// The license activation the credential was registered by, when there is one (keys
    /// uploaded through the credentials API and device certificates have none).
    var activation: LicenseActivation?
}

/// Why a device-bound token, or a token request with a device proof, is refused.
enum DeviceBindingRefusal: Error, Equatable, Sendable {
    /// The credential is no longer an active credential of the token's device.
    case credentialInactive
    case deviceGone
    /// The built-in device policy (`Policies/device-tokens.yaml`) denied, with its reasons.
    case policyDenied([String])

    var description: String {
        switch self {
        case .credentialInactive: "the device credential this token is bound to is no longer active"
        case .deviceGone: "the device this token is bound to no longer exists"
        case .policyDenied(let reasons):
            reasons.isEmpty ? "the device policy does not allow a device-bound token for this device"
                : "the device policy denies this device: " + reasons.joined(separator: ", ")
        }
    }
}

/// Device-bound tokens (issue 7): finds the device of a DPoP key or mTLS certificate by its
/// thumbprint (`DeviceTables.credentialThumbprints`), asks the built-in device policy
/// whether it may hold a token, and — continuous access evaluation — re-reads the device,
/// its credential and its activation on EVERY request made with a device-bound token. Nothing
/// about a device's state is cached: revoking the activation, revoking the credential or
/// moving the device to `blocked`/`compromised` takes effect on the next request, not
/// when the token expires. Also holds the DPoP verifier (and its replay cache), shared by the
/// token endpoint and the bearer check.
final class DeviceBinding: Sendable {
    let environment: Store.Environment
    let tables: DeviceTables
    let policies: PolicyRegistry
    let dpop: DPoPVerifier

    /// The action of `Policies/device-tokens.yaml`: may this client hold a token bound to this device?
    static let action = EntityUID(type: "Action", id: "issue-device-token")
    /// `context.activationState` when the credential belongs to no activation.
    static let noActivation = "none"

    init(environment: Store.Environment, tables: DeviceTables, policies: PolicyRegistry, baseURL: String,
         replay: DPoPReplayCache = DPoPReplayCache()) {
        self.environment = environment
        self.tables = tables
        self.policies = policies
        dpop = DPoPVerifier(baseURL: baseURL, replay: replay)
    }

    // MARK: Lookups

    /// The device whose active credential of `kind` has `thumbprint`, nil when none does.
    /// `activationId` names the activation to read (a token's `device_activation_id`); without
    /// one, the activation registered with the credential is searched for (token issuance only).
    func device(tenantId: String, kind: DeviceCredential.Kind, thumbprint: String, activationId: String? = nil) throws -> BoundDevice? {
        guard thumbprint.utf8.count <= 128, tenantId.utf8.count <= 128 else { return nil }
        return try environment.read { txn throws -> BoundDevice? in
            guard let credentialId = try Self.credentialId(
                txn.get(tables.credentialThumbprints, Key(.string(tenantId), .string(kind.rawValue), .string(thumbprint)))),
                  let credential = try txn.getJSON(DeviceCredential.self, tables.credentials, Key(.string(tenantId), .string(credentialId))),
                  credential.status == .active, credential.kind == kind, credential.thumbprint == thumbprint,
                  let device = try txn.getJSON(Device.self, tables.devices, Key(.string(tenantId), .string(credential.deviceId)))
            else { return nil }
            let activation: LicenseActivation?
            if let activationId {
                activation = !activationId.isEmpty && activationId.utf8.count <= 128
                    ? try txn.getJSON(LicenseActivation.self, tables.activations, Key(.string(tenantId), .string(activationId))) : nil
            } else {
                activation = try Self.activation(of: credential, in: txn, tables: tables)
            }
            return BoundDevice(credential: credential, device: device, activation: activation)
        }
    }

    /// The thumbprint index stores the credential id; accept it as raw UTF-8 or as a JSON string.
    static func credentialId(_ bytes: [UInt8]?) throws -> String? {
        guard let bytes, !bytes.isEmpty, bytes.count <= 256 else { return nil }
        if bytes.first == UInt8(ascii: "\"") { return try? JSONDecoder().decode(String.self, from: Data(bytes)) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The activation a token bound through `credential` answers to, found through the
    /// device's installations (`DeviceInstallation.activationId`): one registered with this
    /// credential (`activation.credentialId`) if any, else any of the device's (a key added
    /// or rotated later is as good as the device's standing); among them a seat holder first,
    /// else the newest — so a device whose activations are all revoked gets no token through
    /// any of its keys. Nil only for a device that never activated (certificate-only
    /// devices). Runs at token issuance only (the token then names the activation).
    static func activation(of credential: DeviceCredential, in txn: some TransactionReading, tables: DeviceTables) throws -> LicenseActivation? {
        var all: [LicenseActivation] = []
        let tenantId = credential.tenantId
        for entry in try txn.entries(tables.deviceInstallations, prefix: Key(.string(tenantId), .string(credential.deviceId)), limit: 256) {
            let installationId = String(decoding: entry.value, as: UTF8.self)
            guard let installation = try txn.getJSON(
                DeviceInstallation.self, tables.installations, Key(.string(tenantId), .string(installationId))),
                let activationId = installation.activationId,
                let activation = try DeviceStore.activation(tenantId: tenantId, id: activationId, tables: tables, in: txn)
            else { continue }
            all.append(activation)
        }
        let own = all.filter { $0.credentialId == credential.id }
        return (own.isEmpty ? all : own).max { lhs, rhs in
            if lhs.state.holdsSeat != rhs.state.holdsSeat { return !lhs.state.holdsSeat }
            return lhs.createdAt < rhs.createdAt
        }
    }

    // MARK: The device policy

    /// The built-in program's answer on `issue-device-token` for `clientId` and this device,
    /// over in-memory entities made from the live records.
    func decide(_ bound: BoundDevice, tenantId: String, clientId: String) -> Decision {
        let tenant = EntityUID(type: "Tenant", id: tenantId)
        let organization = EntityUID(type: "Organization", id: bound.device.organizationId)
        let device = EntityUID(type: "Device", id: bound.device.id)
        let principal = EntityUID(type: "Client", id: clientId)
        var entities = InMemoryEntities()
        entities.insert(Entity(uid: tenant, attributes: [:]))
        entities.insert(Entity(uid: organization, attributes: ["tenant": .entity(tenant)], parents: [tenant]))
        entities.insert(Entity(
            uid: device,
            attributes: [
                "tenant": .entity(tenant), "organization": .entity(organization),
                "riskState": .string(bound.device.riskState.rawValue),
                "trustLevel": .long(Int64(bound.device.riskState.trustLevel)),
            ],
            parents: [organization]))
        entities.insert(Entity(uid: principal, attributes: ["tenant": .entity(tenant)], parents: [tenant]))
        let context: [String: Value] = [
            "activationState": .string(bound.activation?.state.rawValue ?? Self.noActivation),
            "credentialKind": .string(bound.credential.kind.rawValue),
        ]
        let request = Evaluator.Request(principal: principal, action: Self.action, resource: device, context: context)
        return Authorizer(program: policies.builtIn).authorize(request, entities: entities, mode: .complete)
    }

    /// Throws unless the policy allows.
    func authorize(_ bound: BoundDevice, tenantId: String, clientId: String) throws(DeviceBindingRefusal) {
        let decision = decide(bound, tenantId: tenantId, clientId: clientId)
        guard decision.decision == .allow else { throw .policyDenied(decision.reasons) }
    }

    // MARK: Continuous access evaluation

    /// For a device-bound token: the device, credential and activation as they are now, if
    /// the policy still allows them; throws otherwise. Tokens without `device_id` pass.
    @discardableResult
    func checkLive(_ token: VerifiedAccessToken) throws -> BoundDevice? {
        let claims = token.claims
        guard let deviceId = claims.device_id else { return nil }
        // The device was found through the DPoP key or, failing that, the certificate; the
        // same credential must still lead to the same device.
        var candidates: [(DeviceCredential.Kind, String)] = []
        if let jkt = claims.cnf?.jkt { candidates.append((.jwk, jkt)) }
        if let x5t = claims.cnf?.x5tS256 { candidates.append((.x509, x5t)) }
        var found: BoundDevice?
        for (kind, thumbprint) in candidates {
            if let bound = try device(
                tenantId: token.tenantId, kind: kind, thumbprint: thumbprint, activationId: claims.device_activation_id ?? ""),
               bound.device.id == deviceId {
                found = bound
                break
            }
        }
        guard let bound = found else { throw DeviceBindingRefusal.credentialInactive }
        // A token issued for an activation keeps needing it: one that is gone reads as revoked.
        if claims.device_activation_id != nil, bound.activation == nil { throw DeviceBindingRefusal.policyDenied(["activation-gone"]) }
        try authorize(bound, tenantId: token.tenantId, clientId: token.clientId)
        return bound
    }
}
