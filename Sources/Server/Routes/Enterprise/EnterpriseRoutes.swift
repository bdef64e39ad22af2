import Foundation
import Hummingbird
import Identity

/// `/api/enterprise/connections[/{connectionId}[/diagnostics|/scim-token]]`: a tenant's
/// enterprise identity-provider connections (OIDC or SAML setup data, just-in-time
/// membership defaults), their readiness diagnostics and their SCIM bearer token.
///
/// Bearer token with `arbiter.api`; the tenant is the token's. A connection is looked up in
/// that tenant first (another tenant's id answers 404), then the built-in policies decide
/// (`Policies/management-api.yaml`: administrators only). Federated sign-in through a
/// connection (OIDC or SAML) is out of scope: these routes keep setup data and check it.
struct EnterpriseRoutes {
    let services: ArbiterApplication.Services
    let maxBodyBytes: Int
    /// Public base URL of this server, for the SCIM endpoint a connection shows.
    let baseURL: String
    let fetcher: IssuerMetadataFetcher

    var authorizer: ManagementAuthorizer { ManagementAuthorizer(services: services) }
    var connections: EnterpriseConnections { services.enterpriseConnections }

    init(services: ArbiterApplication.Services, configuration: ServerConfiguration) {
        self.services = services
        maxBodyBytes = configuration.maxBodyBytes
        baseURL = IssuerNaming(baseURL: configuration.publicBaseURL).baseURL
        // Only a development server (its public URL on loopback) fetches loopback and
        // private addresses, so a tenant administrator cannot use diagnostics to probe the
        // network a deployed server sits in.
        fetcher = IssuerMetadataFetcher(allowPrivateAddresses: OutboundAddresses.allowsPrivate(publicBaseURL: configuration.publicBaseURL))
    }

    func add(to router: Router<ArbiterRequestContext>) {
        let group = router.group("/api/enterprise/connections")
            .add(middleware: ManagementAuthentication(bearer: BearerAuthenticator(verifier: services.tokenVerifier)))
        ConnectionRoutes(enterprise: self).add(to: group)
        DiagnosticsRoutes(enterprise: self).add(to: group)
    }

    static func entity(tenantId: String, id: String) -> PolicyEntity {
        LicensingAPI.entity("EnterpriseConnection", tenantId: tenantId, id: id)
    }

    /// The connection named in the path, in the caller's tenant; 404 for any other id.
    func pathConnection(_ caller: ManagementCaller, _ context: ArbiterRequestContext) throws -> EnterpriseConnection {
        let id = context.parameters.get("connectionId") ?? ""
        guard let connection = try connections.connection(tenantId: caller.tenantId, id: id) else {
            throw Self.notFound(id)
        }
        return connection
    }

    static func notFound(_ id: String) -> ProblemError {
        ProblemError.notFound("no enterprise connection '\(id.prefix(100))' in your tenant")
    }

    /// Runs a store call, answering its errors as problems.
    static func mapping<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as EnterpriseConnectionError {
            switch error {
            case .unknownConnection(let id):
                throw notFound(id)
            case .unknownOrganization(let id):
                throw ProblemError.notFound("no organization '\(id.prefix(100))' in your tenant (jit.organizationId)")
            case .tooManyConnections(let limit):
                throw ProblemError.conflict(
                    type: "limit-reached", title: "A limit is reached", detail: "a tenant has at most \(limit) enterprise connections")
            case .invalid(let errors):
                throw ProblemError.validation(errors)
            }
        }
    }

    func dto(_ connection: EnterpriseConnection) -> ConnectionDTO {
        ConnectionDTO(connection, scimBaseURL: "\(baseURL)/scim/v2/enterprise-connections/\(connection.id)")
    }
}
