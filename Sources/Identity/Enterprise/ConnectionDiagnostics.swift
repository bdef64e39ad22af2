import Foundation
import Store

/// The readiness checks of a connection (`POST …/connections/{id}/diagnostics`): each
/// finding has a severity, a stable code, what is wrong and how to fix it. Pure over the
/// connection, facts read from the store (`DiagnosticFacts`) and the outcome of fetching
/// the OIDC issuer's metadata (done by the caller, which owns the network), so a missing
/// or broken provider is a finding, never an error of the request.
public enum ConnectionDiagnostics {
    public struct Finding: Codable, Sendable, Equatable {
        public enum Severity: String, Codable, Sendable, CaseIterable {
            case error, warning, info
        }

        public var severity: Severity
        public var code: String
        /// The connection field the finding is about, as the API names it.
        public var field: String?
        public var message: String
        public var fixHint: String?

        public init(_ severity: Severity, _ code: String, field: String? = nil, _ message: String, fix: String? = nil) {
            self.severity = severity
            self.code = code
            self.field = field
            self.message = message
            self.fixHint = fix
        }
    }

    /// What fetching `<issuer>/.well-known/openid-configuration` gave.
    public enum MetadataOutcome: Sendable, Equatable {
        case response(status: Int, body: [UInt8])
        case unreachable(String)
        case timedOut(seconds: Double)
        case tooLarge(limit: Int)
        /// Not fetched on purpose (the address is not one this server may call).
        case refused(String)
    }

    /// What the checks read from the tenant's data.
    public struct DiagnosticFacts: Sendable, Equatable {
        public var organizationExists: Bool
        /// JIT roles that no membership of the tenant holds and that are not built in.
        public var unknownRoles: [String]

        public init(organizationExists: Bool, unknownRoles: [String]) {
            self.organizationExists = organizationExists
            self.unknownRoles = unknownRoles
        }
    }

    public static let expiryWarning: TimeInterval = 30 * 86_400
    public static let oldTokenWarning: TimeInterval = 365 * 86_400
    public static let requiredEndpoints = ["authorization_endpoint", "token_endpoint", "jwks_uri"]
    /// Roles Arbiter's own policies give meaning to, known in every tenant.
    public static let builtInRoles: Set<String> = ["administrator", "member"]

    public static func run(
        _ connection: EnterpriseConnection, facts: DiagnosticFacts, metadata: MetadataOutcome?, now: Date = Date()
    ) -> [Finding] {
        var findings: [Finding] = []
        switch connection.type {
        case .oidc:
            if let oidc = connection.oidc {
                findings += requiredOIDC(oidc)
                if let metadata { findings += issuerMetadata(metadata, settings: oidc) }
            } else {
                findings.append(Finding(.error, "oidc.settings_missing", field: "oidc", "the connection has no OIDC settings", fix: "PATCH oidc with issuer and clientId"))
            }
        case .saml:
            if let saml = connection.saml {
                findings += samlCertificate(saml, now: now)
            } else {
                findings.append(Finding(.error, "saml.settings_missing", field: "saml", "the connection has no SAML settings", fix: "PATCH saml with idpEntityId, ssoUrl and signingCertificate"))
            }
        }
        findings += jit(connection, facts: facts)
        findings += scim(connection, now: now)
        return findings
    }

    static func requiredOIDC(_ oidc: OIDCSettings) -> [Finding] {
        var findings: [Finding] = []
        if oidc.issuer.isEmpty {
            findings.append(Finding(.error, "oidc.issuer_missing", field: "oidc.issuer", "no issuer is configured", fix: "set oidc.issuer to the provider's issuer URL"))
        }
        if oidc.clientId.isEmpty {
            findings.append(Finding(.error, "oidc.client_id_missing", field: "oidc.clientId", "no client id is configured", fix: "set oidc.clientId to the id of the application registered at the provider"))
        }
        if oidc.clientSecretHash == nil {
            findings.append(Finding(
                .warning, "oidc.client_secret_missing", field: "oidc.clientSecret",
                "no client secret is configured; a confidential client needs one",
                fix: "copy the client secret from the provider's application and PATCH oidc.clientSecret"))
        }
        if !["email", "userName"].contains(where: { oidc.claimMappings[$0] != nil }) {
            findings.append(Finding(
                .info, "oidc.claim_mappings_default", field: "oidc.claimMappings",
                "no claim is mapped to userName or email; the standard claims (preferred_username, email) are assumed",
                fix: "map userName or email if the provider names them differently"))
        }
        return findings
    }

    static func issuerMetadata(_ outcome: MetadataOutcome, settings: OIDCSettings) -> [Finding] {
        let field = "oidc.issuer"
        let location = wellKnownURL(issuer: settings.issuer)
        let body: [UInt8]
        switch outcome {
        case .unreachable(let reason):
            return [Finding(
                .error, "oidc.issuer_unreachable", field: field, "\(location) could not be reached: \(reason)",
                fix: "check the issuer URL, DNS and that this server can reach the provider")]
        case .timedOut(let seconds):
            return [Finding(
                .error, "oidc.issuer_timeout", field: field, "\(location) did not answer within \(formatted(seconds)) seconds",
                fix: "check the issuer URL and that this server can reach the provider")]
        case .tooLarge(let limit):
            return [Finding(
                .error, "oidc.metadata_too_large", field: field, "\(location) answered with more than \(limit) bytes",
                fix: "check that the issuer URL is the provider's issuer, not another page")]
        case .refused(let reason):
            return [Finding(.error, "oidc.issuer_not_allowed", field: field, "\(location) was not fetched: \(reason)", fix: "use the provider's public https issuer URL")]
        case .response(let status, let bytes):
            guard status == 200 else {
                return [Finding(
                    .error, "oidc.metadata_http_status", field: field, "\(location) answered HTTP \(status), not 200",
                    fix: "check the issuer URL; for Okta it is https://<org>.okta.com or an authorization server URL, for Entra ID https://login.microsoftonline.com/<tenant>/v2.0")]
            }
            body = bytes
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            return [Finding(
                .error, "oidc.metadata_invalid_json", field: field, "\(location) did not answer with a JSON object",
                fix: "check that the issuer URL is the provider's issuer; its discovery document must be JSON")]
        }
        var findings: [Finding] = []
        let advertised = object["issuer"] as? String
        if advertised != settings.issuer {
            findings.append(Finding(
                .error, "oidc.issuer_mismatch", field: field,
                "the discovery document names issuer \(advertised.map { "'\($0.prefix(300))'" } ?? "(none)"), not '\(settings.issuer)'",
                fix: advertised.map { "set oidc.issuer to exactly '\($0.prefix(300))' (trailing slash included or not)" }
                    ?? "the provider's discovery document must name its issuer"))
        }
        for endpoint in requiredEndpoints where !((object[endpoint] as? String).map { !$0.isEmpty } ?? false) {
            findings.append(Finding(
                .error, "oidc.endpoint_missing", field: field, "the discovery document has no \(endpoint)",
                fix: "the provider must publish \(endpoint); check the issuer URL points at an OpenID Provider"))
        }
        if (object["userinfo_endpoint"] as? String) == nil {
            findings.append(Finding(.info, "oidc.userinfo_missing", field: field, "the discovery document has no userinfo_endpoint", fix: "claims will come from the ID token only"))
        }
        if let supported = object["scopes_supported"] as? [String] {
            let unsupported = settings.scopes.filter { !supported.contains($0) }
            if !unsupported.isEmpty {
                findings.append(Finding(
                    .warning, "oidc.scope_unsupported", field: "oidc.scopes",
                    "the provider does not list \(unsupported.joined(separator: ", ")) in scopes_supported",
                    fix: "remove these scopes or enable them at the provider"))
            }
        }
        if findings.allSatisfy({ $0.severity != .error }) {
            findings.append(Finding(.info, "oidc.metadata_ok", field: field, "\(location) answered a valid discovery document for this issuer"))
        }
        return findings
    }

    static func samlCertificate(_ saml: SAMLSettings, now: Date) -> [Finding] {
        var findings: [Finding] = []
        if saml.idpEntityId.isEmpty {
            findings.append(Finding(.error, "saml.entity_id_missing", field: "saml.idpEntityId", "no IdP entity id is configured", fix: "copy the entity id (issuer) from the IdP's SAML metadata"))
        }
        if saml.ssoUrl.isEmpty {
            findings.append(Finding(.error, "saml.sso_url_missing", field: "saml.ssoUrl", "no SSO URL is configured", fix: "copy the SingleSignOnService URL from the IdP's SAML metadata"))
        }
        let field = "saml.signingCertificate"
        guard let certificate = saml.signingCertificate else {
            findings.append(Finding(
                .error, "saml.certificate_missing", field: field, "no signing certificate is configured; assertions could not be verified",
                fix: "download the IdP's signing certificate (PEM, Base64) and PATCH saml.signingCertificate"))
            return findings
        }
        if now < certificate.notBefore {
            findings.append(Finding(
                .error, "saml.certificate_not_yet_valid", field: field, "the signing certificate is valid only from \(iso(certificate.notBefore))",
                fix: "check the IdP's clock and certificate, or upload the certificate currently in use"))
        } else if now >= certificate.notAfter {
            findings.append(Finding(
                .error, "saml.certificate_expired", field: field, "the signing certificate expired on \(iso(certificate.notAfter))",
                fix: "rotate the signing certificate at the IdP and upload the new one"))
        } else if certificate.notAfter.timeIntervalSince(now) < expiryWarning {
            let days = Int(certificate.notAfter.timeIntervalSince(now) / 86_400)
            findings.append(Finding(
                .warning, "saml.certificate_expires_soon", field: field,
                "the signing certificate expires on \(iso(certificate.notAfter)), in \(days) day\(days == 1 ? "" : "s")",
                fix: "add the IdP's next signing certificate before then and upload it here"))
        } else {
            findings.append(Finding(.info, "saml.certificate_valid", field: field, "the signing certificate is valid until \(iso(certificate.notAfter))"))
        }
        return findings
    }

    static func jit(_ connection: EnterpriseConnection, facts: DiagnosticFacts) -> [Finding] {
        guard let jit = connection.jit else {
            return [Finding(
                connection.scimToken == nil ? .warning : .error, "jit.missing", field: "jit",
                "no just-in-time defaults: provisioned users would join no organization",
                fix: "set jit.organizationId (and jit.roles) to the organization provisioned users join")]
        }
        var findings: [Finding] = []
        if !facts.organizationExists {
            findings.append(Finding(
                .error, "jit.organization_missing", field: "jit.organizationId", "organization '\(jit.organizationId)' no longer exists",
                fix: "set jit.organizationId to an existing organization of your tenant"))
        }
        if jit.roles.isEmpty {
            findings.append(Finding(.info, "jit.roles_empty", field: "jit.roles", "provisioned users get a membership without roles"))
        }
        for role in facts.unknownRoles {
            findings.append(Finding(
                .warning, "jit.role_unknown", field: "jit.roles", "no member of your tenant holds role '\(role)' yet",
                fix: "check the spelling against the roles your policies use"))
        }
        return findings
    }

    static func scim(_ connection: EnterpriseConnection, now: Date) -> [Finding] {
        guard let token = connection.scimToken else {
            return [Finding(
                .warning, "scim.token_missing", field: nil, "no SCIM token has been issued; the provider cannot provision users",
                fix: "POST /api/enterprise/connections/\(connection.id)/scim-token and paste the token into the provider")]
        }
        if now.timeIntervalSince(token.createdAt) > oldTokenWarning {
            return [Finding(
                .warning, "scim.token_old", field: nil, "the SCIM token was issued on \(iso(token.createdAt)), over a year ago",
                fix: "rotate it with POST …/scim-token and update the provider")]
        }
        return [Finding(.info, "scim.token_ready", field: nil, "a SCIM token was issued on \(iso(token.createdAt))")]
    }

    public static func wellKnownURL(issuer: String) -> String {
        (issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer) + "/.well-known/openid-configuration"
    }

    static func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    static func formatted(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}

extension TransactionReading {
    /// The tenant data the diagnostics of `connection` read.
    public func diagnosticFacts(_ connection: EnterpriseConnection, identity: IdentityTables) throws -> ConnectionDiagnostics.DiagnosticFacts {
        guard let jit = connection.jit else { return .init(organizationExists: false, unknownRoles: []) }
        var exists = false
        if !jit.organizationId.isEmpty, jit.organizationId.utf8.count <= 100 {
            exists = try contains(identity.organizations, Key(.string(connection.tenantId), .string(jit.organizationId)))
        }
        var unknown = Set(jit.roles).subtracting(ConnectionDiagnostics.builtInRoles)
        if !unknown.isEmpty {
            try scan(identity.memberships, prefix: Key(.string(connection.tenantId))) { _, value in
                let membership = try StoredJSON.decode(Membership.self, from: value)
                unknown.subtract(membership.roles)
                return !unknown.isEmpty
            }
        }
        return .init(organizationExists: exists, unknownRoles: unknown.sorted())
    }
}
