/// RFC 7643 §7 attribute characteristics: one definition drives the `/Schemas` documents,
/// PATCH (multi-valued? read-only?), projection (`returned`) and filters (`caseExact`, dates),
/// so what is advertised and what is enforced cannot drift apart.
public struct SCIMAttribute: Sendable, Equatable {
    public enum Kind: String, Sendable { case string, boolean, decimal, integer, dateTime, reference, binary, complex }
    public enum Mutability: String, Sendable { case readOnly, readWrite, immutable, writeOnly }
    public enum Returned: String, Sendable { case always, never, `default`, request }
    public enum Uniqueness: String, Sendable { case none, server, global }

    public var name: String
    public var kind: Kind
    public var multiValued: Bool
    public var description: String
    public var required: Bool
    public var caseExact: Bool
    public var mutability: Mutability
    public var returned: Returned
    public var uniqueness: Uniqueness
    public var canonicalValues: [String]
    public var referenceTypes: [String]
    public var subAttributes: [SCIMAttribute]

    public init(
        _ name: String, _ kind: Kind = .string, multiValued: Bool = false, description: String = "",
        required: Bool = false, caseExact: Bool = false, mutability: Mutability = .readWrite,
        returned: Returned = .default, uniqueness: Uniqueness = .none, canonicalValues: [String] = [],
        referenceTypes: [String] = [], subAttributes: [SCIMAttribute] = []
    ) {
        self.name = name
        self.kind = kind
        self.multiValued = multiValued
        self.description = description
        self.required = required
        self.caseExact = caseExact
        self.mutability = mutability
        self.returned = returned
        self.uniqueness = uniqueness
        self.canonicalValues = canonicalValues
        self.referenceTypes = referenceTypes
        self.subAttributes = subAttributes
    }

    public func subAttribute(_ name: String) -> SCIMAttribute? {
        subAttributes.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }
    }

    /// The attribute as RFC 7643 §7 writes it in a schema document.
    public var document: SCIMValue {
        var object: SCIMObject = [
            "name": .string(name),
            "type": .string(kind.rawValue),
            "multiValued": .bool(multiValued),
            "description": .string(description),
            "required": .bool(required),
        ]
        if kind == .string || kind == .reference || kind == .binary { object["caseExact"] = .bool(caseExact) }
        if !canonicalValues.isEmpty { object["canonicalValues"] = .array(canonicalValues.map(SCIMValue.string)) }
        if kind == .reference { object["referenceTypes"] = .array(referenceTypes.map(SCIMValue.string)) }
        object["mutability"] = .string(mutability.rawValue)
        object["returned"] = .string(returned.rawValue)
        if kind != .complex && kind != .boolean { object["uniqueness"] = .string(uniqueness.rawValue) }
        if kind == .complex { object["subAttributes"] = .array(subAttributes.map(\.document)) }
        return .object(object)
    }
}

/// One schema (core or extension) by URN.
public struct SCIMSchemaDefinition: Sendable, Equatable {
    public var id: String
    public var name: String
    public var description: String
    public var attributes: [SCIMAttribute]

    public func attribute(_ name: String) -> SCIMAttribute? {
        attributes.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }
    }
}

/// A resource type's core schema and its extensions; extension attributes live in the
/// resource under the extension's URN (RFC 7643 §3.3).
public struct SCIMResourceSchema: Sendable, Equatable {
    public var name: String
    public var endpoint: String
    public var description: String
    public var core: SCIMSchemaDefinition
    public var extensions: [SCIMSchemaDefinition]

    public var allSchemas: [SCIMSchemaDefinition] { [core] + extensions }

    public func schema(urn: String) -> SCIMSchemaDefinition? {
        allSchemas.first { $0.id.caseInsensitiveCompare(urn) == .orderedSame }
    }

    public func isExtension(_ urn: String) -> Bool {
        extensions.contains { $0.id.caseInsensitiveCompare(urn) == .orderedSame }
    }

    /// The definition an attribute path names, or nil when the schema has no such attribute.
    /// Common attributes (id, externalId, meta) are defined here too (RFC 7643 §3.1).
    public func attribute(schema urn: String?, name: String, sub: String? = nil) -> SCIMAttribute? {
        let definition: SCIMAttribute?
        if let urn, isExtension(urn) {
            definition = self.schema(urn: urn)?.attribute(name)
        } else {
            definition = core.attribute(name) ?? SCIMResourceSchema.commonAttributes.first {
                $0.name.caseInsensitiveCompare(name) == .orderedSame
            }
        }
        guard let sub else { return definition }
        return definition?.subAttribute(sub)
    }

    /// RFC 7643 §3.1 attributes every resource carries; not part of any schema document.
    public static let commonAttributes: [SCIMAttribute] = [
        SCIMAttribute("id", caseExact: true, mutability: .readOnly, returned: .always, uniqueness: .server),
        SCIMAttribute("externalId", caseExact: true),
        SCIMAttribute("schemas", .reference, multiValued: true, caseExact: true, returned: .always),
        SCIMAttribute("meta", .complex, mutability: .readOnly, subAttributes: [
            SCIMAttribute("resourceType", caseExact: true, mutability: .readOnly),
            SCIMAttribute("created", .dateTime, mutability: .readOnly),
            SCIMAttribute("lastModified", .dateTime, mutability: .readOnly),
            SCIMAttribute("location", .reference, caseExact: true, mutability: .readOnly, referenceTypes: ["uri"]),
            SCIMAttribute("version", caseExact: true, mutability: .readOnly),
        ]),
    ]
}

public enum SCIMSchemaURN {
    public static let user = "urn:ietf:params:scim:schemas:core:2.0:User"
    public static let group = "urn:ietf:params:scim:schemas:core:2.0:Group"
    public static let enterpriseUser = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    public static let patchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    public static let listResponse = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    public static let searchRequest = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
    public static let error = "urn:ietf:params:scim:api:messages:2.0:Error"
    public static let serviceProviderConfig = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
    public static let resourceType = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
    public static let schema = "urn:ietf:params:scim:schemas:core:2.0:Schema"

    /// Every URN an attribute path may start with (longest first so prefixes match greedily).
    public static let attributePrefixes = [enterpriseUser, user, group]
}

extension SCIMResourceSchema {
    /// Sub-attributes shared by emails, phoneNumbers, ims, photos, entitlements, roles and
    /// x509Certificates (RFC 7643 §4.1.2).
    private static func multiValue(
        _ name: String, _ kind: SCIMAttribute.Kind = .string, description: String, types: [String] = [],
        referenceTypes: [String] = []
    ) -> SCIMAttribute {
        SCIMAttribute(name, .complex, multiValued: true, description: description, subAttributes: [
            SCIMAttribute("value", kind, description: "The attribute's significant value.", referenceTypes: referenceTypes),
            SCIMAttribute("display", description: "A human-readable name, primarily used for display purposes."),
            SCIMAttribute("type", description: "A label indicating the attribute's function.", canonicalValues: types),
            SCIMAttribute("primary", .boolean, description: "Indicates the 'primary' or preferred attribute value."),
        ])
    }

    public static let userCore = SCIMSchemaDefinition(
        id: SCIMSchemaURN.user, name: "User", description: "User Account",
        attributes: [
            SCIMAttribute("userName", description: "Unique identifier for the User, used to sign in.",
                          required: true, uniqueness: .server),
            SCIMAttribute("name", .complex, description: "The components of the user's real name.", subAttributes: [
                SCIMAttribute("formatted", description: "The full name, formatted for display."),
                SCIMAttribute("familyName", description: "The family name of the User."),
                SCIMAttribute("givenName", description: "The given name of the User."),
                SCIMAttribute("middleName", description: "The middle name(s) of the User."),
                SCIMAttribute("honorificPrefix", description: "The honorific prefix(es) of the User."),
                SCIMAttribute("honorificSuffix", description: "The honorific suffix(es) of the User."),
            ]),
            SCIMAttribute("displayName", description: "The name of the User, suitable for display."),
            SCIMAttribute("nickName", description: "The casual way to address the user."),
            SCIMAttribute("profileUrl", .reference, description: "A fully qualified URL pointing to the user's online profile.",
                          referenceTypes: ["external"]),
            SCIMAttribute("title", description: "The user's title."),
            SCIMAttribute("userType", description: "The relationship between the organization and the user."),
            SCIMAttribute("preferredLanguage", description: "The User's preferred written or spoken language."),
            SCIMAttribute("locale", description: "The User's default location for localization."),
            SCIMAttribute("timezone", description: "The User's time zone in the 'Olson' format."),
            SCIMAttribute("active", .boolean, description: "The User's administrative status; false deprovisions the user."),
            multiValue("emails", description: "Email addresses for the user.", types: ["work", "home", "other"]),
            multiValue("phoneNumbers", description: "Phone numbers for the User.",
                       types: ["work", "home", "mobile", "fax", "pager", "other"]),
            multiValue("ims", description: "Instant messaging addresses for the User."),
            multiValue("photos", .reference, description: "URLs of images of the user.", types: ["photo", "thumbnail"],
                       referenceTypes: ["external"]),
            SCIMAttribute("addresses", .complex, multiValued: true, description: "A physical mailing address for this User.",
                          subAttributes: [
                              SCIMAttribute("formatted", description: "The full mailing address."),
                              SCIMAttribute("streetAddress", description: "The full street address component."),
                              SCIMAttribute("locality", description: "The city or locality component."),
                              SCIMAttribute("region", description: "The state or region component."),
                              SCIMAttribute("postalCode", description: "The zip code or postal code component."),
                              SCIMAttribute("country", description: "The country name component."),
                              SCIMAttribute("type", description: "A label indicating the attribute's function.",
                                            canonicalValues: ["work", "home", "other"]),
                              SCIMAttribute("primary", .boolean, description: "The primary mailing address."),
                          ]),
            SCIMAttribute("groups", .complex, multiValued: true,
                          description: "Groups to which the user belongs; managed through the Groups endpoint.",
                          mutability: .readOnly, subAttributes: [
                              SCIMAttribute("value", description: "The identifier of the User's group.", mutability: .readOnly),
                              SCIMAttribute("$ref", .reference, description: "The URI of the Group resource.",
                                            caseExact: true, mutability: .readOnly, referenceTypes: ["Group"]),
                              SCIMAttribute("display", description: "The group's displayName.", mutability: .readOnly),
                              SCIMAttribute("type", description: "direct or indirect membership.", mutability: .readOnly,
                                            canonicalValues: ["direct", "indirect"]),
                          ]),
            multiValue("entitlements", description: "A list of entitlements for the User."),
            multiValue("roles", description: "A list of roles for the User (informational; Arbiter roles come from the connection)."),
            multiValue("x509Certificates", .binary, description: "A list of certificates issued to the User."),
        ]
    )

    public static let enterpriseUser = SCIMSchemaDefinition(
        id: SCIMSchemaURN.enterpriseUser, name: "EnterpriseUser", description: "Enterprise User",
        attributes: [
            SCIMAttribute("employeeNumber", description: "Numeric or alphanumeric identifier assigned to a person."),
            SCIMAttribute("costCenter", description: "Identifies the name of a cost center."),
            SCIMAttribute("organization", description: "Identifies the name of an organization."),
            SCIMAttribute("division", description: "Identifies the name of a division."),
            SCIMAttribute("department", description: "Identifies the name of a department."),
            SCIMAttribute("manager", .complex, description: "The User's manager.", subAttributes: [
                SCIMAttribute("value", description: "The id of the SCIM resource representing the User's manager."),
                SCIMAttribute("$ref", .reference, description: "The URI of the SCIM resource representing the User's manager.",
                              caseExact: true, referenceTypes: ["User"]),
                SCIMAttribute("displayName", description: "The displayName of the User's manager.", mutability: .readOnly),
            ]),
        ]
    )

    public static let groupCore = SCIMSchemaDefinition(
        id: SCIMSchemaURN.group, name: "Group", description: "Group",
        attributes: [
            SCIMAttribute("displayName", description: "A human-readable name for the Group.", required: true),
            SCIMAttribute("members", .complex, multiValued: true, description: "A list of members of the Group.",
                          subAttributes: [
                              SCIMAttribute("value", description: "Identifier of the member of this Group.",
                                            mutability: .immutable),
                              SCIMAttribute("$ref", .reference, description: "The URI of the member resource.",
                                            caseExact: true, mutability: .immutable, referenceTypes: ["User", "Group"]),
                              SCIMAttribute("display", description: "The member's display name.", mutability: .immutable),
                              SCIMAttribute("type", description: "The type of the member.", mutability: .immutable,
                                            canonicalValues: ["User", "Group"]),
                          ]),
        ]
    )

    public static let user = SCIMResourceSchema(
        name: "User", endpoint: "/Users", description: "User Account", core: userCore, extensions: [enterpriseUser]
    )

    public static let group = SCIMResourceSchema(
        name: "Group", endpoint: "/Groups", description: "Group", core: groupCore, extensions: []
    )
}

/// A SCIM language mistake in a request: every one is an HTTP 400 with this `scimType`
/// (RFC 7644 §3.12).
public enum SCIMErrorType: String, Sendable, Equatable {
    case invalidFilter, invalidPath, noTarget, invalidValue, mutability, invalidSyntax, tooMany, uniqueness
}

public struct SCIMLanguageError: Error, Sendable, Equatable, CustomStringConvertible {
    public var scimType: SCIMErrorType
    public var detail: String

    public init(_ scimType: SCIMErrorType, _ detail: String) {
        self.scimType = scimType
        self.detail = detail
    }

    public var description: String { "\(scimType.rawValue): \(detail)" }
}
