/// The discovery documents of RFC 7644 §4 for one connection's SCIM base URL. They state
/// exactly what the SCIM endpoints do: PATCH yes; bulk, password change, sorting and ETags
/// no; filters yes with at most 200 results per page; bearer-token authentication.
public struct SCIMDiscovery: Sendable {
    public static let maxResults = 200

    /// Absolute base, e.g. `https://host/scim/v2/enterprise-connections/con_x` (no trailing /).
    public var baseURL: String
    public var resourceSchemas: [SCIMResourceSchema]

    public init(baseURL: String, resourceSchemas: [SCIMResourceSchema] = [.user, .group]) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.resourceSchemas = resourceSchemas
    }

    public var serviceProviderConfig: SCIMValue {
        [
            "schemas": [.string(SCIMSchemaURN.serviceProviderConfig)],
            "documentationUri": "https://www.rfc-editor.org/rfc/rfc7644",
            "patch": ["supported": true],
            "bulk": ["supported": false, "maxOperations": 0, "maxPayloadSize": 0],
            "filter": ["supported": true, "maxResults": .integer(Int64(Self.maxResults))],
            "changePassword": ["supported": false],
            "sort": ["supported": false],
            "etag": ["supported": false],
            "authenticationSchemes": [[
                "type": "oauthbearertoken",
                "name": "OAuth Bearer Token",
                "description": "The connection's SCIM token (POST /api/enterprise/connections/{id}/scim-token) as an RFC 6750 bearer token.",
                "specUri": "https://www.rfc-editor.org/rfc/rfc6750",
                "primary": true,
            ]],
            "meta": meta("ServiceProviderConfig", "/ServiceProviderConfig"),
        ]
    }

    public var resourceTypes: [SCIMValue] { resourceSchemas.map(resourceType) }

    /// By id ("User", "Group"), case-insensitively.
    public func resourceType(id: String) -> SCIMValue? {
        resourceSchemas.first { $0.name.caseInsensitiveCompare(id) == .orderedSame }.map(resourceType)
    }

    private func resourceType(_ schema: SCIMResourceSchema) -> SCIMValue {
        var object: SCIMObject = [
            "schemas": [.string(SCIMSchemaURN.resourceType)],
            "id": .string(schema.name),
            "name": .string(schema.name),
            "endpoint": .string(schema.endpoint),
            "description": .string(schema.description),
            "schema": .string(schema.core.id),
        ]
        if !schema.extensions.isEmpty {
            object["schemaExtensions"] = .array(schema.extensions.map { ["schema": .string($0.id), "required": false] })
        }
        object["meta"] = meta("ResourceType", "/ResourceTypes/\(schema.name)")
        return .object(object)
    }

    public var schemas: [SCIMValue] {
        var seen: [String] = []
        var documents: [SCIMValue] = []
        for definition in resourceSchemas.flatMap(\.allSchemas) where !seen.contains(definition.id) {
            seen.append(definition.id)
            documents.append(schemaDocument(definition))
        }
        return documents
    }

    /// By URN, case-insensitively.
    public func schema(id: String) -> SCIMValue? {
        resourceSchemas.flatMap(\.allSchemas).first { $0.id.caseInsensitiveCompare(id) == .orderedSame }.map(schemaDocument)
    }

    private func schemaDocument(_ definition: SCIMSchemaDefinition) -> SCIMValue {
        [
            "schemas": [.string(SCIMSchemaURN.schema)],
            "id": .string(definition.id),
            "name": .string(definition.name),
            "description": .string(definition.description),
            "attributes": .array(definition.attributes.map(\.document)),
            "meta": meta("Schema", "/Schemas/\(definition.id)"),
        ]
    }

    private func meta(_ resourceType: String, _ path: String) -> SCIMValue {
        ["resourceType": .string(resourceType), "location": .string(baseURL + path)]
    }

    /// RFC 7644 §3.4.2 ListResponse holding every item (discovery lists are never paged).
    public static func listResponse(_ items: [SCIMValue]) -> SCIMValue {
        [
            "schemas": [.string(SCIMSchemaURN.listResponse)],
            "totalResults": .integer(Int64(items.count)),
            "itemsPerPage": .integer(Int64(items.count)),
            "startIndex": 1,
            "Resources": .array(items),
        ]
    }
}
