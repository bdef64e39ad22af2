import Foundation
import Identity

/// A SCIM group as the wire sees it, to and from `SCIMGroupRecord` (RFC 7643 §4.2).
enum SCIMGroupResource {
    static let schema = "urn:ietf:params:scim:schemas:core:2.0:Group"
    static let notStored: Set<String> = ["schemas", "id", "meta", "members", "displayname", "externalid"]

    static func render(
        _ record: SCIMGroupRecord, members: [(id: String, userName: String)], routes: SCIMRoutes, scope: SCIMConnectionScope
    ) -> SCIMValue {
        let stored = (try? SCIMValue.parse(record.attributes))?.objectValue ?? SCIMObject()
        var resource: SCIMObject = ["schemas": [.string(schema)], "id": .string(record.id)]
        if let externalId = record.externalId { resource["externalId"] = .string(externalId) }
        resource["displayName"] = .string(record.displayName)
        for member in stored { resource[member.name] = member.value }
        resource["members"] = .array(members.map { member in
            [
                "value": .string(member.id), "display": .string(record.memberDisplays?[member.id] ?? member.userName),
                "$ref": .string(routes.location(scope, "Users", member.id)), "type": "User",
            ]
        })
        resource["meta"] = SCIMResponse.meta(
            resourceType: "Group", created: record.created, lastModified: record.lastModified,
            location: routes.location(scope, "Groups", record.id), version: record.version)
        return .object(resource)
    }

    /// The typed input and member user ids of a create, a replace or a patched resource.
    static func input(_ body: SCIMObject) throws -> SCIMGroupInput {
        try SCIMResourceSchemas.check(body, core: schema)
        guard let displayName = body["displayName"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines), !displayName.isEmpty else {
            throw SCIMError.invalidValue("displayName is required and must be a string")
        }
        let externalId = try SCIMResourceSchemas.optionalString(body, "externalId")
        var memberIds: [String] = []
        var displays: [String: String] = [:]
        switch body["members"] {
        case nil, .null?: break
        case .array(let items)?:
            guard items.count <= MemberGroup.maxMembers else {
                throw SCIMError.invalidValue("a group may have at most \(MemberGroup.maxMembers) members")
            }
            for item in items {
                guard case .object(let object) = item, let value = object["value"]?.stringValue, !value.isEmpty else {
                    throw SCIMError.invalidValue("members must be objects with the string value of a user id")
                }
                if let type = object["type"]?.stringValue, type.caseInsensitiveCompare("User") != .orderedSame {
                    throw SCIMError.invalidValue("members may only be users (type \(type.prefix(40)) is not supported)")
                }
                memberIds.append(value)
                if let display = object["display"]?.stringValue { displays[value] = display }
            }
        case let other?: throw SCIMError.invalidValue("members must be an array, not \(other.typeDescription)")
        }
        let attributes = SCIMResourceSchemas.storedAttributes(body, excluding: notStored)
        let input = SCIMGroupInput(
            displayName: displayName, externalId: externalId, attributes: attributes.jsonString, memberIds: memberIds,
            memberDisplays: displays)
        do {
            try input.validate()
        } catch {
            throw SCIMError.from(error)
        }
        return input
    }
}
