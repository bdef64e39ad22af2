import Foundation
import NIOCore
import NIOSSL
import X509

/// Checks client certificates against the configured client CA (`--client-ca`), with
/// swift-certificates' RFC 5280 path validation (signatures, validity period, basic
/// constraints, name constraints).
///
/// It also decides the TLS handshake: any client certificate is accepted, because a
/// self-signed one is legitimate for `self_signed_tls_client_auth` and the handshake has
/// proved its key either way; whether it chained to the CA is recorded as the validated
/// chain (`NIOSSLHandler.peerValidatedCertificateChain`), which `tls_client_auth` needs.
public struct ClientCAVerifier: Sendable {
    let roots: [Certificate]
    /// The same roots for the TLS context, whose names the server sends in its
    /// CertificateRequest so clients pick a matching certificate.
    let nioRoots: [NIOSSLCertificate]

    /// Reads a PEM file of one or more CA certificates.
    public init(pemFile path: String) throws(ConfigurationError) {
        let pem: String
        do {
            pem = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError("cannot read client CA file \(path): \(error.localizedDescription)")
        }
        do {
            nioRoots = try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8))
            roots = try nioRoots.map { try Certificate(derEncoded: $0.toDERBytes()) }
        } catch {
            throw ConfigurationError("client CA file \(path) is not a PEM certificate bundle: \(error)")
        }
        guard !roots.isEmpty else {
            throw ConfigurationError("client CA file \(path) holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
        }
    }

    init(roots: [Certificate]) {
        self.roots = roots
        nioRoots = []
    }

    /// The validated chain (leaf first, a root of the client CA last), or nil when the
    /// leaf does not chain to the CA through the given intermediates.
    func validatedChain(leaf: Certificate, intermediates: [Certificate]) async -> [Certificate]? {
        var verifier = Verifier(rootCertificates: CertificateStore(roots)) { RFC5280Policy() }
        switch await verifier.validate(leaf: leaf, intermediates: CertificateStore(intermediates)) {
        case .validCertificate(let chain): return Array(chain)
        case .couldNotValidate: return nil
        }
    }

    func chains(der: [UInt8]) async -> Bool {
        guard let leaf = try? Certificate(derEncoded: der) else { return false }
        return await validatedChain(leaf: leaf, intermediates: []) != nil
    }

    /// The TLS handshake's verdict on the certificates a client presented (leaf first).
    func handshakeResult(_ presented: [NIOSSLCertificate]) async -> NIOSSLVerificationResultWithMetadata {
        guard let parsed = try? presented.map({ try Certificate(derEncoded: $0.toDERBytes()) }), let leaf = parsed.first else {
            return .failed
        }
        // The chain is made of presented certificates and CA roots: map each back to its
        // NIOSSL twin rather than re-encoding.
        var twins: [Certificate: NIOSSLCertificate] = [:]
        for (certificate, nio) in zip(parsed, presented) { twins[certificate] = nio }
        for (certificate, nio) in zip(roots, nioRoots) { twins[certificate] = nio }
        guard let chain = await validatedChain(leaf: leaf, intermediates: Array(parsed.dropFirst())) else {
            // Not from the CA (self-signed, or another issuer): still accepted, unvalidated.
            return .certificateVerified(VerificationMetadata(nil))
        }
        let nioChain = chain.compactMap { twins[$0] }
        guard nioChain.count == chain.count, !nioChain.isEmpty else { return .certificateVerified(VerificationMetadata(nil)) }
        return .certificateVerified(VerificationMetadata(NIOSSL.ValidatedCertificateChain(nioChain)))
    }
}
