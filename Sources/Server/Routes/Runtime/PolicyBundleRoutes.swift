import Evaluator
import Foundation
import HTTPTypes
import Hummingbird
import Identity
import PolicyLang

/// `/api/runtime/policies`: a tenant's own policy bundles (issue 6).
///
/// - `PUT` uploads YAML files (JSON map or tar, `PolicyBundleUpload`), compiles them and,
///   when there is no diagnostic at all, stores the version with its sources and activates
///   it in one LMDB transaction, then swaps it into the registry (`PolicyBundleActivator`);
///   any diagnostic answers 422 with every one of them and changes nothing.
/// - `GET` lists versions; `GET /{version}` shows one with its files as uploaded;
///   `POST /{version}/activate` rolls back or forward.
///
/// Bearer token with `arbiter.api`; the tenant is the token's; only administrators (the
/// built-in policies: `PolicyBundle` is a management resource). Another tenant's version
/// answers 404, exactly like a version that does not exist.
///
/// Tenant bundles only ever take part in runtime checks. The management API decides with
/// the built-in program alone, so tenant rules cannot widen access to Arbiter itself; rules
/// that name management actions on management types are refused outright
/// (`ManagementSurfaceGuard`) so nobody believes otherwise.
struct PolicyBundleRoutes {
    let services: ArbiterApplication.Services
    let maxBodyBytes: Int
    let activator: PolicyBundleActivator

    init(services: ArbiterApplication.Services, maxBodyBytes: Int) {
        self.services = services
        self.maxBodyBytes = maxBodyBytes
        activator = PolicyBundleActivator(store: services.tenantBundles, registry: services.policies)
    }

    var authorizer: ManagementAuthorizer { ManagementAuthorizer(services: services) }
    var store: TenantBundleStore { services.tenantBundles }

    func add(to router: Router<ArbiterRequestContext>) {
        let group = router.group("/api/runtime/policies")
            .add(middleware: ManagementAuthentication(bearer: BearerAuthenticator(verifier: services.tokenVerifier)))
        group.put { request, context in try await upload(request, context) }
        group.get { request, context in try list(request, context) }
        group.get(":version") { _, context in try get(context) }
        group.post(":version/activate") { _, context in try await activate(context) }
    }

    // MARK: Handlers

    func upload(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        try authorizer.authorize(
            caller, .create, ManagementAuthorizer.policyBundle(tenantId: caller.tenantId, version: ManagementAuthorizer.newObjectID),
            logger: context.logger)
        let upload = try await PolicyBundleUpload.read(request, limit: maxBodyBytes)
        let output = await PolicyBundleActivator.compile(upload.files)
        let diagnostics = (upload.diagnostics + output.diagnostics
            + ManagementSurfaceGuard.diagnostics(for: output.policySet.rules)).sortedByLocation()
        guard diagnostics.isEmpty, let bundle = output.bundle else {
            return try PolicyBundleRejected(diagnostics: diagnostics).response(for: request)
        }
        let activation = try await activator.publish(bundle, sources: upload.files, tenant: caller.tenantId, actor: caller.actor)
        context.logger.info("policy bundle activated", metadata: [
            "tenant": .string(caller.tenantId), "version": .string(activation.info.version),
            "rules": .stringConvertible(activation.info.rules),
        ])
        return try JSONResponse.make(
            .created, PolicyBundleActivationDTO(activation),
            headers: [.location: "/api/runtime/policies/\(activation.info.version)"])
    }

    func list(_ request: Request, _ context: ArbiterRequestContext) throws -> Response {
        let caller = try authorizer.caller(context)
        try authorizer.authorize(
            caller, .read, ManagementAuthorizer.policyBundle(tenantId: caller.tenantId, version: "*"), logger: context.logger)
        let (limit, after) = try ApplicationsAPI.paging(request)
        let page = try store.versions(tenant: caller.tenantId, after: after, limit: limit)
        let active = try store.activeVersion(tenant: caller.tenantId)
        let items = page.items.map { PolicyBundleVersionDTO($0, active: $0.version == active) }
        return try JSONResponse.make(.ok, PolicyBundlePageDTO(
            items: items, activeVersion: active, policyEpoch: try store.policyEpoch(tenantId: caller.tenantId),
            nextAfter: page.more ? items.last?.version : nil))
    }

    func get(_ context: ArbiterRequestContext) throws -> Response {
        let caller = try authorizer.caller(context)
        let info = try pathVersion(caller, context)
        try authorizer.authorize(
            caller, .read, ManagementAuthorizer.policyBundle(tenantId: caller.tenantId, version: info.version),
            logger: context.logger)
        let active = try store.activeVersion(tenant: caller.tenantId)
        let sources = try store.sources(info.version, tenant: caller.tenantId) ?? [:]
        return try JSONResponse.make(.ok, PolicyBundleDetailDTO(
            version: PolicyBundleVersionDTO(info, active: info.version == active), sources: sources))
    }

    func activate(_ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        let info = try pathVersion(caller, context)
        try authorizer.authorize(
            caller, .update, ManagementAuthorizer.policyBundle(tenantId: caller.tenantId, version: info.version),
            logger: context.logger)
        let activation: BundleActivation
        do {
            activation = try await activator.activate(info.version, tenant: caller.tenantId, actor: caller.actor)
        } catch TenantBundleError.unknownVersion {
            throw Self.notFound(info.version)
        }
        return try JSONResponse.make(.ok, PolicyBundleActivationDTO(activation))
    }

    // MARK: Shared

    /// The version named in the path, in the caller's tenant; 404 for anything else.
    func pathVersion(_ caller: ManagementCaller, _ context: ArbiterRequestContext) throws -> BundleVersionInfo {
        let version = context.parameters.get("version") ?? ""
        guard version.utf8.count <= 24, let info = try store.info(version, tenant: caller.tenantId) else {
            throw Self.notFound(version)
        }
        return info
    }

    static func notFound(_ version: String) -> ProblemError {
        ProblemError.notFound("no policy bundle version '\(version.prefix(40))' in your tenant")
    }
}
