import Evaluator
import Foundation
import HTTPTypes
import Hummingbird
import Identity
import PolicyLang
import Store

/// SCIM 2.0 (RFC 7643/7644) under `/scim/v2/enterprise-connections/{connectionId}`: the
/// Users and Groups an enterprise identity provider provisions through one connection.
///
/// Authentication: the connection's SCIM token as a bearer (`SCIMTokens.authenticate`). The
/// tenant, the connection and the JIT organization come from the authenticated connection,
/// never from a body; a token of another connection answers 404 for this one (it can learn
/// nothing about it), a token of no connection 401. Every write is one LMDB write
/// transaction: the Identity records (user, membership, group rows, SCIM record), audit
/// events, `perm_ver` bumps, session and refresh-token revocation on deprovisioning, the
/// re-projection of each user concerned into the policy graph and the tenant's revision bump.
struct SCIMRoutes {
    let services: ArbiterApplication.Services
    let maxBodyBytes: Int
    let baseURL: String

    static let basePath = "/scim/v2/enterprise-connections"
    /// RFC 7644 §3.4.2.4: `count` is capped at the advertised `filter.maxResults`.
    static let maxResults = 200
    static let defaultCount = 100
    static let maxFilterBytes = 4096

    var tables: SCIMTables { services.scimTables }

    func add(to router: Router<ArbiterRequestContext>) {
        // SCIMErrorMiddleware is on the router (ArbiterApplication): it also answers unmatched paths.
        let group = router.group("\(Self.basePath)/:connectionId")
        SCIMDiscoveryRoutes(scim: self).add(to: group)
        SCIMUserRoutes(scim: self).add(to: group)
        SCIMGroupRoutes(scim: self).add(to: group)
        SCIMSearchRoutes(scim: self).add(to: group)
    }

    /// The connection whose SCIM token the request carries, if it is the path's connection.
    func authenticate(_ request: Request, _ context: ArbiterRequestContext) throws -> SCIMConnectionScope {
        let connectionId = context.parameters.get("connectionId") ?? ""
        guard let header = request.headers[.authorization], header.count > 7,
              header.prefix(7).lowercased() == "bearer "
        else { throw SCIMError.unauthorized }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, token.utf8.count <= 256 else { throw SCIMError.unauthorized }
        let enterprise = tables.enterprise
        let connection = try services.environment.read { txn in
            try txn.scimConnection(connectionId: connectionId, token: token, tables: enterprise)
        }
        guard let connection else {
            // A valid token of another connection learns nothing about this one: 404.
            if try isSomeConnectionsToken(token) {
                throw SCIMError.notFound("no enterprise connection '\(connectionId.prefix(100))' for this token")
            }
            throw SCIMError.unauthorized
        }
        return SCIMConnectionScope(
            tenantId: connection.tenantId, connectionId: connection.id, organizationId: connection.jit?.organizationId,
            roles: connection.jit?.roles ?? [])
    }

    /// Only on the refusal path: compares the token's hash with every connection's, in
    /// constant time each.
    func isSomeConnectionsToken(_ token: String) throws -> Bool {
        let presented = Array(ClientSecrets.hash(token).utf8)
        let enterprise = tables.enterprise
        return try services.environment.read { txn in
            var found = false
            try txn.scan(enterprise.connections) { _, value in
                if let connection = try? StoredJSON.decode(EnterpriseConnection.self, from: value),
                   let stored = connection.scimToken,
                   ClientSecrets.constantTimeEqual(presented, Array(stored.hash.utf8)) {
                    found = true
                }
                return !found
            }
            return found
        }
    }

    func location(_ scope: SCIMConnectionScope, _ resourceType: String, _ id: String) -> String {
        "\(baseURL)\(Self.basePath)/\(scope.connectionId)/\(resourceType)/\(id)"
    }

    func connectionBase(_ scope: SCIMConnectionScope) -> String { "\(baseURL)\(Self.basePath)/\(scope.connectionId)" }

    /// What a write did besides its result: users to re-project and graph writes of its own.
    struct Outcome<T: Sendable>: Sendable {
        var result: T
        var users: [String] = []
        var upserts: [PolicyEntity] = []
        var deletes: [EntityUID] = []
    }

    /// Runs a SCIM change and its graph projection in one write transaction.
    func write<T: Sendable>(
        _ scope: SCIMConnectionScope, _ change: @escaping @Sendable (WriteTransaction, SCIMTables) throws -> Outcome<T>
    ) async throws -> T {
        let tables = self.tables
        let graph = services.graph
        let licensing = services.licensing
        let tenantId = scope.tenantId
        return try await services.environment.write { txn in
            let outcome = try change(txn, tables)
            try graph.upsert(outcome.upserts, tenant: tenantId, in: txn)
            try graph.delete(outcome.deletes, tenant: tenantId, in: txn)
            for userId in Set(outcome.users).sorted() {
                try IdentityFacts.projectUser(
                    tenantId: tenantId, userId: userId, graph: graph, tables: tables.memberships, licensing: licensing, in: txn)
            }
            try txn.bumpRevision(tenant: tenantId)
            return outcome.result
        }
    }

    func read<T>(_ body: (ReadTransaction, SCIMTables) throws -> T) throws -> T {
        let tables = self.tables
        return try services.environment.read { try body($0, tables) }
    }
}
