import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1.1 child channel with `CheckFastPathHandler` put right after NIO's
/// request decoder. `HTTP1Channel`'s own hook (`additionalChannelHandlers`) places
/// handlers after the codec that turns NIO's HTTP/1 parts into HTTP types, so every
/// answered check would pay for that conversion both ways; here only the requests the
/// router gets do. The rest of the pipeline is `HTTP1Channel`'s, unchanged.
struct CheckFastPathChannel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let base: HTTP1Channel
    let fastPath: CheckFastPath

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(CheckFastPathHandler(fastPath: fastPath), position: .after(decoder))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// Plain HTTP/1.1 with the check fast path.
    static func checkFastPath(_ fastPath: CheckFastPath) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in CheckFastPathChannel(base: HTTP1Channel(responder: responder), fastPath: fastPath) }
    }
}
