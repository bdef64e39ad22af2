import Identity

extension ClientAuthenticator {
    /// RFC 8705 §2: a client registered for `tls_client_auth` (subject DN, certificate from
    /// the client CA) or `self_signed_tls_client_auth` (thumbprint) names itself with
    /// `client_id` and proves itself with the certificate of this request. Nil when the
    /// client is not such a client or the certificate does not match; the caller then
    /// answers `invalid_client` without saying which.
    func mtlsClient(_ form: FormBody, tenantId: String?, certificate: ClientCertificate?) throws -> Authenticated? {
        guard let id = form["client_id"], let client = try clients.client(id: id),
              tenantId == nil || client.tenantId == tenantId,
              let binding = client.certificate,
              let method = client.authMethods.first(where: { $0 == .tlsClientAuth || $0 == .selfSignedTLSClientAuth })
        else { return nil }
        guard let certificate, ClientCertificateMatch.matches(binding, certificate) else { return nil }
        return Authenticated(client: client, method: method)
    }
}
