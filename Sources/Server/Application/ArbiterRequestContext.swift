import Hummingbird
import Identity
import NIOCore

/// What Arbiter's middleware has established about a request, handed to every route.
public struct ArbiterRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The request id echoed in `X-Request-Id` and attached to every log line.
    public var requestId: String = ""
    /// The verified bearer token of the caller (tenant, subject, client id, scopes), set by
    /// `BearerAuthenticator` on the routes that accept one.
    public var accessToken: VerifiedAccessToken?
    /// The TCP peer: the client itself, or the reverse proxy in front of Arbiter.
    public var peerAddress: SocketAddress?
    /// The client certificate presented in this connection's TLS handshake or forwarded by
    /// a trusted proxy, set by `ClientCertificateMiddleware` (RFC 8705).
    public var clientCertificate: ClientCertificate?
    /// DPoP proofs and device-bound tokens (issue 7), for `BearerAuthenticator`; set on every
    /// request by `DeviceBindingMiddleware`.
    var deviceBinding: DeviceBinding?
    /// The connection, for reading its TLS state; nil outside a real server.
    let channel: (any Channel)?

    public init(source: Source) {
        coreContext = .init(source: source)
        channel = source.channel
        peerAddress = source.channel.remoteAddress
    }
}
