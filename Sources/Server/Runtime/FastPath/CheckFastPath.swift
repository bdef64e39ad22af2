import Evaluator
import Foundation
import HTTPTypes
import NIOHTTP1
import Hummingbird
import Identity
import Logging
import NIOCore
import Store
import Synchronization

/// Answers `POST /api/runtime/authorization/check` and `…/check-batch` synchronously, on the event loop that
/// read it, without Hummingbird's router, middleware chain, task switches or async
/// response writer (`CheckFastPathHandler` calls it with a whole buffered request). It
/// answers only the common case — a bearer token already verified once (the verifier's
/// cache, or the connection's last token while the verifier says its finding holds; its
/// revocation, client status and session are checked as on every request), a
/// well-formed body, a decision — and declines (nil) everything else: the
/// handler then passes the request to the router unchanged, which answers it as always
/// (401, 4xx problems, 409, `explain`, device-bound, DPoP- or certificate-bound tokens, a
/// forwarded client certificate, a token not yet in the cache).
///
/// The answer is the route's own (`CheckRoutes.answer`, `answerBatch`); around it this does what the
/// router's middleware does for that route: the request id (`RequestIDMiddleware`), the
/// request metrics (`MetricsMiddleware`), the access-log line (`AccessLogMiddleware`) and
/// the `Date` and `Server` headers Hummingbird adds.
///
/// A class holding only what a check needs: copying `ArbiterApplication.Services` (dozens
/// of references, each retained and released) on every request showed in profiles.
final class CheckFastPath: Sendable {
    let verifier: AccessTokenVerifier
    let runtime: RuntimeAuthorizer
    let metrics: ArbiterMetrics
    let trustedProxies: TrustedProxies
    let logger: Logger
    /// The logger's handler when it is `arbiter serve`'s: the access line then goes to it
    /// directly, as the same bytes.
    let bufferedLog: BufferedLogHandler?
    /// Whether access lines are written (`arbiter serve` sets the level once, at start).
    let logsAccess: Bool
    /// The `Server` header (`Application` configuration's `serverName`).
    let serverName: String?
    /// The header a trusted proxy forwards client certificates in: such a request goes to
    /// the router, whose `ClientCertificateMiddleware` reads (or refuses) it.
    let clientCertificateHeader: String
    /// The body limits of the routes (as `CheckRoutes` computes them); a longer body goes
    /// to the router (413).
    let maxCheckBodyBytes: Int
    let maxBatchBodyBytes: Int

    /// Requests answered here, in this process (tests tell the two paths apart with it).
    static let answered = Atomic<Int>(0)

    static let path = "/api/runtime/authorization/check"
    static let batchPath = "/api/runtime/authorization/check-batch"
    static let environmentSwitch = "ARBITER_CHECK_FAST_PATH"

    /// On unless `ARBITER_CHECK_FAST_PATH=0`.
    static var enabledByEnvironment: Bool { ProcessInfo.processInfo.environment[environmentSwitch] != "0" }

    init(services: ArbiterApplication.Services, configuration: ServerConfiguration, logger: Logger, serverName: String?) {
        verifier = services.tokenVerifier
        runtime = services.runtime
        metrics = services.metrics
        trustedProxies = services.tls.trustedProxies
        self.logger = logger
        bufferedLog = logger.handler as? BufferedLogHandler
        logsAccess = logger.logLevel <= .info
        self.serverName = serverName
        clientCertificateHeader = (HTTPField.Name(configuration.clientCertificateHeader) ?? HTTPField.Name("X-SSL-Client-Cert")!).rawName
        maxCheckBodyBytes = min(configuration.maxBodyBytes, CheckRoutes.maxCheckBodyBytes)
        maxBatchBodyBytes = min(max(configuration.maxBodyBytes, CheckRoutes.maxCheckBodyBytes), CheckRoutes.maxBatchBodyBytes)
    }

    /// Whether a request head may be answered here once its body is in: a check route over
    /// HTTP/1.1, nothing that changes how the connection or the request is handled.
    func isCandidate(_ head: HTTPRequestHead) -> Bool {
        guard head.method == .POST, head.version == .http1_1, head.uri == Self.path || head.uri == Self.batchPath else { return false }
        let fields = head.headers
        let connection = fields["connection"]
        if connection.count > 1 || connection.first.map({ $0.lowercased() != "keep-alive" }) == true { return false }
        return !fields.contains(name: "expect") && !fields.contains(name: clientCertificateHeader)
    }

    /// The most body bytes held for a candidate (its route's limit).
    func maxBodyBytes(_ head: HTTPRequestHead) -> Int {
        head.uri == Self.batchPath ? maxBatchBodyBytes : maxCheckBodyBytes
    }

    /// The request fields the answer reads, found in one pass over the fields (a lookup
    /// per name is a pass per name, and showed in profiles); nil, so the router answers,
    /// when one of them comes more than once (HTTP types would join the values; the
    /// router does, and answers as it always has).
    static func headers(_ fields: HTTPHeaders) -> (authorization: String?, contentType: String?, requestId: String?)? {
        var found: (authorization: String?, contentType: String?, requestId: String?) = (nil, nil, nil)
        for (name, value) in fields {
            if Self.named(name, "authorization") {
                guard found.authorization == nil else { return nil }
                found.authorization = value
            } else if Self.named(name, "content-type") {
                guard found.contentType == nil else { return nil }
                found.contentType = value
            } else if Self.named(name, "x-request-id") {
                guard found.requestId == nil else { return nil }
                found.requestId = value
            }
        }
        return found
    }

    /// Whether a field name is `lowercased` (given in lowercase ASCII), in any case.
    @inline(__always)
    static func named(_ name: String, _ lowercased: StaticString) -> Bool {
        var name = name
        return name.withUTF8 { bytes in
            guard bytes.count == lowercased.utf8CodeUnitCount else { return false }
            let expected = lowercased.utf8Start
            // `| 0x20` lowercases ASCII letters. The names asked for hold only letters and
            // '-', onto which no other byte allowed in a field name folds.
            for index in 0..<bytes.count where bytes[index] | 0x20 != expected[index] { return false }
            return true
        }
    }

    /// The response to a buffered check request, or nil to hand it to the router.
    /// `tokens`, `contexts` and `requestIds` are the connection's: its last bearer token
    /// with what the verifier found, and the server-filled `context` of its last check,
    /// each reused while it cannot differ, and its request ids.
    func answer(
        _ head: HTTPRequestHead, body: ByteBuffer?, peer: SocketAddress?, date: String, tokens: inout ConnectionToken,
        contexts: inout ServerContextCache, requestIds: inout RequestIDSequence, allocator: ByteBufferAllocator
    ) -> (HTTPResponseHead, ByteBuffer)? {
        let start = ContinuousClock.now
        let fields = head.headers
        guard let read = Self.headers(fields),
              let authorization = read.authorization,
              let (token, finding) = tokens.verified(authorization, verifier: verifier)
        else { return nil }
        let verified = finding.verified
        // Bound tokens need the router's checks (RFC 8705, RFC 9449, device trust).
        guard verified.claims.cnf == nil, !verified.claims.isDeviceBound else { return nil }
        if let type = read.contentType, !RequestBody.isJSON(type) { return nil }
        let batch = head.uri == Self.batchPath
        guard let body, body.readableBytes > 0, body.readableBytes <= (batch ? maxBatchBodyBytes : maxCheckBodyBytes) else { return nil }
        let caller = RuntimeCaller(token: verified)
        let (runtime, metrics, trustedProxies) = (self.runtime, self.metrics, self.trustedProxies)
        func serverContext() -> ServerContext {
            contexts.context(
                token: token, verified: verified, peer: peer, forwardedFor: { Self.joined(fields[ServerContext.forwardedForHeader.rawName]) },
                trustedProxies: trustedProxies, device: runtime.device)
        }
        let answer: RuntimeJSONWriter??
        if !batch, let plain = body.withUnsafeReadableBytes(PlainCheckBody.read) {
            answer = try? CheckRoutes.answer(plain, caller: caller, runtime: runtime, metrics: metrics, serverContext: serverContext)
        } else {
            guard let json = try? body.withUnsafeReadableBytes({ try JSON.runtimeBody($0.assumingMemoryBound(to: UInt8.self)) }),
                  Self.revisionReached(json, tenant: caller.tenantId, runtime: runtime)
            else { return nil }
            answer = batch
                ? try? CheckRoutes.answerBatch(
                    json, caller: caller, runtime: runtime, metrics: metrics, accept: { !$0.contains(where: \.explain) },
                    serverContext: serverContext)
                : try? CheckRoutes.answer(
                    json, caller: caller, runtime: runtime, metrics: metrics, accept: { !$0.explain }, serverContext: serverContext)
        }
        guard let writer = answer ?? nil else { return nil }

        let incoming = read.requestId
        let requestId = incoming.flatMap(RequestIDMiddleware.isAcceptable) == true ? incoming! : requestIds.next()
        let response = response(body: writer.bytes, requestId: requestId, date: date, allocator: allocator)

        Self.answered.add(1, ordering: .relaxed)
        metrics.request(family: .authorization, status: 200, nanoseconds: ArbiterMetrics.nanoseconds(since: start))
        if logsAccess {
            let elapsed = ContinuousClock.now - start
            let line = AccessLine(
                microseconds: elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000,
                hbRequestID: LogRequestID.next(), path: batch ? Self.batchPath : Self.path, requestId: requestId)
            if let bufferedLog {
                bufferedLog.log(access: line, source: Self.logSource)
            } else {
                var metadata = Logger.Metadata()
                for field in line.fields { metadata[field.key] = .string(field.value) }
                logger.info("\(AccessLine.message)", metadata: metadata)
            }
        }
        return response
    }

    /// Whether a body's `atLeastRevision`, if any, is reached. A revision not reached yet is
    /// the router's 409, so it is declined here before anything is decided: otherwise the
    /// attempt here and the router's would both be timed in the evaluation histogram.
    /// Revisions only grow, so one reached now is reached at the decision's snapshot too;
    /// an unreadable token is the route's 400, thrown before it decides.
    static func revisionReached(_ json: JSON, tenant: String, runtime: RuntimeAuthorizer) -> Bool {
        guard case .object(let members) = json,
              let requested = members.first(where: { $0.key == "atLeastRevision" }),
              case .string(let text) = requested.value, let revision = RevisionToken.decode(text)
        else { return true }
        return (try? runtime.withSnapshot(tenant: tenant, atLeast: revision) { _ in true }) == true
    }

    /// A 200 answer's head and body: the fields the router's answer has, in its order,
    /// named as it spells them.
    func response(body: [UInt8], requestId: String, date: String, allocator: ByteBufferAllocator) -> (HTTPResponseHead, ByteBuffer) {
        var headers = HTTPHeaders()
        headers.reserveCapacity(5)
        headers.add(name: HTTPField.Name.contentType.rawName, value: "application/json")
        headers.add(name: HTTPField.Name.contentLength.rawName, value: String(body.count))
        headers.add(name: RequestIDMiddleware.header.rawName, value: requestId)
        headers.add(name: HTTPField.Name.date.rawName, value: date)
        if let serverName { headers.add(name: HTTPField.Name.server.rawName, value: serverName) }
        return (HTTPResponseHead(version: .http1_1, status: .ok, headers: headers), allocator.buffer(bytes: body))
    }

    /// The `[source]` of the line in the text format: this module, as `Logger.info` gives it.
    static let logSource = String(#fileID.prefix { $0 != "/" })

    /// A field's values as HTTP types would give them: joined by ", "; nil when absent.
    static func joined(_ values: [String]) -> String? {
        values.isEmpty ? nil : values.joined(separator: ", ")
    }
}
