import NIOCore
import NIOHTTP1

/// A channel handler right after NIO's HTTP/1 request decoder, before Hummingbird turns
/// the parts into HTTP types (one per connection, `CheckFastPathChannel`), that answers
/// check requests itself (`CheckFastPath`) and passes every other request through
/// unchanged. Sitting before that conversion, an answered request never pays for it
/// either way (a request head into `HTTPFields`, the response head back: ≈6% of a
/// check's server CPU in profiles).
///
/// Responses stay in request order on a keep-alive connection: a request is answered here
/// only when no request handed to the router is still waiting for its response (the
/// router's responses pass back through this handler, which counts their ends); while one
/// is, every request goes to the router after it. A candidate's head and body are held
/// until its end arrives (at most its route's body limit; a longer body is passed on as it comes)
/// and, when the fast path declines, handed on whole. Answers written here are flushed
/// after the event loop has read every connection ready with this one, so pipelined
/// requests share one write, and the writes of one loop tick go out back to back.
final class CheckFastPathHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        /// Between requests.
        case idle
        /// A candidate's head and body so far, held back from the router.
        case holding(HTTPRequestHead, ByteBuffer?)
        /// The current request goes to the router, part by part, until its end.
        case passing
    }

    private let fastPath: CheckFastPath
    private var state = State.idle
    /// Requests handed to the router whose response has not been written to its end.
    private var routerPending = 0
    /// Whether answers written here wait for the flush at the end of the loop's tick.
    private var flushScheduled = false
    /// Whether a request part went on to the router since the last read burst ended.
    private var forwarded = false
    /// Set when the server shuts down or the router was handed a request asking to close
    /// the connection: from then on every request goes to the router, which ends it.
    private var routerOnly = false
    private var peer: SocketAddress?
    private var date = HTTPDate()
    private var tokens = ConnectionToken()
    private var contexts = ServerContextCache()
    private var requestIds = RequestIDSequence()

    init(fastPath: CheckFastPath) {
        self.fastPath = fastPath
    }

    func handlerAdded(context: ChannelHandlerContext) {
        peer = context.channel.remoteAddress
    }

    func channelActive(context: ChannelHandlerContext) {
        peer = context.channel.remoteAddress
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch (state, part) {
        case (.idle, .head(let head)):
            if routerPending == 0, !routerOnly, fastPath.isCandidate(head) {
                state = .holding(head, nil)
            } else {
                if head.headers["connection"].contains(where: { $0.lowercased().contains("close") }) { routerOnly = true }
                state = .passing
                routerPending += 1
                forward(data, context: context)
            }
        case (.holding(let head, let held), .body(let chunk)):
            if (held?.readableBytes ?? 0) + chunk.readableBytes > fastPath.maxBodyBytes(head) {
                release(head, held, context: context)
                state = .passing
                forward(data, context: context)
            } else if var held {
                held.writeImmutableBuffer(chunk)
                state = .holding(head, held)
            } else {
                state = .holding(head, chunk)
            }
        case (.holding(let head, let held), .end(let trailers)):
            state = .idle
            if trailers == nil, let (response, body) = fastPath.answer(
                head, body: held, peer: peer, date: date.now(), tokens: &tokens, contexts: &contexts, requestIds: &requestIds,
                allocator: context.channel.allocator) {
                // Through NIO's response encoder, never past it: the request decoder tells it
                // each request's method, and it pairs every response head with the next one
                // (a HEAD or CONNECT answer must go without a body). A response written past
                // it left a method behind, so a later HEAD would have been answered with a
                // body, and the queue grew with every answer.
                context.write(wrapOutboundOut(.head(response)), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
                context.write(wrapOutboundOut(.end(nil)), promise: nil)
                scheduleFlush(context: context)
            } else {
                release(head, held, context: context)
                forward(data, context: context)
            }
        case (.passing, .end):
            state = .idle
            forward(data, context: context)
        default:
            // The router's request continues, or parts out of order: Hummingbird's
            // handling decides, as without this handler.
            forward(data, context: context)
        }
    }

    /// Hands a held request's head and body to the router.
    private func release(_ head: HTTPRequestHead, _ held: ByteBuffer?, context: ChannelHandlerContext) {
        routerPending += 1
        forward(wrapInboundOut(.head(head)), context: context)
        if let held { forward(wrapInboundOut(.body(held)), context: context) }
    }

    private func forward(_ data: NIOAny, context: ChannelHandlerContext) {
        forwarded = true
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // A burst answered here whole leaves nothing for the handlers after this one: the
        // end of the burst would only travel through them to Hummingbird's async channel
        // handler, which delivers the reads it buffered (none). ≈2% of a check's server
        // CPU in profiles, against ≈0.5% for raw NIO's single handler.
        if forwarded {
            forwarded = false
            context.fireChannelReadComplete()
        }
    }

    /// Flushes the answers once the event loop has read every connection that was ready
    /// with this one (its tasks run after that), once per tick: each flush is a socket
    /// write that wakes the client's thread, and writes back to back find a client already
    /// awake. At 64 connections that raised checks per second by about a quarter
    /// (BENCHMARKS.md, "Answers flushed at the end of the event loop's tick").
    private func scheduleFlush(context: ChannelHandlerContext) {
        guard !flushScheduled else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute {
            guard self.flushScheduled else { return }  // a close flushed already
            self.flushScheduled = false
            context.flush()
        }
    }

    /// A close in the same tick, before the deferred flush, would fail the answers written
    /// but not yet flushed: Hummingbird's connection-state handler closes a connection it
    /// sees idle when the server quiesces, and it never sees the requests answered here.
    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if flushScheduled {
            flushScheduled = false
            context.flush()
        }
        context.close(mode: mode, promise: promise)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), routerPending > 0 { routerPending -= 1 }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            // Shutting down: from now on the router handles (and finishes) every request,
            // including one held here half-read.
            routerOnly = true
            if case .holding(let head, let held) = state {
                release(head, held, context: context)
                state = .passing
            }
        }
        context.fireUserInboundEventTriggered(event)
    }
}
