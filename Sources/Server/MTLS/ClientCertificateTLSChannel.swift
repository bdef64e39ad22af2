import HummingbirdCore
import Logging
import NIOCore
import NIOSSL

/// HummingbirdTLS's `TLSChannel`, with the one thing it lacks: a verification callback
/// that reports the validated chain (`customVerificationCallbackWithMetadata`), so a
/// handler can tell a CA-issued client certificate from a self-signed one afterwards.
struct ClientCertificateTLSChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let context: NIOSSLContext
    let clientCA: ClientCAVerifier?

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let handler: NIOSSLServerHandler
            if let clientCA {
                handler = NIOSSLServerHandler(context: context, configuration: .init(), customVerificationCallbackWithMetadata: { certificates, promise in
                    promise.completeWithTask { await clientCA.handshakeResult(certificates) }
                })
            } else {
                handler = NIOSSLServerHandler(context: context, configuration: .init())
            }
            try channel.pipeline.syncOperations.addHandler(handler)
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension ServerTLS {
    /// HTTP/1.1 over TLS when the server terminates TLS, plain HTTP/1.1 otherwise.
    var serverBuilder: HTTPServerBuilder {
        guard let context else { return .http1() }
        let clientCA = self.clientCA
        return HTTPServerBuilder { responder in
            ClientCertificateTLSChannel(base: HTTP1Channel(responder: responder), context: context, clientCA: clientCA)
        }
    }
}
