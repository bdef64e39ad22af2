import Foundation
import Identity

/// A SCIM user as the wire sees it, to and from `SCIMUserRecord` (RFC 7643 §4.1).
enum SCIMUserResource {
    static let schema = "urn:ietf:params:scim:schemas:core:2.0:User"
    static let enterpriseSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    /// Read-only or write-only attributes never stored from a request body (`password`:
    /// provisioned users have no Arbiter password).
    static let notStored: Set<String> = ["schemas", "id", "meta", "groups", "password", "username", "externalid"]

    static func render(_ record: SCIMUserRecord, groups: [(id: String, displayName: String)], routes: SCIMRoutes, scope: SCIMConnectionScope) -> SCIMValue {
        let stored = (try? SCIMValue.parse(record.attributes))?.objectValue ?? SCIMObject()
        var schemas: [SCIMValue] = [.string(schema)]
        for member in stored where member.name.lowercased().hasPrefix("urn:") {
            schemas.append(.string(member.name))
        }
        var resource: SCIMObject = ["schemas": .array(schemas), "id": .string(record.id)]
        if let externalId = record.externalId { resource["externalId"] = .string(externalId) }
        resource["userName"] = .string(record.userName)
        // `active` is returned as the provider assigned it (left out when it never was, or was
        // removed); unassigned means active for Arbiter.
        for member in stored { resource[member.name] = member.value }
        if !groups.isEmpty {
            resource["groups"] = .array(groups.map { group in
                [
                    "value": .string(group.id), "display": .string(group.displayName),
                    "$ref": .string(routes.location(scope, "Groups", group.id)), "type": "direct",
                ]
            })
        }
        resource["meta"] = SCIMResponse.meta(
            resourceType: "User", created: record.created, lastModified: record.lastModified,
            location: routes.location(scope, "Users", record.id), version: record.version)
        return .object(resource)
    }

    /// The typed input of a create, a replace or a patched resource. Unassigned attributes
    /// (null, empty) are dropped; readOnly ones are ignored (RFC 7644 §3.5.1).
    static func input(_ body: SCIMObject) throws -> SCIMUserInput {
        try SCIMResourceSchemas.check(body, core: schema)
        guard let userName = body["userName"]?.stringValue?.trimmingCharacters(in: .whitespaces), !userName.isEmpty else {
            throw SCIMError.invalidValue("userName is required and must be a string")
        }
        let externalId = try SCIMResourceSchemas.optionalString(body, "externalId")
        var body = body
        var active = true
        switch body["active"] {
        case nil, .null?: break
        case .bool(let value)?: active = value
        // Some providers (Entra ID) send booleans as strings: stored as the boolean.
        case .string(let text)? where ["true", "false"].contains(text.lowercased()):
            active = text.lowercased() == "true"
            body["active"] = .bool(active)
        case let other?: throw SCIMError.invalidValue("active must be a boolean, not \(other.typeDescription)")
        }
        var email = ""
        switch body["emails"] {
        case nil, .null?: break
        case .array(let items)?:
            var first: String?
            for item in items {
                guard case .object(let object) = item, let value = object["value"]?.stringValue else {
                    throw SCIMError.invalidValue("emails must be objects with a string value")
                }
                if first == nil { first = value }
                if object["primary"]?.boolValue == true { email = value }
            }
            if email.isEmpty { email = first ?? "" }
        case let other?: throw SCIMError.invalidValue("emails must be an array, not \(other.typeDescription)")
        }
        let attributes = SCIMResourceSchemas.storedAttributes(body, excluding: notStored)
        let input = SCIMUserInput(
            userName: userName, externalId: externalId, active: active, email: email, attributes: attributes.jsonString)
        do {
            try input.validate()
        } catch {
            throw SCIMError.from(error)
        }
        return input
    }
}

/// What Users and Groups share about reading a resource body.
enum SCIMResourceSchemas {
    /// `schemas`, when sent, must be strings naming the resource's core schema.
    static func check(_ body: SCIMObject, core: String) throws {
        switch body["schemas"] {
        case nil, .null?: return
        case .array(let items)?:
            let names = items.compactMap(\.stringValue)
            guard names.count == items.count, names.contains(where: { $0.caseInsensitiveCompare(core) == .orderedSame }) else {
                throw SCIMError.invalidSyntax("schemas must list \(core)")
            }
        case let other?: throw SCIMError.invalidSyntax("schemas must be an array of schema URNs, not \(other.typeDescription)")
        }
    }

    static func optionalString(_ body: SCIMObject, _ name: String) throws -> String? {
        switch body[name] {
        case nil, .null?: return nil
        case .string(let text)?: return text.isEmpty ? nil : text
        case let other?: throw SCIMError.invalidValue("\(name) must be a string, not \(other.typeDescription)")
        }
    }

    /// The body's assigned attributes except `excluding` (lowercased names), in order.
    static func storedAttributes(_ body: SCIMObject, excluding: Set<String>) -> SCIMValue {
        var kept = SCIMObject()
        for member in body where !excluding.contains(member.name.lowercased()) && !member.value.isUnassigned {
            kept[member.name] = member.value
        }
        return .object(kept)
    }
}
