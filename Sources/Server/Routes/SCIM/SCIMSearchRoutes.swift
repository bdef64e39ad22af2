import Foundation
import Hummingbird
import Identity

/// `POST …/.search`, `…/Users/.search`, `…/Groups/.search` (RFC 7644 §3.4.3): a list whose
/// query travels in a `SearchRequest` body instead of the URL (filters can hold personal
/// data that should not sit in access logs). At the root it searches users, then groups.
struct SCIMSearchRoutes {
    let scim: SCIMRoutes

    func add(to group: RouterGroup<ArbiterRequestContext>) {
        group.post(".search") { request, context in try await search(request, context, users: true, groups: true) }
        group.post("Users/.search") { request, context in try await search(request, context, users: true, groups: false) }
        group.post("Groups/.search") { request, context in try await search(request, context, users: false, groups: true) }
    }

    func search(_ request: Request, _ context: ArbiterRequestContext, users: Bool, groups: Bool) async throws -> Response {
        let scope = try scim.authenticate(request, context)
        let query = try SCIMListQuery(search: try await SCIMResponse.body(request, limit: scim.maxBodyBytes))
        var resources: [(SCIMValue, SCIMLanguage.Kind)] = []
        if users { resources += try SCIMUserRoutes.all(scim, scope) }
        if groups { resources += try SCIMGroupRoutes.all(scim, scope) }
        return SCIMResponse.make(.ok, try SCIMListResponse.make(resources, query: query))
    }
}
