import Evaluator
import Foundation
import Hummingbird
import Identity
import PolicyLang
import Store

/// `GET /api/runtime/authorization/me`: who the token's subject is and what it may use —
/// tenant, organization, membership, user or client, roles, and for every `Feature`
/// entity of the tenant's graph the decision on `use` (through the same built-in +
/// tenant evaluation as `check`), its entitlement and the caller's seats, with
/// `permVer`/`entVer` and the revision it was read at, and `device`: for a device-bound
/// token the device as checks see it (`context.device`, read live), else null.
///
/// Any valid access token of the tenant may ask (it describes only its own subject).
struct MeRoutes {
    let services: ArbiterApplication.Services

    /// A tenant with more features than this gets the first ones in id order and
    /// `featuresTruncated: true`.
    static let maxFeatures = 500
    static let useAction = EntityUID(type: "Action", id: "use")

    func add(to router: Router<ArbiterRequestContext>) {
        router.group("/api/runtime/authorization")
            .add(middleware: ManagementAuthentication(bearer: BearerAuthenticator(verifier: services.tokenVerifier)))
            .get("me") { request, context in try me(request, context) }
    }

    struct FeatureView {
        var uid: EntityUID
        var product: String?
        var entitled: Bool
        var seatRequired: Bool
        var decision: RuntimeDecision
    }

    func me(_ request: Request, _ context: ArbiterRequestContext) throws -> Response {
        let caller = try RuntimeCaller(context)
        let token = caller.token
        let tenantId = caller.tenantId
        let identity = services.identityTables
        let (membership, user): (Membership?, User?) = try services.environment.read { txn in
            let membership = try token.claims.membership_id.flatMap {
                try txn.getJSON(Membership.self, identity.memberships, Key(.string(tenantId), .string($0)))
            }
            let user = caller.isUser
                ? try txn.getJSON(User.self, identity.users, Key(.string(tenantId), .string(token.subject))) : nil
            return (membership, user)
        }
        let client = caller.isUser ? nil : try services.clients.client(tenantId: tenantId, id: token.clientId)
        let serverContext = caller.serverContext(request, context, services: services)

        var features: [FeatureView] = []
        var truncated = false
        var graphRoles: [String]?
        var seats: [String] = []
        var versions = RuntimeVersions.Pair(permVer: 1, entVer: 1)
        let revision = try services.runtime.withSnapshot(tenant: tenantId, atLeast: nil) { snapshot in
            let entities = snapshot.entities
            versions = try snapshot.versions(subjectId: caller.principal.id)
            if case .value(.set(let roles)) = try entities.attribute("roles", of: caller.principal) {
                graphRoles = roles.compactMap { if case .string(let role) = $0 { role } else { nil } }.sorted()
            }
            try entities.forEachParent(of: caller.principal) { parent in
                if parent.type == "SeatPool" { seats.append(parent.id) }
            }
            var uids: [EntityUID] = []
            try entities.transaction.scan(services.graph.tables.entities, prefix: Key(.string(tenantId), .string("Feature"))) { key, _ in
                guard uids.count < Self.maxFeatures else {
                    truncated = true
                    return false
                }
                let parts = try Key(encoded: key).components()
                if parts.count == 3, let id = parts[2].stringValue { uids.append(EntityUID(type: "Feature", id: id)) }
                return true
            }
            for uid in uids {
                let entity = try entities.entity(uid)
                let attributes = entity?.attributes ?? [:]
                var product: String?
                if case .entity(let p)? = attributes["product"] { product = p.id }
                let entitled = attributes["entitled"] == .bool(true)
                let seatRequired = attributes["seatRequired"] == .bool(true)
                let request = Evaluator.Request(
                    principal: caller.principal, action: Self.useAction, resource: uid, context: serverContext.values)
                features.append(FeatureView(
                    uid: uid, product: product, entitled: entitled, seatRequired: seatRequired,
                    decision: snapshot.decide(request, explain: false, versions: versions)))
            }
            return snapshot.revision
        }

        var w = RuntimeJSONWriter(capacity: 512 + 128 * features.count)
        w.beginObject()
        w.key("tenant"); w.beginObject()
        w.key("id"); w.string(tenantId)
        w.key("slug"); w.string(token.tenantSlug)
        w.endObject()
        w.key("organization")
        if let organizationId = membership?.organizationId ?? token.claims.organization_id {
            w.beginObject(); w.key("id"); w.string(organizationId); w.endObject()
        } else { w.null() }
        w.key("membership")
        if let membership {
            w.beginObject()
            w.key("id"); w.string(membership.id)
            w.key("roles"); w.strings(membership.roles.sorted())
            w.endObject()
        } else { w.null() }
        w.key("user")
        if let user {
            w.beginObject()
            w.key("id"); w.string(user.id)
            w.key("userName"); w.string(user.userName)
            w.key("email"); w.string(user.email)
            w.key("active"); w.bool(user.active)
            w.endObject()
        } else { w.null() }
        w.key("client")
        if let client {
            w.beginObject()
            w.key("id"); w.string(client.clientId)
            w.key("name"); w.string(client.name)
            w.key("scopes"); w.strings(token.scopes)
            w.endObject()
        } else { w.null() }
        w.key("principal"); w.beginObject()
        w.key("type"); w.string(caller.principal.type)
        w.key("id"); w.string(caller.principal.id)
        w.endObject()
        w.key("roles"); w.strings(graphRoles ?? membership?.roles.sorted() ?? [])
        w.key("features"); w.beginArray()
        for feature in features {
            w.beginObject()
            w.key("id"); w.string(feature.uid.id)
            w.key("product")
            if let product = feature.product { w.string(product) } else { w.null() }
            w.key("allowed"); w.bool(feature.decision.allowed)
            w.key("reasons"); w.strings(feature.decision.reasons)
            w.key("entitled"); w.bool(feature.entitled)
            w.key("seatRequired"); w.bool(feature.seatRequired)
            w.endObject()
        }
        w.endArray()
        w.key("featuresTruncated"); w.bool(truncated)
        w.key("entitlements"); w.strings(features.filter(\.entitled).map(\.uid.id))
        w.key("seats"); w.strings(seats.sorted())
        w.key("permVer"); w.int(versions.permVer)
        w.key("entVer"); w.int(versions.entVer)
        w.key("revision"); w.string(RevisionToken.encode(revision))
        w.key("device")
        if let bound = DeviceContext(binding: services.deviceBinding).device(for: token) {
            Self.writeDevice(bound, &w)
        } else { w.null() }
        w.endObject()
        return w.response()
    }

    /// `{id, riskState, trustLevel, activationId, posture}` of a device-bound token.
    static func writeDevice(_ bound: BoundDevice, _ w: inout RuntimeJSONWriter) {
        let device = bound.device
        w.beginObject()
        w.key("id"); w.string(device.id)
        w.key("riskState"); w.string(device.riskState.rawValue)
        w.key("trustLevel"); w.int(Int64(device.riskState.trustLevel))
        w.key("activationId")
        if let activation = bound.activation { w.string(activation.id) } else { w.null() }
        w.key("posture")
        if let posture = device.posture {
            w.beginObject()
            w.key("os"); w.string(posture.os)
            w.key("osVersion"); w.string(posture.osVersion)
            w.key("patchAgeDays"); w.int(posture.patchAgeDays)
            w.key("diskEncrypted"); w.bool(posture.diskEncrypted)
            w.key("firewallEnabled"); w.bool(posture.firewallEnabled)
            w.key("screenLockEnabled"); w.bool(posture.screenLockEnabled)
            w.key("edrRunning"); w.bool(posture.edrRunning)
            w.key("jailbroken"); w.bool(posture.jailbroken)
            w.endObject()
        } else { w.null() }
        w.endObject()
    }
}
