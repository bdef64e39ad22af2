import Evaluator
import HTTPTypes
import Hummingbird
import Identity
import NIOCore
import PolicyLang

/// The authenticated caller of a runtime route: its verified token, its tenant (from the
/// token, never from a body) and its own principal — `User::"<sub>"` for a user token,
/// `Client::"<client_id>"` for a client-credentials token.
struct RuntimeCaller {
    let token: VerifiedAccessToken
    let tenantId: String
    let principal: EntityUID

    var isUser: Bool { token.claims.session_id != nil }
    var mayNamePrincipals: Bool { token.scopes.contains(RuntimeProblems.checkCapability) }

    init(_ context: ArbiterRequestContext) throws {
        guard let token = context.accessToken else { throw RuntimeProblems.authenticationRequired }
        self.init(token: token)
    }

    init(token: VerifiedAccessToken) {
        self.token = token
        tenantId = token.tenantId
        principal = token.claims.session_id != nil
            ? EntityUID(type: "User", id: token.subject)
            : EntityUID(type: "Client", id: token.clientId)
    }

    func serverContext(_ request: Request, _ context: ArbiterRequestContext, services: ArbiterApplication.Services) -> ServerContext {
        ServerContext(
            token: token, peer: context.peerAddress, forwardedFor: { request.headers[ServerContext.forwardedForHeader] },
            trustedProxies: services.tls.trustedProxies, device: services.runtime.device)
    }

    /// The engine request of one check: the principal (own, or named with the capability
    /// scope), the action, the resource (the caller's tenant when none is named) and the
    /// caller's context with the server's keys.
    func check(_ body: CheckBody, serverContext: ServerContext) throws -> RuntimeCheck {
        let principal = body.principal ?? self.principal
        if principal != self.principal, !mayNamePrincipals { throw RuntimeProblems.principalNeedsCapability }
        let resource = body.resource ?? EntityUID(type: "Tenant", id: tenantId)
        return RuntimeCheck(
            request: Evaluator.Request(
                principal: principal, action: body.action, resource: resource, context: serverContext.merged(into: body.context)),
            explain: body.explain)
    }
}
