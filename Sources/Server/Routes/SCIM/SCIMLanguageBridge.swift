import Foundation
import Identity

/// The one place SCIM routes call E2's SCIM language (`Sources/Identity/SCIM/Language`):
/// filters, PATCH, attribute projection and the discovery documents.
enum SCIMLanguage {
    enum Kind: Sendable {
        case user, group

        var schema: SCIMResourceSchema { self == .user ? .user : .group }
    }

    typealias Filter = SCIMFilter

    static func error(_ error: SCIMLanguageError) -> SCIMError {
        SCIMError.badRequest(error.scimType.rawValue, error.detail)
    }

    /// A `filter` parameter → its AST; a bad one is 400 `invalidFilter` naming the position.
    static func parseFilter(_ text: String) throws -> Filter {
        guard text.utf8.count <= SCIMRoutes.maxFilterBytes else {
            throw SCIMError.invalidFilter("a filter may be at most \(SCIMRoutes.maxFilterBytes) bytes")
        }
        do {
            return try SCIMFilter.parse(text)
        } catch {
            throw Self.error(error)
        }
    }

    static func matches(_ filter: Filter, _ resource: SCIMValue, kind: Kind) throws -> Bool {
        filter.matches(resource, schema: kind.schema)
    }

    /// RFC 7644 §3.5.2 over the full resource; errors carry their `scimType`.
    static func patch(_ resource: SCIMValue, request: SCIMObject, kind: Kind) throws -> SCIMValue {
        do {
            return try SCIMPatch.apply(.object(request), to: resource, schema: kind.schema)
        } catch {
            throw Self.error(error)
        }
    }

    static func project(_ resource: SCIMValue, attributes: [String]?, excludedAttributes: [String]?, kind: Kind) throws -> SCIMValue {
        do {
            return try SCIMProjection.apply(resource, attributes: attributes, excludedAttributes: excludedAttributes, schema: kind.schema)
        } catch {
            throw Self.error(error)
        }
    }

    /// `base`: the connection's absolute SCIM base URL (the documents' `meta.location`).
    static func serviceProviderConfig(base: String) -> SCIMValue { SCIMDiscovery(baseURL: base).serviceProviderConfig }
    static func resourceTypes(base: String) -> [SCIMValue] { SCIMDiscovery(baseURL: base).resourceTypes }
    static func resourceType(base: String, id: String) -> SCIMValue? { SCIMDiscovery(baseURL: base).resourceType(id: id) }
    static func schemas(base: String) -> [SCIMValue] { SCIMDiscovery(baseURL: base).schemas }
    static func schema(base: String, id: String) -> SCIMValue? { SCIMDiscovery(baseURL: base).schema(id: id) }
    static func listResponse(_ items: [SCIMValue]) -> SCIMValue { SCIMDiscovery.listResponse(items) }
}
