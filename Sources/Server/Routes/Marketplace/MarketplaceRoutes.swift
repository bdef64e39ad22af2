import Foundation
import HTTPTypes
import Hummingbird
import Identity
import Store

/// `/api/marketplace`: the catalog of products (published external applications) and the
/// caller's tenant's installations of them.
///
/// Bearer token with `arbiter.api`; the tenant is the token's. Any active member may read
/// the catalog (it shows products' names, versions and features — never who else installed
/// them or anything else of the publisher's tenant); administrators install and uninstall
/// (the built-in policies decide, `Policies/licensing.yaml`).
struct MarketplaceRoutes {
    let services: ArbiterApplication.Services
    let maxBodyBytes: Int

    var authorizer: ManagementAuthorizer { ManagementAuthorizer(services: services) }

    func add(to router: Router<ArbiterRequestContext>) {
        let group = router.group("/api/marketplace")
            .add(middleware: ManagementAuthentication(bearer: BearerAuthenticator(verifier: services.tokenVerifier)))
        group.get("catalog") { request, context in try catalog(request, context) }
        group.post("installations") { request, context in try await install(request, context) }
        group.get("installations") { _, context in try installations(context) }
        group.delete("installations/:installationId") { _, context in try await uninstall(context) }
    }

    static func installationEntity(_ tenantId: String, _ id: String) -> PolicyEntity {
        LicensingAPI.entity("Installation", tenantId: tenantId, id: id)
    }

    func catalog(_ request: Request, _ context: ArbiterRequestContext) throws -> Response {
        let caller = try authorizer.caller(context)
        try authorizer.authorize(caller, .read, ManagementAuthorizer.tenant(caller), logger: context.logger)
        let (limit, after) = try ApplicationsAPI.paging(request)
        let page = try services.licensing.products(after: after, limit: limit)
        let installed = Set(try services.licensing.installations(tenantId: caller.tenantId).map(\.productKey))
        return try JSONResponse.make(.ok, PageDTO(
            items: page.items.map { CatalogProductDTO($0, installed: installed.contains($0.key)) }, nextAfter: page.nextAfter))
    }

    func install(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        try authorizer.authorize(
            caller, .create, Self.installationEntity(caller.tenantId, ManagementAuthorizer.newObjectID), logger: context.logger)
        var fields = try await ApplicationsAPI.fields(request, limit: maxBodyBytes)
        let productKey = fields.string("productKey")
        let errors = fields.finish()
        guard errors.isEmpty, let productKey else { throw ProblemError.validation(errors) }
        let services = self.services
        let installation = try await LicensingAPI.mapping {
            try await services.environment.write { txn in
                let (installation, product) = try services.licensing.install(
                    tenantId: caller.tenantId, productKey: productKey, actor: caller.actor, in: txn)
                try LicensingFacts.project(
                    product, tenantId: caller.tenantId, licensing: services.licensing, graph: services.graph, in: txn)
                try txn.bumpRevision(tenant: caller.tenantId)
                return installation
            }
        }
        return try JSONResponse.make(
            .created, InstallationDTO(installation),
            headers: [.location: "/api/marketplace/installations/\(installation.id)"])
    }

    func installations(_ context: ArbiterRequestContext) throws -> Response {
        let caller = try authorizer.caller(context)
        try authorizer.authorize(caller, .read, ManagementAuthorizer.tenant(caller), logger: context.logger)
        let visible = try services.licensing.installations(tenantId: caller.tenantId)
            .filter { authorizer.allows(caller, .read, Self.installationEntity(caller.tenantId, $0.id)) }
        return try JSONResponse.make(.ok, PageDTO(items: visible.map(InstallationDTO.init), nextAfter: nil))
    }

    func uninstall(_ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        let id = context.parameters.get("installationId") ?? ""
        guard try services.licensing.installation(tenantId: caller.tenantId, id: id) != nil else {
            throw ProblemError.notFound("no installation '\(id.prefix(100))' in your tenant")
        }
        try authorizer.authorize(caller, .delete, Self.installationEntity(caller.tenantId, id), logger: context.logger)
        let services = self.services
        try await LicensingAPI.mapping {
            try await services.environment.write { txn in
                let installation = try services.licensing.uninstall(tenantId: caller.tenantId, id: id, actor: caller.actor, in: txn)
                // The publisher keeps its own product's entities: they are there because it
                // publishes the product, not because it installed it.
                if let product = try services.licensing.product(key: installation.productKey, in: txn) {
                    if product.tenantId == caller.tenantId {
                        try LicensingFacts.project(
                            product, tenantId: caller.tenantId, licensing: services.licensing, graph: services.graph, in: txn)
                    } else {
                        try LicensingFacts.remove(product, tenantId: caller.tenantId, graph: services.graph, in: txn)
                    }
                }
                try txn.bumpRevision(tenant: caller.tenantId)
            }
        }
        return Response(status: .noContent)
    }
}

struct CatalogProductDTO: Encodable {
    var productKey: String
    var name: String
    var version: Int64
    var label: String?
    var publishedAt: Date
    var installed: Bool
    var features: [FeatureDTO]

    init(_ product: Product, installed: Bool) {
        productKey = product.key
        name = product.name
        version = product.version
        label = product.label
        publishedAt = product.publishedAt
        self.installed = installed
        features = product.features.map(FeatureDTO.init)
    }
}

struct InstallationDTO: Encodable {
    var id: String
    var productKey: String
    var createdAt: Date

    init(_ installation: Installation) {
        id = installation.id
        productKey = installation.productKey
        createdAt = installation.createdAt
    }
}
