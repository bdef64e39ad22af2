import Devices
import Evaluator
import PolicyLang
import Foundation
import HTTPTypes
import Hummingbird
import Identity
import Store

/// `/api/devices/activations…`: a device agent activates an installation against a seat,
/// heartbeats and takes offline leases; administrators approve, deny, transfer and revoke.
/// Every change is one write transaction with its audit event (and the device's graph
/// facts and the tenant revision when what the graph holds changed).
struct ActivationRoutes {
    let devices: DeviceRoutes
    var services: ArbiterApplication.Services { devices.services }
    var authorizer: ManagementAuthorizer { devices.authorizer }
    var activations: Activations { devices.activations }
    var tables: DeviceTables { devices.tables }

    /// The action a tenant's policy bundle allows to approve activations on its own; the
    /// built-in policies grant it to nobody, so by default every activation waits.
    static let approvalAction = EntityUID(type: "Action", id: "approve-device-activation")
    static let maxHardwareIdBytes = HardwareIDs.maxLength

    func add(to group: RouterGroup<ArbiterRequestContext>) {
        group.post("activations") { request, context in try await activate(request, context) }
        group.get("activations/:activationId") { _, context in try read(context) }
        group.post("activations/:activationId/approve") { request, context in try await decide(request, context, approve: true) }
        group.post("activations/:activationId/deny") { request, context in try await decide(request, context, approve: false) }
        group.post("activations/:activationId/revoke") { request, context in try await revoke(request, context) }
        group.post("activations/:activationId/transfer") { request, context in try await transfer(request, context) }
        group.post("activations/:activationId/heartbeat") { request, context in try await heartbeat(request, context) }
        group.post("activations/:activationId/offline-lease") { request, context in try await lease(request, context) }
    }

    var activationId: (ArbiterRequestContext) -> String { { String(($0.parameters.get("activationId") ?? "").prefix(200)) } }

    // MARK: Agent

    func activate(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let agent = try DevicesAPI.agent(context)
        var fields = try await ApplicationsAPI.fields(request, limit: devices.maxBodyBytes)
        let productKey = fields.string("productKey")
        let hardwareId = fields.string("hardwareId")
        let platform = fields.optionalString("platform")
        let displayName = fields.optionalString("displayName")
        var jwk: [String: String] = [:]
        var privateMember = false
        if var key = fields.optionalObject("publicKey") {
            for member in ["kty", "crv", "x", "y"] { jwk[member] = key.string(member) }
            _ = (key.optionalString("kid"), key.optionalString("alg"), key.optionalString("use"))
            privateMember = key.optionalString("d") != nil
            fields.merge(key)
        } else {
            _ = fields.string("publicKey")  // reports it as required
        }
        var errors = fields.finish()
        if let productKey, productKey.isEmpty || productKey.utf8.count > 200 {
            errors.append(FieldError(field: "productKey", message: "must be a product key of 1 to 200 bytes"))
        }
        if let hardwareId, hardwareId.isEmpty || hardwareId.utf8.count > Self.maxHardwareIdBytes {
            errors.append(FieldError(field: "hardwareId", message: "must be 1 to \(Self.maxHardwareIdBytes) bytes"))
        }
        if let platform, platform.isEmpty || platform.utf8.count > 32 {
            errors.append(FieldError(field: "platform", message: "must be 1 to 32 bytes (macos, windows, linux, ios, android…)"))
        }
        if let displayName, displayName.utf8.count > 200 {
            errors.append(FieldError(field: "displayName", message: "must be at most 200 bytes"))
        }
        var key: DevicePublicKey?
        if errors.isEmpty {
            do {
                key = try DevicePublicKey(jwk: jwk, hasPrivateMember: privateMember)
            } catch {
                if case .invalidKey(let detail) = error { errors.append(FieldError(field: "publicKey", message: detail)) }
            }
        }
        guard errors.isEmpty, let productKey, let hardwareId, let key else { throw ProblemError.validation(errors) }

        let activationRequest = ActivationRequest(
            organizationId: agent.organizationId, tenantId: agent.tenantId, requestedBy: agent.subject, productKey: productKey,
            hardwareId: hardwareId, platform: platform, displayName: displayName, key: key)
        let activations = self.activations
        let tables = self.tables
        let known = try services.environment.read {
            try activations.knownDevice(tenantId: agent.tenantId, organizationId: agent.organizationId, hardwareId: hardwareId, in: $0)
        }
        _ = tables
        let autoApprove = try approvedByPolicy(agent: agent, productKey: productKey, platform: platform, known: known)
        let outcome: ActivationOutcome
        do {
            outcome = try await services.environment.write { txn in
                try activations.activate(activationRequest, autoApprove: autoApprove, in: txn)
            }
        } catch DeviceError.noFreeSeat(let key, let seats) {
            // Nothing of the refused activation was written; record the device, key and
            // installation on their own so a seat can be transferred to it.
            let installation = try await DevicesAPI.mapping {
                try await services.environment.write { txn in try activations.registerWithoutSeat(activationRequest, in: txn) }
            }
            var problem = DevicesAPI.problem(.noFreeSeat(productKey: key, seats: seats))
            problem.problem.installationId = installation.id
            problem.problem.detail = (problem.problem.detail ?? "")
                + "; installation '\(installation.id)' is recorded and can receive a seat by transfer"
            throw problem
        } catch let error as DeviceError {
            throw DevicesAPI.problem(error)
        }
        return try JSONResponse.make(
            outcome.created ? .created : .ok,
            ActivationResultDTO(activation: ActivationDTO(outcome.activation), device: DeviceDTO(outcome.device)),
            headers: [.location: "/api/devices/activations/\(outcome.activation.id)"])
    }

    /// Asks the tenant's policies (built-in + the tenant's active bundle, over its graph) whether this
    /// activation is approved at once: action `approve-device-activation`, principal the
    /// agent's user, resource the `Product`, context {organizationId, platform,
    /// deviceRiskState, knownDevice}. Nothing allows it unless the tenant writes a rule.
    func approvedByPolicy(agent: DevicesAPI.Agent, productKey: String, platform: String?, known: Device?) throws -> Bool {
        let request = Evaluator.Request(
            principal: EntityUID(type: "User", id: agent.subject), action: Self.approvalAction,
            resource: EntityUID(type: "Product", id: productKey),
            context: [
                "organizationId": .string(agent.organizationId), "platform": .string(platform ?? ""),
                "deviceRiskState": .string(known?.riskState.rawValue ?? DeviceRiskState.unknown.rawValue),
                "knownDevice": .bool(known != nil),
            ])
        return try services.runtime.withSnapshot(tenant: agent.tenantId, atLeast: nil) { snapshot in
            snapshot.decide(request, explain: false, versions: RuntimeVersions.Pair(permVer: 1, entVer: 1)).allowed
        }
    }

    func heartbeat(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let agent = try DevicesAPI.agent(context)
        let id = activationId(context)
        let type = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard type == "application/jose" else {
            throw ProblemError(
                .unsupportedMediaType, type: "unsupported-media-type", title: "The body must be a compact JWS",
                detail: "send Content-Type: application/jose with the JWS signed by the device key")
        }
        let buffer = try await RequestBody.collect(request, limit: min(devices.maxBodyBytes, CompactJWS.maxLength))
        let jws = String(decoding: buffer.readableBytesView, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let verifier = HeartbeatVerifier(records: activations.records)
        let beat = try await DevicesAPI.mapping {
            try await services.environment.write { txn in
                try verifier.accept(agent.scope, activationId: id, jws: jws, actor: agent.subject, in: txn)
            }
        }
        return try JSONResponse.make(.ok, HeartbeatDTO(
            activationId: beat.activation.id, state: beat.activation.state.rawValue, lastHeartbeatAt: beat.activation.lastHeartbeatAt,
            riskState: beat.device.riskState.rawValue, leaseExpiresAt: beat.activation.leaseExpiresAt))
    }

    func lease(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let agent = try DevicesAPI.agent(context)
        let id = activationId(context)
        var fields = try await ApplicationsAPI.optionalFields(request, limit: devices.maxBodyBytes)
        let presented = fields.optionalInteger("counter")
        var errors = fields.finish()
        if let presented, presented < 0 { errors.append(FieldError(field: "counter", message: "must be the counter of the lease you hold (0 or more)")) }
        guard errors.isEmpty else { throw ProblemError.validation(errors) }
        let issuer = services.tokenIssuer.naming.issuer(slug: agent.tenantSlug)
        let records = activations.records
        let outcome = try await DevicesAPI.mapping {
            try await services.environment.write { txn in
                try OfflineLeases.next(
                    agent.scope, activationId: id, presented: presented, issuer: issuer, actor: agent.subject, records: records, in: txn)
            }
        }
        switch outcome {
        case .rollback(let presented, let latest):
            throw DevicesAPI.leaseRollback(presented: presented, latest: latest)
        case .issued(let claims):
            let lease = try await services.tokenIssuer.sign(claims, tenantId: agent.tenantId, typ: OfflineLeases.type)
            return try JSONResponse.make(.ok, LeaseDTO(
                lease: lease, counter: claims.counter, expiresAt: Date(timeIntervalSince1970: TimeInterval(claims.exp))))
        }
    }

    // MARK: Administrator

    /// The activation inside the caller's organization (404 otherwise), authorized for `action`.
    func authorized(_ context: ArbiterRequestContext, _ action: ManagementAction) throws -> (ManagementCaller, DeviceScope, LicenseActivation) {
        let caller = try authorizer.caller(context)
        let scope = DevicesAPI.scope(caller, context)
        let id = activationId(context)
        let tables = self.tables
        let (activation, device) = try DevicesAPI.mappingSync {
            try services.environment.read { txn in
                let activation = try scope.activation(id, tables: tables, in: txn)
                return (activation, try scope.device(activation.deviceId, tables: tables, in: txn))
            }
        }
        let (entity, related) = DevicesAPI.activationEntity(activation, device: device)
        try authorizer.authorize(caller, action, entity, related: related, logger: context.logger)
        return (caller, scope, activation)
    }

    func read(_ context: ArbiterRequestContext) throws -> Response {
        let (_, _, activation) = try authorized(context, .read)
        return try JSONResponse.make(.ok, ActivationDTO(activation))
    }

    func decide(_ request: Request, _ context: ArbiterRequestContext, approve: Bool) async throws -> Response {
        let (caller, scope, activation) = try authorized(context, .update)
        var fields = try await ApplicationsAPI.fields(request, limit: devices.maxBodyBytes)
        let (reason, errors) = DevicesAPI.finish(&fields)
        guard errors.isEmpty, let reason else { throw ProblemError.validation(errors) }
        let activations = self.activations
        let updated = try await DevicesAPI.mapping {
            try await services.environment.write { txn in
                try activations.decide(scope, id: activation.id, approve: approve, actor: caller.actor, reason: reason, in: txn)
            }
        }
        return try JSONResponse.make(.ok, ActivationDTO(updated))
    }

    func revoke(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let (caller, scope, activation) = try authorized(context, .delete)
        var fields = try await ApplicationsAPI.fields(request, limit: devices.maxBodyBytes)
        let (reason, errors) = DevicesAPI.finish(&fields)
        guard errors.isEmpty, let reason else { throw ProblemError.validation(errors) }
        let activations = self.activations
        let updated = try await DevicesAPI.mapping {
            try await services.environment.write { txn in
                try activations.revoke(scope, id: activation.id, actor: caller.actor, reason: reason, in: txn)
            }
        }
        return try JSONResponse.make(.ok, ActivationDTO(updated))
    }

    func transfer(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let (caller, scope, activation) = try authorized(context, .update)
        var fields = try await ApplicationsAPI.fields(request, limit: devices.maxBodyBytes)
        let target = fields.string("installationId")
        let (reason, errors) = DevicesAPI.finish(&fields)
        guard errors.isEmpty, let reason, let target else { throw ProblemError.validation(errors) }
        let activations = self.activations
        let moved = try await DevicesAPI.mapping {
            try await services.environment.write { txn in
                try activations.transfer(
                    scope, id: activation.id, toInstallation: String(target.prefix(200)), actor: caller.actor, reason: reason, in: txn)
            }
        }
        return try JSONResponse.make(.ok, TransferDTO(ended: ActivationDTO(moved.ended), started: ActivationDTO(moved.started)))
    }
}
