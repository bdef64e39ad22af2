import Evaluator
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Identity
import PolicyLang
import Store

/// An entity handed to the policy engine (named apart from Hummingbird's types).
typealias PolicyEntity = Evaluator.Entity

/// The verbs the built-in policies (`Policies/management-api.yaml`) decide on.
enum ManagementAction: String, Sendable, CaseIterable {
    case read, create, update, delete
}

/// The authenticated caller of a management route, as the policy engine sees it.
struct ManagementCaller: Sendable {
    /// Always the token's tenant: a management route never takes a tenant from the request.
    var tenantId: String
    var tenantSlug: String
    /// The user id or client id, for audit events.
    var actor: String
    /// `User::"…"` (user token) or `Client::"…"` (client-credentials token).
    var principal: Entity
}

/// Authentication and authorization of Arbiter's own management API.
///
/// 1. A bearer access token is required (401 problem+json with `WWW-Authenticate: Bearer`),
///    with the `arbiter.api` scope (403 `insufficient-scope` otherwise).
/// 2. The principal is built from live state, not only from the token: a user token's
///    session must still be active, and the roles come from the session's membership as it
///    is now; a client token's client must still exist and be active.
/// 3. Routes look objects up inside the caller's tenant first — another tenant's id (or a
///    made-up one) answers 404 before any policy runs, so a decision never confirms that an
///    object exists elsewhere.
/// 4. The decision comes from the built-in policy program over in-memory entities (the
///    principal, its tenant, the resource and its parents); deny is a 403.
struct ManagementAuthorizer: Sendable {
    let services: ArbiterApplication.Services

    static let requiredScope = OAuthScopes.api

    // MARK: Authentication

    func caller(_ context: ArbiterRequestContext) throws -> ManagementCaller {
        try caller(token: context.accessToken)
    }

    func caller(token: VerifiedAccessToken?) throws -> ManagementCaller {
        guard let token else { throw ManagementProblems.authenticationRequired }
        guard token.scopes.contains(Self.requiredScope) else { throw ManagementProblems.insufficientScope }
        let tenantId = token.tenantId
        let tenant = Self.tenantUID(tenantId)
        if let sessionId = token.claims.session_id {
            let identity = services.identityTables
            let found: (SignInSession, Membership?, User?)? = try services.environment.read { txn in
                guard let session = try txn.getJSON(
                    SignInSession.self, identity.sessions, Key(.string(tenantId), .string(sessionId))) else { return nil }
                let membership = try txn.getJSON(
                    Membership.self, identity.memberships, Key(.string(tenantId), .string(session.membershipId)))
                let user = try txn.getJSON(User.self, identity.users, Key(.string(tenantId), .string(session.userId)))
                return (session, membership, user)
            }
            guard let (session, membership, user) = found, session.isActive(at: Date()), session.userId == token.subject else {
                throw ManagementProblems.invalidToken("the sign-in session of this token has ended")
            }
            let roles = membership.map { Set($0.roles.map(Value.string)) } ?? []
            let active = (user?.active ?? false) && membership?.userId == session.userId
            let principal = Entity(
                uid: EntityUID(type: "User", id: session.userId),
                attributes: [
                    "tenant": .entity(tenant), "roles": .set(roles), "active": .bool(active),
                    "userName": .string(user?.userName ?? ""), "email": .string(user?.email ?? ""),
                ],
                parents: [tenant])
            return ManagementCaller(tenantId: tenantId, tenantSlug: token.tenantSlug, actor: session.userId, principal: principal)
        }
        guard let client = try services.clients.client(tenantId: tenantId, id: token.clientId), client.status == .active else {
            throw ManagementProblems.invalidToken("the client of this token no longer exists or is disabled")
        }
        let principal = Entity(
            uid: EntityUID(type: "Client", id: client.clientId),
            attributes: ["tenant": .entity(tenant), "scopes": .set(Set(token.scopes.map(Value.string)))],
            parents: [tenant])
        return ManagementCaller(tenantId: tenantId, tenantSlug: token.tenantSlug, actor: client.clientId, principal: principal)
    }

    // MARK: Authorization

    /// Throws a 403 problem unless the built-in policies allow `action` on `resource`.
    /// `related` holds the resource's ancestors below the tenant (the application of an
    /// environment or client), so `in` can walk up to the tenant.
    func authorize(_ caller: ManagementCaller, _ action: ManagementAction, _ resource: Entity, related: [Entity] = [], logger: Logger? = nil) throws {
        let decision = decide(caller, action, resource, related: related)
        guard decision.decision == .allow else {
            logger?.info("management request denied", metadata: [
                "principal": .string(caller.principal.uid.description), "action": .string(action.rawValue),
                "resource": .string(resource.uid.description), "reasons": .string(decision.reasons.joined(separator: ",")),
                "errors": .string(decision.errors.map(\.description).joined(separator: "; ")),
            ])
            throw ManagementProblems.forbidden(action: action, resourceType: resource.uid.type)
        }
    }

    /// True when the built-in policies allow it (for filtering listings).
    func allows(_ caller: ManagementCaller, _ action: ManagementAction, _ resource: Entity, related: [Entity] = []) -> Bool {
        decide(caller, action, resource, related: related).decision == .allow
    }

    func decide(_ caller: ManagementCaller, _ action: ManagementAction, _ resource: Entity, related: [Entity]) -> Decision {
        var entities = InMemoryEntities()
        entities.insert(Entity(uid: Self.tenantUID(caller.tenantId), attributes: ["slug": .string(caller.tenantSlug)]))
        for entity in related { entities.insert(entity) }
        entities.insert(resource)
        entities.insert(caller.principal)
        // An Authorizer owns a mutable VM, so each decision gets its own over the shared,
        // immutable program (which a SIGHUP reload may have swapped).
        let authorizer = Authorizer(program: services.policies.builtIn)
        let request = Evaluator.Request(
            principal: caller.principal.uid, action: EntityUID(type: "Action", id: action.rawValue), resource: resource.uid)
        return authorizer.authorize(request, entities: entities, mode: .complete)
    }

    // MARK: Entities of the management API

    static func tenantUID(_ tenantId: String) -> EntityUID { EntityUID(type: "Tenant", id: tenantId) }

    /// The resource types of the management API that tenant policy bundles may not name
    /// (`ManagementSurfaceGuard`). `Scope` is left out on purpose: scope nodes are also the
    /// resources of runtime `check-scoped` decisions, which tenant rules may restrict.
    static let resourceTypes: Set<String> = [
        "Tenant", "Organization", "Application", "Environment", "Client", "PolicyBundle", "EnterpriseConnection",
        "Membership", "Group", "Installation", "Subscription", "SeatAssignment", "Device", "DeviceActivation",
    ]

    /// A stored policy bundle version of the tenant (`PolicyBundle::"v3"`), child of the tenant.
    static func policyBundle(tenantId: String, version: String) -> Entity {
        Entity(
            uid: EntityUID(type: "PolicyBundle", id: version), attributes: ["tenant": .entity(tenantUID(tenantId))],
            parents: [tenantUID(tenantId)])
    }

    static func tenant(_ caller: ManagementCaller) -> Entity {
        Entity(uid: tenantUID(caller.tenantId), attributes: ["slug": .string(caller.tenantSlug)])
    }

    static func application(tenantId: String, id: String) -> Entity {
        Entity(
            uid: EntityUID(type: "Application", id: id), attributes: ["tenant": .entity(tenantUID(tenantId))],
            parents: [tenantUID(tenantId)])
    }

    static func environment(tenantId: String, applicationId: String, id: String) -> Entity {
        Entity(
            uid: EntityUID(type: "Environment", id: id), attributes: ["tenant": .entity(tenantUID(tenantId))],
            parents: [EntityUID(type: "Application", id: applicationId)])
    }

    static func client(tenantId: String, applicationId: String, id: String, scopes: [String]) -> Entity {
        Entity(
            uid: EntityUID(type: "Client", id: id),
            attributes: ["tenant": .entity(tenantUID(tenantId)), "scopes": .set(Set(scopes.map(Value.string)))],
            parents: [EntityUID(type: "Application", id: applicationId)])
    }

    static func organization(tenantId: String, id: String) -> Entity {
        Entity(
            uid: EntityUID(type: "Organization", id: id), attributes: ["tenant": .entity(tenantUID(tenantId))],
            parents: [tenantUID(tenantId)])
    }

    /// A membership of an organization (pass the organization's entity as `related`).
    static func membership(tenantId: String, organizationId: String, id: String) -> Entity {
        Entity(
            uid: EntityUID(type: "Membership", id: id), attributes: ["tenant": .entity(tenantUID(tenantId))],
            parents: [EntityUID(type: "Organization", id: organizationId)])
    }

    /// A group of an organization's members (pass the organization's entity as `related`).
    static func group(tenantId: String, organizationId: String, id: String, name: String) -> Entity {
        Entity(
            uid: EntityUID(type: "Group", id: id), attributes: ["tenant": .entity(tenantUID(tenantId)), "name": .string(name)],
            parents: [EntityUID(type: "Organization", id: organizationId)])
    }

    /// The id a resource that does not exist yet is asked about under (`create`): the
    /// policies decide on its type and tenant, never on its id.
    static let newObjectID = "(new)"
}

/// Verifies the bearer token on management routes, answering a bad one as problem+json
/// (these are `/api/*` routes) rather than as an RFC 6749 error object.
struct ManagementAuthentication: RouterMiddleware {
    typealias Context = ArbiterRequestContext
    let bearer: BearerAuthenticator

    func handle(_ request: Hummingbird.Request, context: Context, next: (Hummingbird.Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await bearer.handle(request, context: context, next: next)
        } catch let error as OAuthError where error.error == "invalid_token" || error.error == "invalid_dpop_proof" {
            var problem = ManagementProblems.invalidToken(error.description ?? "the access token is invalid or expired")
            // A DPoP-bound token keeps its DPoP challenge (RFC 9449 §7.1).
            if error.challenge == .dpop { problem.headers[.wwwAuthenticate] = OAuthError.dpopChallenge(error.error) }
            throw problem
        }
    }
}

/// The authentication and authorization problems of management routes (RFC 9457 bodies,
/// RFC 6750 §3 challenges).
enum ManagementProblems {
    static let authenticationRequired = ScopeProblems.authenticationRequired(
        "send an access token with the arbiter.api scope: Authorization: Bearer <token>")

    static func invalidToken(_ detail: String) -> ProblemError {
        ProblemError(
            .unauthorized, type: "invalid-token", title: "The access token is not accepted", detail: detail,
            headers: [.wwwAuthenticate: #"Bearer realm="arbiter", error="invalid_token""#])
    }

    static let insufficientScope = ScopeProblems.insufficientScope(
        OAuthScopes.api, detail: "management routes need a token with the arbiter.api scope")

    static func forbidden(action: ManagementAction, resourceType: String) -> ProblemError {
        ProblemError(
            .forbidden, type: "forbidden", title: "Not allowed",
            detail: "the built-in policies do not allow you to \(action.rawValue) this \(resourceType.lowercased())")
    }
}
