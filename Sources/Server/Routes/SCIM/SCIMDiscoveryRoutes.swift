import Foundation
import HTTPTypes
import Hummingbird
import Identity

/// `…/ServiceProviderConfig`, `…/ResourceTypes[/{name}]`, `…/Schemas[/{urn}]` (RFC 7644 §4):
/// the documents of the SCIM language, which advertise exactly what these routes support.
/// They need the connection's token like every SCIM route: the path names a connection.
/// They are read-only: any other method answers 405.
struct SCIMDiscoveryRoutes {
    let scim: SCIMRoutes

    func add(to group: RouterGroup<ArbiterRequestContext>) {
        group.get("ServiceProviderConfig") { request, context in
            let scope = try scim.authenticate(request, context)
            return SCIMResponse.make(.ok, SCIMLanguage.serviceProviderConfig(base: scim.connectionBase(scope)))
        }
        group.get("ResourceTypes") { request, context in
            let scope = try scim.authenticate(request, context)
            return SCIMResponse.make(.ok, SCIMLanguage.listResponse(SCIMLanguage.resourceTypes(base: scim.connectionBase(scope))))
        }
        group.get("ResourceTypes/:name") { request, context in
            let scope = try scim.authenticate(request, context)
            let name = context.parameters.get("name") ?? ""
            guard let found = SCIMLanguage.resourceType(base: scim.connectionBase(scope), id: name) else {
                throw SCIMError.notFound("no resource type '\(name.prefix(100))'")
            }
            return SCIMResponse.make(.ok, found)
        }
        group.get("Schemas") { request, context in
            let scope = try scim.authenticate(request, context)
            return SCIMResponse.make(.ok, SCIMLanguage.listResponse(SCIMLanguage.schemas(base: scim.connectionBase(scope))))
        }
        group.get("Schemas/:urn") { request, context in
            let scope = try scim.authenticate(request, context)
            let urn = context.parameters.get("urn") ?? ""
            guard let found = SCIMLanguage.schema(base: scim.connectionBase(scope), id: urn) else {
                throw SCIMError.notFound("no schema '\(urn.prefix(200))'")
            }
            return SCIMResponse.make(.ok, found)
        }
        for path in ["ServiceProviderConfig", "ResourceTypes", "Schemas"] {
            for method in [HTTPRequest.Method.post, .put, .patch, .delete] {
                group.on(RouterPath(path), method: method) { request, context -> Response in
                    _ = try scim.authenticate(request, context)
                    throw SCIMError(
                        status: .methodNotAllowed, detail: "\(path) is read-only: use GET",
                        headers: [.allow: "GET"])
                }
            }
        }
    }
}
