import Foundation
import Identity

/// An OAuth client as the API shows it: never a secret or a secret's hash, only when each
/// secret was made and until when an old one stays valid.
struct ClientDTO: Encodable {
    struct SubjectDN: Encodable { var subjectDN: String }
    struct Thumbprint: Encodable { var thumbprintS256: String }
    struct SecretInfo: Encodable {
        var id: String
        var createdAt: Date
        var expiresAt: Date?
    }

    var clientId: String
    var applicationId: String
    var environmentId: String?
    var name: String
    var purpose: String
    var status: String
    var scopes: [String]
    var `public`: Bool
    var grantTypes: [String]
    var tokenEndpointAuthMethods: [String]
    var redirectUris: [String]?
    var postLogoutRedirectUris: [String]?
    var tlsClientAuth: SubjectDN?
    var selfSignedTLSClientAuth: Thumbprint?
    var secrets: [SecretInfo]
    var createdAt: Date
    /// Only in the answer that created or rotated the secret.
    var clientSecret: String?

    init(_ client: OAuthClient, secret: String? = nil, now: Date = Date()) {
        clientId = client.clientId
        applicationId = client.applicationId
        environmentId = client.environmentId
        name = client.name
        purpose = client.purpose.rawValue
        status = client.status.rawValue
        scopes = client.scopes
        `public` = client.publicClient
        grantTypes = client.grantTypes
        tokenEndpointAuthMethods = client.authMethods.map(\.rawValue)
        if client.purpose == .interactiveWeb {
            redirectUris = client.redirectURIs ?? []
            postLogoutRedirectUris = client.postLogoutRedirectURIs ?? []
        }
        tlsClientAuth = client.certificate?.subjectDN.map(SubjectDN.init)
        selfSignedTLSClientAuth = client.certificate?.thumbprintS256.map(Thumbprint.init)
        secrets = client.secrets.filter { $0.isValid(at: now) }.map {
            SecretInfo(id: $0.id, createdAt: $0.createdAt, expiresAt: $0.expiresAt)
        }
        createdAt = client.createdAt
        clientSecret = secret.flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// The body of `POST /api/applications/{applicationId}/clients`.
enum CreateClientBody {
    static func read(_ fields: inout ManagementFields) throws -> ClientRegistration {
        let name = fields.string("name")
        let purpose = fields.string("purpose")
        let scopes = fields.optionalStrings("scopes")
        let isPublic = fields.optionalBool("public")
        let redirectURIs = fields.optionalStrings("redirectUris")
        let postLogout = fields.optionalStrings("postLogoutRedirectUris")
        let environmentId = fields.optionalString("environmentId")
        var certificate: ClientCertificateBinding?
        if var tls = fields.optionalObject("tlsClientAuth") {
            certificate = ClientCertificateBinding(subjectDN: tls.string("subjectDN") ?? "")
            fields.merge(tls)
        }
        if var selfSigned = fields.optionalObject("selfSignedTLSClientAuth") {
            let thumbprint = selfSigned.string("thumbprintS256") ?? ""
            if certificate != nil {
                certificate?.thumbprintS256 = thumbprint
            } else {
                certificate = ClientCertificateBinding(thumbprintS256: thumbprint)
            }
            fields.merge(selfSigned)
        }
        var errors = fields.finish()
        let resolvedPurpose = purpose.flatMap(ClientPurpose.init(rawValue:))
        if purpose != nil, resolvedPurpose == nil {
            errors.append(FieldError(
                field: "purpose", message: "must be one of " + ClientPurpose.allCases.map(\.rawValue).joined(separator: ", ")))
        }
        if scopes == nil, !errors.contains(where: { $0.field == "scopes" }) {
            errors.append(FieldError(field: "scopes", message: "is required"))
        }
        guard errors.isEmpty, let name, let resolvedPurpose, let scopes else { throw ProblemError.validation(errors) }
        return ClientRegistration(
            name: name, purpose: resolvedPurpose, scopes: scopes, isPublic: isPublic, redirectURIs: redirectURIs ?? [],
            postLogoutRedirectURIs: postLogout ?? [], certificate: certificate, environmentId: environmentId)
    }
}

/// The body of `PATCH /api/applications/{applicationId}/clients/{clientId}`.
enum ClientPatchBody {
    static func read(_ fields: inout ManagementFields) throws -> ClientPatch {
        let patch = ClientPatch(
            name: fields.optionalString("name"), status: fields.optionalEnum("status", OAuthClient.Status.self),
            scopes: fields.optionalStrings("scopes"), redirectURIs: fields.optionalStrings("redirectUris"),
            postLogoutRedirectURIs: fields.optionalStrings("postLogoutRedirectUris"))
        let errors = fields.finish()
        guard errors.isEmpty else { throw ProblemError.validation(errors) }
        try ApplicationsAPI.requireChanges(patch.isEmpty)
        return patch
    }
}

/// The body of `POST …/clients/{clientId}/secrets`: `{"gracePeriodSeconds": n}`, or empty.
enum RotateSecretBody {
    static func read(_ fields: inout ManagementFields) throws -> TimeInterval {
        let grace = fields.optionalInteger("gracePeriodSeconds")
        var errors = fields.finish()
        if let grace, grace < 0 || Double(grace) > ClientRegistry.maxSecretGracePeriod {
            errors.append(FieldError(
                field: "gracePeriodSeconds", message: "must be between 0 and \(Int(ClientRegistry.maxSecretGracePeriod))"))
        }
        guard errors.isEmpty else { throw ProblemError.validation(errors) }
        return TimeInterval(grace ?? 0)
    }
}
