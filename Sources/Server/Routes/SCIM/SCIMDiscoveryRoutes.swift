import Foundation
import Hummingbird
import Identity

/// `…/ServiceProviderConfig`, `…/ResourceTypes[/{name}]`, `…/Schemas[/{urn}]` (RFC 7644 §4):
/// the documents of the SCIM language, which advertise exactly what these routes support.
/// They need the connection's token like every SCIM route: the path names a connection.
struct SCIMDiscoveryRoutes {
    let scim: SCIMRoutes

    func add(to group: RouterGroup<ArbiterRequestContext>) {
        group.get("ServiceProviderConfig") { request, context in
            let scope = try scim.authenticate(request, context)
            return SCIMResponse.make(.ok, SCIMLanguage.serviceProviderConfig(base: scim.connectionBase(scope)))
        }
        group.get("ResourceTypes") { request, context in
            let scope = try scim.authenticate(request, context)
            return SCIMResponse.make(.ok, Self.list(SCIMLanguage.resourceTypes(base: scim.connectionBase(scope))))
        }
        group.get("ResourceTypes/:name") { request, context in
            let scope = try scim.authenticate(request, context)
            let name = context.parameters.get("name") ?? ""
            guard let found = SCIMLanguage.resourceTypes(base: scim.connectionBase(scope))
                .first(where: { $0["id"]?.stringValue?.caseInsensitiveCompare(name) == .orderedSame || $0["name"]?.stringValue?.caseInsensitiveCompare(name) == .orderedSame })
            else { throw SCIMError.notFound("no resource type '\(name.prefix(100))'") }
            return SCIMResponse.make(.ok, found)
        }
        group.get("Schemas") { request, context in
            let scope = try scim.authenticate(request, context)
            return SCIMResponse.make(.ok, Self.list(SCIMLanguage.schemas(base: scim.connectionBase(scope))))
        }
        group.get("Schemas/:urn") { request, context in
            let scope = try scim.authenticate(request, context)
            let urn = context.parameters.get("urn") ?? ""
            guard let found = SCIMLanguage.schemas(base: scim.connectionBase(scope))
                .first(where: { $0["id"]?.stringValue?.caseInsensitiveCompare(urn) == .orderedSame })
            else { throw SCIMError.notFound("no schema '\(urn.prefix(200))'") }
            return SCIMResponse.make(.ok, found)
        }
    }

    static func list(_ resources: [SCIMValue]) -> SCIMValue {
        [
            "schemas": [.string(SCIMListResponse.schema)], "totalResults": .integer(Int64(resources.count)),
            "startIndex": 1, "itemsPerPage": .integer(Int64(resources.count)), "Resources": .array(resources),
        ]
    }
}
