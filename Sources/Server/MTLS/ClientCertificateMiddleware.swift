import HTTPTypes
import Hummingbird
import NIOCore
import NIOSSL

/// Puts the client certificate of a request on its context (`clientCertificate`), from one
/// of two places:
/// - a header set by a trusted reverse proxy that terminated TLS (`clientCertificateHeader`,
///   honoured only when the TCP peer is in `trustedProxies`; from anyone else it is
///   ignored and a warning is logged, without its value);
/// - this server's own TLS handshake, when it terminates TLS with a client CA.
struct ClientCertificateMiddleware: RouterMiddleware {
    typealias Context = ArbiterRequestContext

    let header: HTTPField.Name
    let trustedProxies: TrustedProxies
    /// True when this server's own handshakes may carry client certificates.
    let directTLS: Bool
    let clientCA: ClientCAVerifier?

    init(configuration: ServerConfiguration, tls: ServerTLS) {
        // The name was validated with the configuration.
        header = HTTPField.Name(configuration.clientCertificateHeader) ?? HTTPField.Name("X-SSL-Client-Cert")!
        trustedProxies = tls.trustedProxies
        directTLS = tls.context != nil && tls.clientCA != nil
        clientCA = tls.clientCA
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let forwarded = request.headers[header] {
            if trustedProxies.contains(context.peerAddress) {
                context.clientCertificate = await forwardedCertificate(forwarded, context: context)
            } else {
                context.logger.warning("forwarded client certificate header ignored: the peer is not a trusted proxy", metadata: [
                    "header": .string(header.canonicalName), "peer": .string(context.peerAddress?.ipAddress ?? "unknown"),
                ])
            }
        }
        if context.clientCertificate == nil, directTLS, let channel = context.channel,
           let (der, validated) = await Self.peerCertificate(channel) {
            // A resumed TLS session skips the verification callback, so it carries no
            // validated chain: check the leaf against the CA here instead.
            var chained = validated
            if !chained, let clientCA { chained = await clientCA.chains(der: der) }
            context.clientCertificate = ClientCertificate(der: der, chainedToClientCA: chained, source: .tls)
        }
        return try await next(request, context)
    }

    func forwardedCertificate(_ value: String, context: Context) async -> ClientCertificate? {
        // nginx sends an empty value when the client presented no certificate.
        guard !value.isEmpty else { return nil }
        guard let der = ClientCertificate.forwardedDER(value),
              let certificate = ClientCertificate(der: der, chainedToClientCA: false, source: .forwarded)
        else {
            context.logger.warning("forwarded client certificate header from a trusted proxy is not a certificate", metadata: [
                "header": .string(header.canonicalName),
            ])
            return nil
        }
        var checked = certificate
        // The proxy may have verified it too, but chaining to our CA is checked here.
        if let clientCA { checked.chainedToClientCA = await clientCA.chains(der: der) }
        return checked
    }

    /// The DER bytes of the peer's certificate on this connection and whether the handshake
    /// validated it against the client CA; nil when there is none (or no TLS handler).
    static func peerCertificate(_ channel: any Channel) async -> ([UInt8], Bool)? {
        let result = try? await channel.eventLoop.submit { () throws -> ([UInt8], Bool)? in
            let pipeline = channel.pipeline.syncOperations
            guard let certificate = try pipeline.nioSSL_peerCertificate() else { return nil }
            return (try certificate.toDERBytes(), try pipeline.nioSSL_peerValidatedCertificateChain() != nil)
        }.get()
        return result ?? nil
    }
}
