import Foundation
import NIOSSL

/// The TLS side of `arbiter serve`, loaded once at start from the configured PEM files;
/// any unreadable or mismatched file stops the start with a `ConfigurationError`.
public struct ServerTLS: Sendable {
    /// The listener's TLS context, when the server terminates TLS itself (`--tls-cert`,
    /// `--tls-key`); nil when it speaks plain HTTP (for instance behind a proxy).
    let context: NIOSSLContext?
    /// The client CA (`--client-ca`): with TLS, client certificates are requested (not
    /// required) and checked against it; forwarded certificates are checked against it too.
    let clientCA: ClientCAVerifier?
    /// Proxies whose forwarded certificate header is believed.
    let trustedProxies: TrustedProxies

    public init(configuration: ServerConfiguration) throws(ConfigurationError) {
        trustedProxies = try TrustedProxies(configuration.trustedProxies)
        clientCA = try configuration.clientCAFile.map { path throws(ConfigurationError) in try ClientCAVerifier(pemFile: path) }
        guard let certificateFile = configuration.tlsCertificateFile, let keyFile = configuration.tlsKeyFile else {
            context = nil
            return
        }
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificateFile)
        } catch {
            throw ConfigurationError("cannot load TLS certificate \(certificateFile) (a PEM certificate chain is expected): \(error)")
        }
        guard !chain.isEmpty else { throw ConfigurationError("TLS certificate file \(certificateFile) holds no PEM certificate") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
        } catch {
            throw ConfigurationError("cannot load TLS private key \(keyFile) (an unencrypted PEM key is expected): \(error)")
        }
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        tls.minimumTLSVersion = .tlsv12
        if let clientCA {
            // Ask for a client certificate without requiring one: browsers and plain HTTPS
            // clients still reach every other route. The verification callback decides.
            tls.certificateVerification = .optionalVerification
            tls.trustRoots = .certificates(clientCA.nioRoots)
        }
        do {
            context = try NIOSSLContext(configuration: tls)
        } catch {
            throw ConfigurationError("TLS certificate \(certificateFile) and key \(keyFile) do not make a TLS context (does the key belong to the certificate?): \(error)")
        }
    }
}
