import Foundation
import Identity

/// A connection as the API shows it: never a secret or a hash. The OIDC client secret
/// appears as whether one is set and its last 4 characters; the SCIM token as whether one
/// is set and when it was made; the SAML certificate as what was parsed from it.
struct ConnectionDTO: Encodable {
    struct OIDC: Encodable {
        var issuer: String
        var clientId: String
        var clientSecretSet: Bool
        var clientSecretHint: String?
        var clientSecretSetAt: Date?
        var scopes: [String]
        var claimMappings: [String: String]
    }

    struct SAML: Encodable {
        var idpEntityId: String
        var ssoUrl: String
        var signingCertificate: CertificateMetadata?
        var nameIdFormat: String
        var attributeMappings: [String: String]
    }

    struct SCIM: Encodable {
        var baseUrl: String
        var tokenSet: Bool
        var tokenCreatedAt: Date?
    }

    var id: String
    var type: String
    var name: String
    var providerKey: String
    var oidc: OIDC?
    var saml: SAML?
    var jit: JITDefaults?
    var scim: SCIM
    var createdAt: Date
    var updatedAt: Date

    init(_ connection: EnterpriseConnection, scimBaseURL: String) {
        id = connection.id
        type = connection.type.rawValue
        name = connection.name
        providerKey = connection.providerKey
        oidc = connection.oidc.map {
            OIDC(
                issuer: $0.issuer, clientId: $0.clientId, clientSecretSet: $0.clientSecretHash != nil,
                clientSecretHint: $0.clientSecretHint, clientSecretSetAt: $0.clientSecretSetAt, scopes: $0.scopes,
                claimMappings: $0.claimMappings)
        }
        saml = connection.saml.map {
            SAML(
                idpEntityId: $0.idpEntityId, ssoUrl: $0.ssoUrl, signingCertificate: $0.signingCertificate,
                nameIdFormat: $0.nameIdFormat, attributeMappings: $0.attributeMappings)
        }
        jit = connection.jit
        scim = SCIM(baseUrl: scimBaseURL, tokenSet: connection.scimToken != nil, tokenCreatedAt: connection.scimToken?.createdAt)
        createdAt = connection.createdAt
        updatedAt = connection.updatedAt
    }
}

/// The answer of `POST …/scim-token`: the token, this once.
struct SCIMTokenDTO: Encodable {
    var connectionId: String
    var token: String
    var scimBaseUrl: String
    var createdAt: Date
}

/// The answer of `POST …/diagnostics`.
struct DiagnosticsDTO: Encodable {
    struct Summary: Encodable {
        var errors: Int
        var warnings: Int
        var info: Int
    }

    var connectionId: String
    var checkedAt: Date
    /// True when no finding is an error.
    var ready: Bool
    var summary: Summary
    var findings: [ConnectionDiagnostics.Finding]

    init(connectionId: String, checkedAt: Date, findings: [ConnectionDiagnostics.Finding]) {
        self.connectionId = connectionId
        self.checkedAt = checkedAt
        self.findings = findings
        let count = { (severity: ConnectionDiagnostics.Finding.Severity) in findings.filter { $0.severity == severity }.count }
        summary = Summary(errors: count(.error), warnings: count(.warning), info: count(.info))
        ready = summary.errors == 0
    }
}

/// Reads the bodies of `POST /api/enterprise/connections` and `PATCH …/{connectionId}`.
/// Mappings (objects of strings) and the certificate PEM (longer than other strings) are
/// taken out of the raw object first; everything else goes through `ManagementFields`, so
/// every missing, mistyped or unknown field is reported at once.
enum ConnectionBody {
    static let maxMappings = 20

    static func create(_ object: [String: JSONValue]) throws -> ConnectionDraft {
        var errors: [FieldError] = []
        var (fields, special) = split(object, &errors)
        let type = fields.optionalEnum("type", EnterpriseConnection.Kind.self)
        let typeGiven = object["type"].map { $0 != .null } ?? false
        let name = fields.string("name")
        let providerKey = fields.string("providerKey")
        let oidc = readOIDC(&fields, special)
        let saml = readSAML(&fields, special)
        let jit = readJIT(&fields)
        errors += fields.finish()
        if !typeGiven { errors.append(FieldError(field: "type", message: "is required (oidc or saml)")) }
        guard errors.isEmpty, let type, let name, let providerKey else { throw ProblemError.validation(errors) }
        let draft = ConnectionDraft(type: type, name: name, providerKey: providerKey, oidc: oidc, saml: saml, jit: jit)
        let ruleErrors = ConnectionRules.validate(draft)
        guard ruleErrors.isEmpty else { throw ProblemError.validation(ruleErrors) }
        return draft
    }

    static func patch(_ object: [String: JSONValue], type: EnterpriseConnection.Kind) throws -> ConnectionPatch {
        var errors: [FieldError] = []
        var (fields, special) = split(object, &errors)
        if object["type"] != nil {
            errors.append(FieldError(field: "type", message: "cannot change; create a new connection instead"))
        }
        _ = fields.optionalString("type")
        let patch = ConnectionPatch(
            name: fields.optionalString("name"), providerKey: fields.optionalString("providerKey"),
            oidc: readOIDC(&fields, special), saml: readSAML(&fields, special), jit: readJIT(&fields))
        errors += fields.finish()
        guard errors.isEmpty else { throw ProblemError.validation(errors) }
        if patch.isEmpty {
            throw ProblemError.validation([FieldError(field: "body", message: "name at least one field to change")])
        }
        let ruleErrors = ConnectionRules.validate(patch, type: type)
        guard ruleErrors.isEmpty else { throw ProblemError.validation(ruleErrors) }
        return patch
    }

    struct Special {
        var claimMappings: [String: String]?
        var attributeMappings: [String: String]?
        var certificate: String?
    }

    static func split(_ object: [String: JSONValue], _ errors: inout [FieldError]) -> (ManagementFields, Special) {
        var object = object
        var special = Special()
        if case .object(var oidc)? = object["oidc"] {
            special.claimMappings = map(oidc.removeValue(forKey: "claimMappings"), field: "oidc.claimMappings", &errors)
            object["oidc"] = .object(oidc)
        }
        if case .object(var saml)? = object["saml"] {
            special.attributeMappings = map(saml.removeValue(forKey: "attributeMappings"), field: "saml.attributeMappings", &errors)
            switch saml.removeValue(forKey: "signingCertificate") {
            case nil, .null?: break
            case .string(let pem)?: special.certificate = pem
            case let other?:
                errors.append(FieldError(field: "saml.signingCertificate", message: "must be a PEM string, not \(other.typeDescription)"))
            }
            object["saml"] = .object(saml)
        }
        return (ManagementFields(object), special)
    }

    static func map(_ value: JSONValue?, field: String, _ errors: inout [FieldError]) -> [String: String]? {
        switch value {
        case nil, .null?: return nil
        case .object(let entries)?:
            guard entries.count <= maxMappings else {
                errors.append(FieldError(field: field, message: "may map at most \(maxMappings) attributes"))
                return nil
            }
            var result: [String: String] = [:]
            for (key, entry) in entries {
                guard case .string(let claim) = entry else {
                    errors.append(FieldError(field: "\(field).\(key.prefix(64))", message: "must be a string, not \(entry.typeDescription)"))
                    continue
                }
                result[key] = claim
            }
            return result
        case let other?:
            errors.append(FieldError(field: field, message: "must be an object of attribute → name strings, not \(other.typeDescription)"))
            return nil
        }
    }

    static func readOIDC(_ fields: inout ManagementFields, _ special: Special) -> OIDCInput? {
        guard var oidc = fields.optionalObject("oidc") else { return nil }
        let input = OIDCInput(
            issuer: oidc.optionalString("issuer"), clientId: oidc.optionalString("clientId"),
            clientSecret: oidc.optionalString("clientSecret"), scopes: oidc.optionalStrings("scopes"),
            claimMappings: special.claimMappings)
        fields.merge(oidc)
        return input
    }

    static func readSAML(_ fields: inout ManagementFields, _ special: Special) -> SAMLInput? {
        guard var saml = fields.optionalObject("saml") else { return nil }
        let input = SAMLInput(
            idpEntityId: saml.optionalString("idpEntityId"), ssoUrl: saml.optionalString("ssoUrl"),
            signingCertificate: special.certificate, nameIdFormat: saml.optionalString("nameIdFormat"),
            attributeMappings: special.attributeMappings)
        fields.merge(saml)
        return input
    }

    static func readJIT(_ fields: inout ManagementFields) -> JITDefaults? {
        guard var jit = fields.optionalObject("jit") else { return nil }
        let organizationId = jit.string("organizationId")
        let roles = jit.optionalStrings("roles") ?? []
        fields.merge(jit)
        return organizationId.map { JITDefaults(organizationId: $0, roles: roles) }
    }
}
