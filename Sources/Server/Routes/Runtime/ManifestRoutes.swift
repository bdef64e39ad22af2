import Foundation
import HTTPTypes
import Hummingbird
import Identity
import Store

/// `POST/GET /api/runtime/manifests`: an application's feature manifest.
///
/// Called with a client-credentials token of a `manifest_publisher` client (HTTP Basic at
/// the token endpoint) holding `arbiter.manifest.publish`, a reserved scope only the
/// operator grants. The manifest is always that client's own application's: no body field
/// names an application or tenant. Publishing makes the application a product of the
/// marketplace catalog (it must have `externalConsumption`). The same content again is a
/// no-op answering the same version (200); new content is version n+1 (201), projected in
/// the same write transaction into the graph of the publisher's tenant and of every tenant
/// that installed the product, with their revisions bumped (and `ent_ver` of every subject
/// of a tenant whose active subscription's features changed).
struct ManifestRoutes {
    let services: ArbiterApplication.Services
    let maxBodyBytes: Int

    static let scope = "arbiter.manifest.publish"

    func add(to router: Router<ArbiterRequestContext>) {
        let group = router.group("/api/runtime/manifests")
            .add(middleware: ManagementAuthentication(bearer: BearerAuthenticator(verifier: services.tokenVerifier)))
        group.post { request, context in try await publish(request, context) }
        group.get { _, context in try list(context) }
    }

    /// The publisher client behind the token, with its application.
    func publisher(_ context: ArbiterRequestContext) throws -> (VerifiedAccessToken, OAuthClient) {
        guard let token = context.accessToken else {
            throw ScopeProblems.authenticationRequired(
                "send a manifest_publisher client's access token with the \(Self.scope) scope: Authorization: Bearer <token>")
        }
        guard token.scopes.contains(Self.scope) else {
            throw ScopeProblems.insufficientScope(Self.scope, detail: "publishing manifests needs a token with the \(Self.scope) scope")
        }
        guard token.claims.session_id == nil,
              let client = try services.clients.client(tenantId: token.tenantId, id: token.clientId),
              client.status == .active, client.purpose == .manifestPublisher
        else {
            throw ProblemError(
                .forbidden, type: "forbidden", title: "Not allowed",
                detail: "only an active manifest_publisher client's own client-credentials token may publish manifests")
        }
        return (token, client)
    }

    func publish(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let (token, client) = try publisher(context)
        let content = try ManifestBody.read(try await RequestBody.jsonObject(request, limit: maxBodyBytes))
        let services = self.services
        let outcome = try await LicensingAPI.mapping {
            try await services.environment.write { txn in
                let outcome = try services.licensing.publish(
                    content, clientId: client.clientId, tenantId: token.tenantId, tenantSlug: token.tenantSlug,
                    applicationId: client.applicationId, in: txn)
                guard outcome.changed else { return outcome }
                // A new label over the same features changes no tenant's entitlements.
                let featuresMoved = outcome.previousFeatures != outcome.product.features
                for tenantId in try services.licensing.tenantsHolding(outcome.product, in: txn) {
                    try LicensingFacts.project(
                        outcome.product, previousFeatures: outcome.previousFeatures, tenantId: tenantId,
                        licensing: services.licensing, graph: services.graph, in: txn)
                    try txn.bumpRevision(tenant: tenantId)
                    if featuresMoved, try services.licensing.activeSubscription(
                        tenantId: tenantId, productKey: outcome.product.key, in: txn) != nil {
                        try LicensingFacts.bumpTenantEntitlements(
                            tenantId: tenantId, identity: services.identityTables, oauth: services.oauthTables, in: txn)
                    }
                }
                return outcome
            }
        }
        return try JSONResponse.make(outcome.changed ? .created : .ok, ManifestDTO(outcome.product, changed: outcome.changed))
    }

    func list(_ context: ArbiterRequestContext) throws -> Response {
        let (token, client) = try publisher(context)
        let key = try services.environment.read {
            try services.licensing.productKey(tenantId: token.tenantId, applicationId: client.applicationId, in: $0)
        }
        let versions = try key.map { try services.licensing.manifestVersions(productKey: $0, limit: 100) } ?? []
        return try JSONResponse.make(.ok, ManifestVersionListDTO(productKey: key, items: versions.map(ManifestVersionDTO.init)))
    }
}

/// `{version?, features: [{key, name, actions, roles?, seatRequired?}]}`, every field checked.
enum ManifestBody {
    static func read(_ object: [String: JSONValue]) throws -> ManifestContent {
        var fields = ManagementFields(object.filter { $0.key != "features" })
        let label = fields.optionalString("version")
        var errors: [FieldError] = []
        var features: [FeatureDefinition] = []
        switch object["features"] {
        case .array(let items)?:
            if items.count > ManifestContent.maxFeatures {
                errors.append(FieldError(field: "features", message: "must list 1 to \(ManifestContent.maxFeatures) features"))
                break
            }
            for (index, item) in items.enumerated() {
                guard case .object(let nested) = item else {
                    errors.append(FieldError(field: "features[\(index)]", message: "must be an object, not \(item.typeDescription)"))
                    continue
                }
                var feature = ManagementFields(nested, prefix: "features[\(index)].")
                let key = feature.string("key")
                let name = feature.string("name")
                let actions = feature.optionalStrings("actions")
                let roles = feature.optionalStrings("roles")
                let seatRequired = feature.optionalBool("seatRequired")
                errors += feature.finish()
                if let key, let name {
                    features.append(FeatureDefinition(
                        key: key, name: name, actions: actions ?? [], roles: roles ?? [], seatRequired: seatRequired ?? false))
                }
            }
        case nil, .null?:
            errors.append(FieldError(field: "features", message: "is required"))
        case let other?:
            errors.append(FieldError(field: "features", message: "must be a list of objects, not \(other.typeDescription)"))
        }
        errors = fields.finish() + errors
        guard errors.isEmpty else { throw ProblemError.validation(errors) }
        do {
            return try ManifestContent(label: label, features: features)
        } catch let failure as ValidationFailure {
            throw ProblemError.validation(failure.errors)
        }
    }
}

struct FeatureDTO: Encodable {
    var key: String
    var name: String
    var actions: [String]
    var roles: [String]
    var seatRequired: Bool

    init(_ feature: FeatureDefinition) {
        key = feature.key
        name = feature.name
        actions = feature.actions
        roles = feature.roles
        seatRequired = feature.seatRequired
    }
}

struct ManifestDTO: Encodable {
    var productKey: String
    var applicationId: String
    var version: Int64
    var label: String?
    var changed: Bool
    var publishedAt: Date
    var features: [FeatureDTO]

    init(_ product: Product, changed: Bool) {
        productKey = product.key
        applicationId = product.applicationId
        version = product.version
        label = product.label
        self.changed = changed
        publishedAt = product.publishedAt
        features = product.features.map(FeatureDTO.init)
    }
}

struct ManifestVersionDTO: Encodable {
    var version: Int64
    var label: String?
    var contentHash: String
    var publishedAt: Date
    var publishedBy: String
    var features: [FeatureDTO]

    init(_ record: ManifestVersion) {
        version = record.version
        label = record.label
        contentHash = record.contentHash
        publishedAt = record.publishedAt
        publishedBy = record.publishedBy
        features = record.features.map(FeatureDTO.init)
    }
}

struct ManifestVersionListDTO: Encodable {
    var productKey: String?
    var items: [ManifestVersionDTO]
}
