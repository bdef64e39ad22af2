import Foundation
import Hummingbird
import Identity

/// `filter`, `startIndex`, `count`, `attributes`, `excludedAttributes` of a list (query
/// parameters of a GET, members of a `.search` body), with RFC 7644 §3.4.2.4 pagination:
/// a `startIndex` below 1 is 1, a negative `count` is 0, a `count` above the advertised
/// maximum is the maximum.
struct SCIMListQuery: Sendable {
    var filter: SCIMLanguage.Filter?
    var startIndex = 1
    var count = SCIMRoutes.defaultCount
    var attributes: [String]?
    var excludedAttributes: [String]?

    static let maxAttributeNames = 100

    init(request: Request) throws {
        let query = request.uri.queryParameters
        if let filter = query.get("filter") { self.filter = try SCIMLanguage.parseFilter(filter) }
        if let text = query.get("startIndex") { startIndex = try Self.integer(text, "startIndex") }
        if let text = query.get("count") { count = try Self.integer(text, "count") }
        attributes = try query.get("attributes").map { try Self.names($0, "attributes") }
        excludedAttributes = try query.get("excludedAttributes").map { try Self.names($0, "excludedAttributes") }
        normalize()
    }

    /// A `SearchRequest` body (RFC 7644 §3.4.3).
    init(search body: SCIMObject) throws {
        if case .array(let schemas)? = body["schemas"],
           !schemas.contains(where: { $0.stringValue == "urn:ietf:params:scim:api:messages:2.0:SearchRequest" }) {
            throw SCIMError.invalidSyntax("schemas must list urn:ietf:params:scim:api:messages:2.0:SearchRequest")
        }
        switch body["filter"] {
        case nil, .null?: break
        case .string(let text)?: filter = try SCIMLanguage.parseFilter(text)
        case let other?: throw SCIMError.invalidFilter("filter must be a string, not \(other.typeDescription)")
        }
        startIndex = try Self.integer(body["startIndex"], "startIndex") ?? 1
        count = try Self.integer(body["count"], "count") ?? SCIMRoutes.defaultCount
        attributes = try Self.names(body["attributes"], "attributes")
        excludedAttributes = try Self.names(body["excludedAttributes"], "excludedAttributes")
        normalize()
    }

    mutating func normalize() {
        startIndex = max(startIndex, 1)
        count = min(max(count, 0), SCIMRoutes.maxResults)
    }

    static func integer(_ text: String, _ name: String) throws -> Int {
        guard text.utf8.count <= 20, let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw SCIMError.invalidValue("\(name) must be an integer")
        }
        return value
    }

    static func integer(_ value: SCIMValue?, _ name: String) throws -> Int? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return try integer(text, name)
        case let other?:
            guard let number = other.integerValue, let value = Int(exactly: number) else {
                throw SCIMError.invalidValue("\(name) must be an integer")
            }
            return value
        }
    }

    static func names(_ text: String, _ name: String) throws -> [String] {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard names.count <= maxAttributeNames, names.allSatisfy({ $0.utf8.count <= 200 }) else {
            throw SCIMError.invalidValue("\(name) lists at most \(maxAttributeNames) attribute names of at most 200 bytes")
        }
        return names
    }

    static func names(_ value: SCIMValue?, _ name: String) throws -> [String]? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return try names(text, name)
        case .array(let items)?:
            let strings = items.compactMap(\.stringValue)
            guard strings.count == items.count else { throw SCIMError.invalidValue("\(name) must be attribute names") }
            return try names(strings.joined(separator: ","), name)
        case let other?: throw SCIMError.invalidValue("\(name) must be an array of attribute names, not \(other.typeDescription)")
        }
    }
}

/// RFC 7644 §3.4.2 list responses.
enum SCIMListResponse {
    static let schema = "urn:ietf:params:scim:api:messages:2.0:ListResponse"

    /// Filters every resource, counts the matches and answers the requested page of them.
    static func make(_ resources: [(SCIMValue, SCIMLanguage.Kind)], query: SCIMListQuery) throws -> SCIMValue {
        var matched: [(SCIMValue, SCIMLanguage.Kind)] = []
        for (resource, kind) in resources {
            if let filter = query.filter, !(try SCIMLanguage.matches(filter, resource, kind: kind)) { continue }
            matched.append((resource, kind))
        }
        let start = query.startIndex - 1
        let page = start < matched.count ? Array(matched[start..<min(matched.count, start + query.count)]) : []
        let projected = try page.map {
            try SCIMLanguage.project($0.0, attributes: query.attributes, excludedAttributes: query.excludedAttributes, kind: $0.1)
        }
        return [
            "schemas": [.string(schema)], "totalResults": .integer(Int64(matched.count)),
            "startIndex": .integer(Int64(query.startIndex)), "itemsPerPage": .integer(Int64(projected.count)),
            "Resources": .array(projected),
        ]
    }
}
