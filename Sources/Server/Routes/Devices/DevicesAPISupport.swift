import Devices
import Evaluator
import PolicyLang
import Foundation
import Hummingbird
import Identity
import Store

/// Who is calling a device route, and the translation of `DeviceError` into problems.
enum DevicesAPI {
    static let agentScope = "arbiter.devices.agent"
    static let maxReasonBytes = 1000

    /// A device agent: a user token with `arbiter.devices.agent` and an organization (the
    /// token's `organization_id`); the tenant, organization and requester come from it.
    struct Agent {
        var tenantId: String
        var tenantSlug: String
        var organizationId: String
        var subject: String
        var scope: DeviceScope { DeviceScope(tenantId: tenantId, organizationId: organizationId) }
    }

    static func agent(_ context: ArbiterRequestContext) throws -> Agent {
        let token = try ScopeProblems.token(context, scope: agentScope, routes: "device agent routes need")
        guard let organizationId = token.claims.organization_id, token.claims.session_id != nil else {
            throw ProblemError(
                .forbidden, type: "organization-required", title: "The token has no organization",
                detail: "device agents act for a signed-in user of an organization: request the tenant_context scope with a user grant (the device flow)")
        }
        return Agent(tenantId: token.tenantId, tenantSlug: token.tenantSlug, organizationId: organizationId, subject: token.subject)
    }

    /// An administrator's view: the token's tenant, and its organization when it has one.
    static func scope(_ caller: ManagementCaller, _ context: ArbiterRequestContext) -> DeviceScope {
        DeviceScope(tenantId: caller.tenantId, organizationId: context.accessToken?.claims.organization_id)
    }

    /// The required `reason` of an administrator change (1–1000 bytes, shown in the audit
    /// log): reads it and returns every field error of the body.
    static func finish(_ fields: inout ManagementFields) -> (reason: String?, errors: [FieldError]) {
        let raw = fields.string("reason")
        var errors = fields.finish()
        guard let raw else { return (nil, errors) }
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.utf8.count <= maxReasonBytes else {
            errors.append(FieldError(field: "reason", message: "must say why, in 1 to \(maxReasonBytes) bytes"))
            return (nil, errors)
        }
        return (trimmed, errors)
    }

    /// Runs a change, answering its domain errors as problems.
    static func mapping<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as DeviceError {
            throw problem(error)
        } catch let invalid as PostureInvalid {
            throw ProblemError.validation(invalid.errors.map { FieldError(field: $0.field, message: $0.message) })
        }
    }

    static func mappingSync<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DeviceError {
            throw problem(error)
        }
    }

    static func problem(_ error: DeviceError) -> ProblemError {
        switch error {
        case .unknownDevice(let id):
            return .notFound("no device '\(id.prefix(100))' in your organization")
        case .unknownActivation(let id):
            return .notFound("no activation '\(id.prefix(100))' in your organization")
        case .noSubscription(let key):
            return .conflict(
                type: "no-subscription", title: "No subscription to the product",
                detail: "your tenant holds no active subscription to '\(key.prefix(100))'")
        case .noFreeSeat(let key, let seats):
            return .conflict(
                type: "no-free-seat", title: "Every seat is taken",
                detail: "all \(seats) device seat\(seats == 1 ? "" : "s") of '\(key.prefix(100))' are held; revoke or transfer one")
        case .activationState(let id, let state, let wanted):
            return .conflict(
                type: "activation-state", title: "The activation cannot do that in its state",
                detail: "activation '\(id.prefix(100))' is \(state.rawValue); it cannot \(wanted)")
        case .riskTransition(let from, let to):
            return .conflict(
                type: "risk-transition-refused", title: "The risk state cannot move there",
                detail: "\(from.rawValue) → \(to.rawValue) is not allowed; from \(from.rawValue): "
                    + from.allowedNext.map(\.rawValue).sorted().joined(separator: ", "))
        case .deviceDenied(let id, let state):
            return ProblemError(
                .forbidden, type: "device-denied", title: "The device is not trusted",
                detail: "device '\(id)' is \(state.rawValue)")
        case .alreadyActivated(let id):
            return .conflict(
                type: "already-activated", title: "The installation holds a seat",
                detail: "activation '\(id)' holds the seat of this installation under another key; revoke it first")
        case .keyInUse:
            return .conflict(type: "key-in-use", title: "The key belongs to another device", detail: "generate a new key for this device")
        case .invalidKey(let detail):
            return .validation([FieldError(field: "publicKey", message: detail)])
        case .leaseRollback(let presented, let latest):
            return leaseRollback(presented: presented, latest: latest)
        case .badProof(let detail):
            return ProblemError(
                .unauthorized, type: "invalid-device-proof", title: "The device signature is not accepted", detail: detail)
        case .invalidTransfer(let detail):
            return .conflict(type: "invalid-transfer", title: "The seat cannot move there", detail: detail)
        }
    }

    static func leaseRollback(presented: Int64, latest: Int64) -> ProblemError {
        .conflict(
            type: "lease-rollback", title: "The lease counter is not the newest",
            detail: "the lease presented has counter \(presented), the newest issued is \(latest)")
    }

    // MARK: Management entities

    /// A device as the built-in management policies see it: a child of its organization.
    static func deviceEntity(_ device: Device) -> (PolicyEntity, related: [PolicyEntity]) {
        let entity = DeviceFacts.entity(DeviceGraphFacts(device: device, activeProducts: []))
        return (entity, [ManagementAuthorizer.organization(tenantId: device.tenantId, id: device.organizationId)])
    }

    static func activationEntity(_ activation: LicenseActivation, device: Device) -> (PolicyEntity, related: [PolicyEntity]) {
        let (deviceEntity, related) = deviceEntity(device)
        let entity = PolicyEntity(
            uid: EntityUID(type: "DeviceActivation", id: activation.id),
            attributes: [
                "tenant": .entity(ManagementAuthorizer.tenantUID(activation.tenantId)),
                "state": .string(activation.state.rawValue), "product": .string(activation.productKey),
            ],
            parents: [deviceEntity.uid])
        return (entity, related + [deviceEntity])
    }
}
