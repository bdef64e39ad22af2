import Devices
import Foundation
import Hummingbird
import Identity
import Store

/// `/api/devices/{deviceId}/credentials`: the keys and certificates a device proves itself
/// with. An administrator registers a P-256 public key (as a JWK or an SPKI PEM; kept as
/// its RFC 7638 thumbprint and public JWK) or a PEM X.509 certificate (parsed with
/// swift-certificates; subject, issuer, serial, `x5t#S256`, validity and expiry warning are
/// kept, the body is discarded), rotates one (same kind, reason required) or revokes one
/// (reason required). Active credentials are what DPoP `jkt` and mTLS `x5t#S256` device
/// proofs are looked up by.
struct CredentialRoutes {
    let devices: DeviceRoutes
    var services: ArbiterApplication.Services { devices.services }
    var credentials: DeviceCredentials { DeviceCredentials(records: services.deviceRecords) }

    func add(to group: RouterGroup<ArbiterRequestContext>) {
        group.get(":deviceId/credentials") { _, context in try list(context) }
        group.post(":deviceId/credentials") { request, context in try await create(request, context) }
        group.post(":deviceId/credentials/:credentialId/rotate") { request, context in try await rotate(request, context) }
        group.delete(":deviceId/credentials/:credentialId") { request, context in try await revoke(request, context) }
    }

    func list(_ context: ArbiterRequestContext) throws -> Response {
        let (_, _, device) = try devices.authorizedDevice(context, .read)
        let credentials = self.credentials
        let items = try services.environment.read { try credentials.list(tenantId: device.tenantId, deviceId: device.id, in: $0) }
        return try JSONResponse.make(.ok, PageDTO(items: items.map(DeviceCredentialDTO.init), nextAfter: nil))
    }

    func create(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let (caller, scope, device) = try devices.authorizedDevice(context, .update)
        var fields = try await ApplicationsAPI.fields(request, limit: devices.maxBodyBytes)
        let (material, materialErrors) = Self.material(&fields)
        let reason = fields.optionalString("reason")
        var errors = fields.finish() + materialErrors
        if let reason, reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || reason.utf8.count > DevicesAPI.maxReasonBytes {
            errors.append(FieldError(field: "reason", message: "must say why, in 1 to \(DevicesAPI.maxReasonBytes) bytes"))
        }
        let parsed = try Self.parse(material, errors: errors)
        let credentials = self.credentials
        let credential = try await Self.mapping {
            try await services.environment.write { txn in
                try credentials.register(parsed, scope: scope, deviceId: device.id, actor: caller.actor, reason: reason, in: txn)
            }
        }
        return try JSONResponse.make(
            .created, DeviceCredentialDTO(credential), headers: [.location: "/api/devices/\(device.id)/credentials/\(credential.id)"])
    }

    func rotate(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let (caller, scope, device) = try devices.authorizedDevice(context, .update)
        let credentialId = String((context.parameters.get("credentialId") ?? "").prefix(200))
        var fields = try await ApplicationsAPI.fields(request, limit: devices.maxBodyBytes)
        let (material, materialErrors) = Self.material(&fields)
        let (reason, errors) = DevicesAPI.finish(&fields)
        let parsed = try Self.parse(material, errors: errors + materialErrors)
        guard let reason else { throw ProblemError.validation(errors) }
        let credentials = self.credentials
        let (old, new) = try await Self.mapping {
            try await services.environment.write { txn in
                try credentials.rotate(credentialId, to: parsed, scope: scope, deviceId: device.id, actor: caller.actor, reason: reason, in: txn)
            }
        }
        return try JSONResponse.make(.ok, CredentialRotationDTO(rotated: DeviceCredentialDTO(old), credential: DeviceCredentialDTO(new)))
    }

    /// The reason comes as `?reason=` or as a JSON body `{"reason": …}`.
    func revoke(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let (caller, scope, device) = try devices.authorizedDevice(context, .update)
        let credentialId = String((context.parameters.get("credentialId") ?? "").prefix(200))
        var fields = try await ApplicationsAPI.optionalFields(request, limit: devices.maxBodyBytes)
        var reason: String?
        var errors: [FieldError]
        if fields.isEmpty, let query = request.uri.queryParameters.get("reason") {
            let trimmed = query.trimmingCharacters(in: .whitespacesAndNewlines)
            reason = trimmed.isEmpty || trimmed.utf8.count > DevicesAPI.maxReasonBytes ? nil : trimmed
            errors = reason == nil ? [FieldError(field: "reason", message: "must say why, in 1 to \(DevicesAPI.maxReasonBytes) bytes")] : []
        } else {
            (reason, errors) = DevicesAPI.finish(&fields)
        }
        guard errors.isEmpty, let reason else { throw ProblemError.validation(errors) }
        let credentials = self.credentials
        let revoked = try await Self.mapping {
            try await services.environment.write { txn in
                try credentials.revoke(credentialId, scope: scope, deviceId: device.id, actor: caller.actor, reason: reason, in: txn)
            }
        }
        return try JSONResponse.make(.ok, DeviceCredentialDTO(revoked))
    }

    // MARK: Body

    /// Which public material the body carries: exactly one of `jwk`, `publicKeyPem`,
    /// `certificatePem`.
    enum Material {
        case jwk(members: [String: String], hasPrivateMember: Bool)
        case publicKeyPEM(String)
        case certificatePEM(String)
    }

    static func material(_ fields: inout ManagementFields) -> (Material?, [FieldError]) {
        var found: [(String, Material)] = []
        if var jwk = fields.optionalObject("jwk") {
            var members: [String: String] = [:]
            for name in ["kty", "crv", "x", "y"] { members[name] = jwk.string(name) }
            for name in ["kid", "use", "alg"] { _ = jwk.optionalString(name) }
            // Any private member of an EC, RSA or symmetric JWK.
            let hasPrivate = ["d", "p", "q", "dp", "dq", "qi", "k"].map { jwk.optionalString($0) != nil }.contains(true)
            fields.merge(jwk)
            found.append(("jwk", .jwk(members: members, hasPrivateMember: hasPrivate)))
        }
        if let pem = fields.optionalString("publicKeyPem") { found.append(("publicKeyPem", .publicKeyPEM(pem))) }
        if let pem = fields.optionalString("certificatePem") { found.append(("certificatePem", .certificatePEM(pem))) }
        guard found.count == 1 else {
            guard found.count > 1 || fields.errors.isEmpty else { return (nil, []) }
            return (nil, [FieldError(field: "jwk", message: "send exactly one of jwk, publicKeyPem, certificatePem")])
        }
        return (found[0].1, [])
    }

    /// Turns the body's material into a credential's, or answers every field error.
    static func parse(_ material: Material?, errors: [FieldError]) throws -> CredentialMaterial {
        guard errors.isEmpty, let material else { throw ProblemError.validation(errors) }
        do {
            switch material {
            case let .jwk(members, hasPrivate): return try CredentialMaterial.jwk(members: members, hasPrivateMember: hasPrivate)
            case .publicKeyPEM(let pem): return try CredentialMaterial.publicKeyPEM(pem)
            case .certificatePEM(let pem): return try CredentialMaterial.certificatePEM(pem)
            }
        } catch {
            let field: String
            switch material {
            case .jwk: field = "jwk"
            case .publicKeyPEM: field = "publicKeyPem"
            case .certificatePEM: field = "certificatePem"
            }
            throw problem(error, field: field)
        }
    }

    static func mapping<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as DeviceCredentialError {
            throw problem(error, field: nil)
        } catch let error as DeviceError {
            throw DevicesAPI.problem(error)
        }
    }

    static func problem(_ error: DeviceCredentialError, field: String?) -> ProblemError {
        switch error {
        case .unknownDevice(let id):
            return .notFound("no device '\(id.prefix(100))' in your organization")
        case .unknownCredential(let id):
            return .notFound("no credential '\(id.prefix(100))' of this device")
        case .thumbprintInUse(let kind):
            return .conflict(
                type: "credential-in-use", title: "The credential is registered",
                detail: "an active \(kind == .x509 ? "certificate" : "key") with this thumbprint is already registered to a device of your tenant")
        case .notActive(let id, let status):
            return .conflict(
                type: "credential-not-active", title: "The credential is not active",
                detail: "credential '\(id.prefix(100))' is \(status.rawValue); only active credentials can be rotated or revoked")
        case .kindMismatch(let expected, let got):
            return .validation([FieldError(
                field: got == .x509 ? "certificatePem" : "jwk",
                message: "a \(expected == .x509 ? "certificate" : "key") rotates to another \(expected == .x509 ? "certificate (certificatePem)" : "key (jwk or publicKeyPem)")")])
        case .invalidKey(let detail):
            return .validation([FieldError(field: field ?? "jwk", message: detail)])
        case .invalidCertificate(let detail):
            return .validation([FieldError(field: field ?? "certificatePem", message: detail)])
        case .tooManyCredentials(let limit):
            return .conflict(
                type: "limit-reached", title: "A limit is reached",
                detail: "a device holds at most \(limit) active credentials; revoke one first")
        }
    }
}
