import Foundation

/// Everything that describes a new client, checked as a whole against its purpose:
///
/// | purpose | authenticates with | redirect URIs |
/// |---|---|---|
/// | `interactive_web` | a secret, or nothing when `isPublic` (PKCE) | 1…10, required |
/// | `automation` | a secret, or a registered certificate (RFC 8705) | none |
/// | `manifest_publisher` | a secret, HTTP Basic only | none |
/// | `device` | nothing: always public | none |
public struct ClientRegistration: Sendable, Equatable {
    public var name: String
    public var purpose: ClientPurpose
    public var scopes: [String]
    public var isPublic: Bool?
    public var redirectURIs: [String]
    public var postLogoutRedirectURIs: [String]
    public var certificate: ClientCertificateBinding?
    public var environmentId: String?

    public init(
        name: String, purpose: ClientPurpose, scopes: [String], isPublic: Bool? = nil, redirectURIs: [String] = [],
        postLogoutRedirectURIs: [String] = [], certificate: ClientCertificateBinding? = nil, environmentId: String? = nil
    ) {
        self.name = name
        self.purpose = purpose
        self.scopes = scopes
        self.isPublic = isPublic
        self.redirectURIs = redirectURIs
        self.postLogoutRedirectURIs = postLogoutRedirectURIs
        self.certificate = certificate
        self.environmentId = environmentId
    }

    /// True when the client gets no secret: public clients and certificate clients.
    public var isSecretless: Bool { resolvedPublic || certificate != nil }

    /// Device clients are public whatever was asked; others only when asked.
    public var resolvedPublic: Bool { purpose == .device ? true : (isPublic ?? false) }

    /// Every rule the registration breaks, with JSON field names.
    public func validationErrors(grantor: OAuthScopes.Grantor) -> [FieldError] {
        var errors: [FieldError] = []
        func fail(_ field: String, _ message: String) { errors.append(FieldError(field: field, message: message)) }
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if let error = ClientRegistry.nameError(trimmed) { errors.append(error) }
        errors += OAuthScopes.grantErrors(scopes, purpose: purpose, grantor: grantor)

        switch purpose {
        case .interactiveWeb:
            errors += RedirectURIRules.errors(redirectURIs, field: "redirectUris", required: true)
            errors += RedirectURIRules.errors(postLogoutRedirectURIs, field: "postLogoutRedirectUris", required: false)
            if certificate != nil {
                fail("tlsClientAuth", "certificate authentication is for automation clients only")
            }
        case .automation, .manifestPublisher, .device:
            if !redirectURIs.isEmpty {
                fail("redirectUris", "only interactive_web clients have redirect URIs")
            }
            if !postLogoutRedirectURIs.isEmpty {
                fail("postLogoutRedirectUris", "only interactive_web clients have post-logout redirect URIs")
            }
        }
        switch purpose {
        case .interactiveWeb:
            break
        case .automation:
            if isPublic == true { fail("public", "automation clients are confidential; use a device client for a public one") }
            if let certificate { errors += Self.certificateErrors(certificate) }
        case .manifestPublisher:
            if isPublic == true { fail("public", "manifest_publisher clients are confidential (HTTP Basic with a secret)") }
            if certificate != nil { fail("tlsClientAuth", "manifest_publisher clients authenticate with HTTP Basic only") }
        case .device:
            if isPublic == false { fail("public", "device clients are always public") }
            if certificate != nil { fail("tlsClientAuth", "device clients are public and have no certificate") }
        }
        return errors
    }

    public static let maxSubjectDNBytes = 1024

    static func certificateErrors(_ certificate: ClientCertificateBinding) -> [FieldError] {
        switch (certificate.subjectDN, certificate.thumbprintS256) {
        case (let dn?, nil):
            let trimmed = dn.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || !trimmed.contains("=") {
                return [FieldError(field: "tlsClientAuth.subjectDN", message: "must be a distinguished name such as CN=billing,O=Acme")]
            }
            if dn.utf8.count > maxSubjectDNBytes {
                return [FieldError(field: "tlsClientAuth.subjectDN", message: "must be at most \(maxSubjectDNBytes) bytes")]
            }
            if dn.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                return [FieldError(field: "tlsClientAuth.subjectDN", message: "must not contain control characters")]
            }
            return []
        case (nil, let thumbprint?):
            guard thumbprint.utf8.count == 43, let bytes = Base64URL.decode(thumbprint), bytes.count == 32 else {
                return [FieldError(
                    field: "selfSignedTLSClientAuth.thumbprintS256",
                    message: "must be the base64url SHA-256 of the certificate's DER bytes (43 characters, no padding)")]
            }
            return []
        case (nil, nil):
            return [FieldError(field: "tlsClientAuth", message: "give subjectDN or thumbprintS256")]
        case (_?, _?):
            return [FieldError(field: "tlsClientAuth", message: "give either tlsClientAuth or selfSignedTLSClientAuth, not both")]
        }
    }
}

/// The changes a PATCH asks for; nil leaves a field as it is.
public struct ClientPatch: Sendable, Equatable {
    public var name: String?
    public var status: OAuthClient.Status?
    public var scopes: [String]?
    public var redirectURIs: [String]?
    public var postLogoutRedirectURIs: [String]?

    public init(
        name: String? = nil, status: OAuthClient.Status? = nil, scopes: [String]? = nil, redirectURIs: [String]? = nil,
        postLogoutRedirectURIs: [String]? = nil
    ) {
        self.name = name
        self.status = status
        self.scopes = scopes
        self.redirectURIs = redirectURIs
        self.postLogoutRedirectURIs = postLogoutRedirectURIs
    }

    public var isEmpty: Bool {
        name == nil && status == nil && scopes == nil && redirectURIs == nil && postLogoutRedirectURIs == nil
    }
}

/// The changes a PATCH of an application asks for; nil leaves a field as it is.
public struct ApplicationPatch: Sendable, Equatable {
    public var name: String?
    public var key: String?
    public var status: Application.Status?
    public var externalConsumption: Bool?

    public init(name: String? = nil, key: String? = nil, status: Application.Status? = nil, externalConsumption: Bool? = nil) {
        self.name = name
        self.key = key
        self.status = status
        self.externalConsumption = externalConsumption
    }

    public var isEmpty: Bool { name == nil && key == nil && status == nil && externalConsumption == nil }
}
