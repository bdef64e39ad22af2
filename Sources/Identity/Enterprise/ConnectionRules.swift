import Foundation

/// The shape every stored connection field must have. Each check returns field errors
/// named as the API names the field (`oidc.issuer`), so a body gets all of them at once.
public enum ConnectionRules {
    public static let maxConnectionsPerTenant = 50
    public static let maxNameBytes = 200
    public static let maxURLBytes = 2048
    public static let maxIdentifierBytes = 1024
    public static let maxSecretBytes = 1024
    public static let maxCertificatePEMBytes = 16 * 1024
    public static let defaultScopes = ["openid", "profile", "email"]

    /// The Arbiter user attributes a claim or SAML attribute can feed.
    public static let mappableAttributes: Set<String> = [
        "userName", "email", "displayName", "givenName", "familyName", "externalId", "groups",
    ]

    public static let nameIdFormats = [
        "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
        "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
        "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
        "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
    ]
    public static var defaultNameIdFormat: String { nameIdFormats[0] }

    public static func name(_ value: String, field: String = "name") -> [FieldError] {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return [FieldError(field: field, message: "must not be empty")] }
        if value.utf8.count > maxNameBytes { return [FieldError(field: field, message: "must be at most \(maxNameBytes) bytes")] }
        return []
    }

    /// Lowercase letters, digits, `.`, `_`, `-`, starting with a letter or digit, ≤ 64.
    public static func providerKey(_ value: String, field: String = "providerKey") -> [FieldError] {
        let bytes = Array(value.utf8)
        func lowerAlnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        guard (1...64).contains(bytes.count), lowerAlnum(bytes[0]),
              bytes.allSatisfy({ lowerAlnum($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D })
        else {
            return [FieldError(
                field: field,
                message: "must be 1 to 64 lowercase letters, digits, '.', '_' or '-' naming the provider, such as okta, entra-id or google-workspace")]
        }
        return []
    }

    /// An absolute https URL without fragment; plain http only for a loopback host
    /// (a provider running on the same machine, as in development and tests).
    public static func url(_ value: String, field: String, allowQuery: Bool) -> [FieldError] {
        guard value.utf8.count <= maxURLBytes else { return [FieldError(field: field, message: "must be at most \(maxURLBytes) bytes")] }
        guard let components = URLComponents(string: value), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty
        else { return [FieldError(field: field, message: "must be an absolute https URL")] }
        if scheme != "https" && !(scheme == "http" && isLoopback(host)) {
            return [FieldError(field: field, message: "must use https (http only for localhost or 127.0.0.1)")]
        }
        if components.fragment != nil || components.user != nil || components.password != nil {
            return [FieldError(field: field, message: "must not carry a fragment or user information")]
        }
        if !allowQuery, components.query != nil {
            return [FieldError(field: field, message: "must not carry a query")]
        }
        return []
    }

    public static func isLoopback(_ host: String) -> Bool {
        ["localhost", "127.0.0.1", "::1", "[::1]"].contains(host.lowercased())
    }

    public static func identifier(_ value: String, field: String, max: Int = maxIdentifierBytes) -> [FieldError] {
        if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return [FieldError(field: field, message: "must not be empty")] }
        if value.utf8.count > max { return [FieldError(field: field, message: "must be at most \(max) bytes")] }
        if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return [FieldError(field: field, message: "must not contain control characters")]
        }
        return []
    }

    /// RFC 6749 §3.3 scope tokens; the list must ask for `openid`.
    public static func scopes(_ scopes: [String], field: String = "oidc.scopes") -> [FieldError] {
        var errors: [FieldError] = []
        for (index, scope) in scopes.enumerated() {
            let valid = (1...128).contains(scope.utf8.count)
                && scope.utf8.allSatisfy { $0 == 0x21 || (0x23...0x5B).contains($0) || (0x5D...0x7E).contains($0) }
            if !valid { errors.append(FieldError(field: "\(field)[\(index)]", message: "must be an OAuth scope token (1 to 128 printable characters, no spaces or quotes)")) }
        }
        if errors.isEmpty, !scopes.contains("openid") {
            errors.append(FieldError(field: field, message: "must include openid"))
        }
        return errors
    }

    public static func mappings(_ mappings: [String: String], field: String) -> [FieldError] {
        mappings.keys.sorted().flatMap { key -> [FieldError] in
            guard mappableAttributes.contains(key) else {
                return [FieldError(
                    field: "\(field).\(key.prefix(64))",
                    message: "is not a mappable attribute (one of " + mappableAttributes.sorted().joined(separator: ", ") + ")")]
            }
            return identifier(mappings[key] ?? "", field: "\(field).\(key)", max: 256)
        }
    }

    public static func nameIdFormat(_ value: String, field: String = "saml.nameIdFormat") -> [FieldError] {
        nameIdFormats.contains(value) ? [] : [FieldError(field: field, message: "must be one of " + nameIdFormats.joined(separator: ", "))]
    }

    public static func jit(_ jit: JITDefaults, field: String = "jit") -> [FieldError] {
        var errors: [FieldError] = []
        if jit.organizationId.isEmpty || jit.organizationId.utf8.count > 100 {
            errors.append(FieldError(field: "\(field).organizationId", message: "must be the id of an organization of your tenant"))
        }
        return errors + RoleNames.validationErrors(jit.roles, field: "\(field).roles")
    }

    public static func oidc(_ input: OIDCInput, creating: Bool) -> [FieldError] {
        var errors: [FieldError] = []
        if let issuer = input.issuer {
            errors += url(issuer, field: "oidc.issuer", allowQuery: false)
        } else if creating {
            errors.append(FieldError(field: "oidc.issuer", message: "is required"))
        }
        if let clientId = input.clientId {
            errors += identifier(clientId, field: "oidc.clientId", max: 256)
        } else if creating {
            errors.append(FieldError(field: "oidc.clientId", message: "is required"))
        }
        if let secret = input.clientSecret {
            if secret.isEmpty || secret.utf8.count > maxSecretBytes {
                errors.append(FieldError(field: "oidc.clientSecret", message: "must be 1 to \(maxSecretBytes) bytes"))
            }
        }
        if let scopes = input.scopes { errors += self.scopes(scopes) }
        if let mappings = input.claimMappings { errors += self.mappings(mappings, field: "oidc.claimMappings") }
        return errors
    }

    public static func saml(_ input: SAMLInput, creating: Bool) -> [FieldError] {
        var errors: [FieldError] = []
        if let entityId = input.idpEntityId {
            errors += identifier(entityId, field: "saml.idpEntityId")
        } else if creating {
            errors.append(FieldError(field: "saml.idpEntityId", message: "is required"))
        }
        if let ssoUrl = input.ssoUrl {
            errors += url(ssoUrl, field: "saml.ssoUrl", allowQuery: true)
        } else if creating {
            errors.append(FieldError(field: "saml.ssoUrl", message: "is required"))
        }
        if let format = input.nameIdFormat { errors += nameIdFormat(format) }
        if let mappings = input.attributeMappings { errors += self.mappings(mappings, field: "saml.attributeMappings") }
        if let pem = input.signingCertificate {
            if pem.utf8.count > maxCertificatePEMBytes {
                errors.append(FieldError(field: "saml.signingCertificate", message: "must be at most \(maxCertificatePEMBytes) bytes"))
            } else if case .failure(let failure) = CertificateMetadata.parse(pem: pem) {
                errors.append(FieldError(field: "saml.signingCertificate", message: failure.message))
            }
        }
        return errors
    }

    /// Every problem of a draft, without looking at stored data.
    public static func validate(_ draft: ConnectionDraft) -> [FieldError] {
        var errors = name(draft.name) + providerKey(draft.providerKey)
        switch draft.type {
        case .oidc:
            if let oidc = draft.oidc { errors += self.oidc(oidc, creating: true) } else {
                errors.append(FieldError(field: "oidc", message: "is required for an oidc connection"))
            }
            if draft.saml != nil { errors.append(FieldError(field: "saml", message: "is only for saml connections")) }
        case .saml:
            if let saml = draft.saml { errors += self.saml(saml, creating: true) } else {
                errors.append(FieldError(field: "saml", message: "is required for a saml connection"))
            }
            if draft.oidc != nil { errors.append(FieldError(field: "oidc", message: "is only for oidc connections")) }
        }
        if let jit = draft.jit { errors += self.jit(jit) }
        return errors
    }

    public static func validate(_ patch: ConnectionPatch, type: EnterpriseConnection.Kind) -> [FieldError] {
        var errors: [FieldError] = []
        if let name = patch.name { errors += self.name(name) }
        if let key = patch.providerKey { errors += providerKey(key) }
        if let oidc = patch.oidc {
            errors += type == .oidc ? self.oidc(oidc, creating: false) : [FieldError(field: "oidc", message: "is only for oidc connections")]
        }
        if let saml = patch.saml {
            errors += type == .saml ? self.saml(saml, creating: false) : [FieldError(field: "saml", message: "is only for saml connections")]
        }
        if let jit = patch.jit { errors += self.jit(jit) }
        return errors
    }
}
