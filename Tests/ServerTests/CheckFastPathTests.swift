import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Store
import Testing
import TestSupport
@testable import Server
#if canImport(Glibc)
import Glibc
#endif

/// The check fast path (`CheckFastPathHandler`) must answer exactly as the router does:
/// the same requests through a live server with the fast path on and off give the same
/// status, body and headers, and responses keep their order on a keep-alive connection
/// when some requests are answered by the router and some on the event loop.
@Suite struct CheckFastPathTests {
    struct Case {
        var name: String
        var token: String?
        var body: [UInt8]
        var headers: HTTPFields = [:]
        var path = CheckFastPath.path
    }

    struct Answer: Equatable {
        var status: Int
        var body: String
        var headers: [String: String]
    }

    static let compared: [HTTPField.Name] = [
        .contentType, .contentLength, .wwwAuthenticate, RequestIDMiddleware.header, .server,
    ]

    /// Every case, run through a live server; headers that differ per request by design
    /// (`Date`, a generated request id) are checked for presence only.
    static func run(_ cases: [Case], app: some ApplicationProtocol) async throws -> [Answer] {
        try await app.test(.live) { client in
            var answers: [Answer] = []
            for item in cases {
                var headers = item.headers
                if let token = item.token { headers[.authorization] = "Bearer \(token)" }
                if headers[.contentType] == nil { headers[.contentType] = "application/json" }
                let response = try await client.execute(
                    uri: item.path, method: .post, headers: headers, body: ByteBuffer(bytes: item.body))
                #expect(response.headers[.date] != nil, "\(item.name)")
                #expect(response.headers[RequestIDMiddleware.header] != nil, "\(item.name)")
                var compared: [String: String] = [:]
                for name in Self.compared {
                    // A generated id (none sent, or none acceptable) differs per request by design.
                    if name == RequestIDMiddleware.header, item.headers[name].map(RequestIDMiddleware.isAcceptable) != true { continue }
                    if let value = response.headers[name] { compared[name.canonicalName] = value }
                }
                answers.append(Answer(status: Int(response.status.code), body: String(buffer: response.body), headers: compared))
            }
            return answers
        }
    }

    /// A field sent twice (the fast path leaves such requests to the router).
    static func twice(_ name: HTTPField.Name, _ first: String, _ second: String) -> HTTPFields {
        var fields = HTTPFields()
        fields.append(HTTPField(name: name, value: first))
        fields.append(HTTPField(name: name, value: second))
        return fields
    }

    /// An application for the fixture with the check fast path on, logging warnings only.
    static func fastPathApp(_ f: RuntimeFixture) -> some ApplicationProtocol {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return ArbiterApplication.make(services: f.services, configuration: f.m.app.configuration, logger: logger, checkFastPath: true)
    }

    /// A check request for `read` on `doc-1` as it goes on the wire, with `X-Request-Id`
    /// when `id` is given.
    static func wireCheck(token: String, id: String? = nil) -> String {
        let json = String(decoding: json(["action": "read", "resource": ["type": "Document", "id": "doc-1"]]), as: UTF8.self)
        return "POST \(CheckFastPath.path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n"
            + "Content-Type: application/json\r\n\(id.map { "X-Request-Id: \($0)\r\n" } ?? "")"
            + "Content-Length: \(json.utf8.count)\r\n\r\n\(json)"
    }

    /// Tenant `acme` with its policies active and an administrator token already in the
    /// verifier's cache (the fast path only answers cached tokens).
    static func acmeWithCachedAdminToken() async throws -> (RuntimeFixture, String) {
        let f = try await RuntimeFixture()
        try await f.activate("acme")
        let admin = try await f.m.adminToken()
        _ = try await f.services.tokenVerifier.verify(admin)
        return (f, admin)
    }

    @Test func theFieldsAnAnswerReadsAreFoundInOnePass() {
        // Names in any case, as HTTP/1.1 allows.
        let fields = HTTPHeaders([("User-Agent", "x"), ("AUTHORIZATION", "Bearer t"), ("accept", "*/*"), ("X-REQUEST-ID", "r-1")])
        let found = CheckFastPath.headers(fields)
        #expect(found?.authorization == "Bearer t" && found?.requestId == "r-1" && found?.contentType == nil)
        for name in ["authorization", "Content-Type", "x-Request-Id"] {
            var twice = fields
            twice.add(name: name, value: "a")
            twice.add(name: name, value: "b")
            #expect(CheckFastPath.headers(twice) == nil, "\(name)")
        }
        // Same length, one letter off; and a prefix.
        #expect(CheckFastPath.headers(HTTPHeaders([("Authorizatiom", "Bearer t"), ("X-Request", "r")]))?.authorization == nil)
        #expect(CheckFastPath.named("Content-Type", "content-type") && !CheckFastPath.named("Content-Typ", "content-type"))
        #expect(!CheckFastPath.named("Content_Type", "content-type"))
    }

    /// Which request heads the fast path holds for itself: a check route over HTTP/1.1
    /// and nothing that changes how the request or the connection is handled.
    @Test func candidatesAreCheckRoutesOverHTTP11Only() async throws {
        let f = try await RuntimeFixture()
        let fastPath = CheckFastPath(services: f.services, configuration: f.m.app.configuration, logger: Logger(label: "test"), serverName: "arbiter")
        func head(_ method: HTTPMethod = .POST, _ uri: String = CheckFastPath.path, version: HTTPVersion = .http1_1,
                  _ fields: [(String, String)] = []) -> HTTPRequestHead {
            HTTPRequestHead(version: version, method: method, uri: uri, headers: HTTPHeaders([("Host", "x")] + fields))
        }
        #expect(fastPath.isCandidate(head()))
        #expect(fastPath.isCandidate(head(.POST, CheckFastPath.batchPath)))
        #expect(fastPath.isCandidate(head(.POST, CheckFastPath.path, [("Connection", "Keep-Alive")])))
        #expect(!fastPath.isCandidate(head(version: .http1_0)), "HTTP/1.0 goes to the router")
        #expect(!fastPath.isCandidate(head(.GET)))
        #expect(!fastPath.isCandidate(head(.POST, CheckFastPath.path + "?x=1")))
        #expect(!fastPath.isCandidate(head(.POST, "http://x" + CheckFastPath.path)))
        #expect(!fastPath.isCandidate(head(.POST, CheckFastPath.path, [("connection", "close")])))
        #expect(!fastPath.isCandidate(head(.POST, CheckFastPath.path, [("Connection", "keep-alive"), ("Connection", "keep-alive")])))
        #expect(!fastPath.isCandidate(head(.POST, CheckFastPath.path, [("Expect", "100-continue")])))
        #expect(!fastPath.isCandidate(head(.POST, CheckFastPath.path, [("x-ssl-client-cert", "abc")])))
    }

    /// The connection's kept token is reused only for the very same Authorization value.
    @Test func connectionTokensCompareWholeValues() {
        let token = "Bearer " + String(repeating: "a", count: 600)
        #expect(ConnectionToken.same(token, String(token.utf8.map { Character(UnicodeScalar($0)) })))
        #expect(!ConnectionToken.same(token, String(token.dropLast()) + "b"))
        #expect(!ConnectionToken.same(token, String(token.dropLast())))
        #expect(!ConnectionToken.same(token, ""))
        #expect(ConnectionToken.same("", ""))
    }

    /// `hb.request.id` on the fast path's lines has the shape of Hummingbird's own.
    @Test func logRequestIdsAreShapedAsHummingbirds() {
        let theirs = RequestID().description
        #expect(LogRequestID.format(0x0123_4567_89ab_cdef) == String(theirs.dropLast(16)) + "0123456789abcdef")
        #expect(LogRequestID.format(1).hasSuffix("000000000000001") && LogRequestID.format(1).count == theirs.count)
        #expect(LogRequestID.next() != LogRequestID.next())
    }

    @Test func requestIdsOfAConnectionAreDistinctAndShapedAsEverywhere() {
        var first = RequestIDSequence()
        var second = RequestIDSequence()
        var seen = Set<String>()
        for _ in 0..<10_000 {
            seen.insert(first.next())
            seen.insert(second.next())
        }
        #expect(seen.count == 20_000)
        let one = first.next()
        #expect(one.hasPrefix("req_") && one.utf8.count == RandomID.make(prefix: "req").utf8.count)
        #expect(RequestIDMiddleware.isAcceptable(one))
    }

    static func json(_ object: [String: Any]) -> [UInt8] {
        Array(try! JSONSerialization.data(withJSONObject: object))
    }

    @Test func theFastPathAnswersExactlyAsTheRouter() async throws {
        let f = try await RuntimeFixture()
        try await f.activate("acme")
        let admin = try await f.m.adminToken()
        let checker = try await f.checkerToken()
        let plain = try await f.m.clientToken("acme", scopes: ["tenant_context"])
        let revoked = try await f.m.clientToken("acme", scopes: ["arbiter.runtime.check"])
        let disabled = try await f.m.clientToken("acme", scopes: ["arbiter.runtime.check"])
        let verifier = f.services.tokenVerifier
        // Every token verified once (in the cache, as after a first request), then one
        // revoked and one client disabled: the fast path meets them cached and must decline.
        for token in [admin, checker, plain, revoked, disabled] { _ = try await verifier.verify(token) }
        let revokedClaims = try await verifier.verify(revoked).claims
        try await f.services.accessTokenRevocations.revoke(revokedClaims, tenantId: f.acme, actor: "test")
        let disabledClient = try await verifier.verify(disabled).clientId
        try await f.services.clients.setStatus(tenantId: f.acme, clientId: disabledClient, .disabled, actor: "test")
        // A well-formed token that was never verified (not in the cache).
        let fresh = try await f.checkerToken()

        let doc1: [String: Any] = ["type": "Document", "id": "doc-1"]
        let allow = Self.json(["action": "read", "resource": doc1])
        let cases: [Case] = [
            Case(name: "allow", token: admin, body: allow, headers: [RequestIDMiddleware.header: "trace-1"]),
            Case(name: "allow, generated request id", token: admin, body: allow),
            Case(name: "deny with reason", token: admin, body: Self.json(["action": "read", "resource": ["type": "Document", "id": "doc-secret"]])),
            Case(name: "deny, unknown action", token: admin, body: Self.json(["action": "shred", "resource": doc1])),
            Case(name: "named principal", token: checker, body: Self.json(["action": "read", "principal": ["type": "User", "id": "usr_acme_bob"], "resource": doc1])),
            Case(name: "deprovisioned principal", token: checker, body: Self.json(["action": "read", "principal": ["type": "User", "id": "usr_acme_gone"], "resource": doc1])),
            Case(name: "unknown principal", token: checker, body: Self.json(["action": "read", "principal": ["type": "User", "id": "nobody"], "resource": doc1])),
            Case(name: "client scope rule", token: checker, body: Self.json(["action": "sync"])),
            Case(name: "ip from the peer", token: admin, body: Self.json(["action": "print", "resource": ["type": "Printer", "id": "p1"]])),
            Case(name: "caller context", token: admin, body: Self.json(["action": "read", "context": ["lockdown": true]])),
            Case(name: "explain", token: admin, body: Self.json(["action": "read", "resource": doc1, "explain": true])),
            Case(name: "malformed JSON", token: admin, body: Array(#"{"action": "read""#.utf8)),
            Case(name: "not an object", token: admin, body: Array("[1, 2]".utf8)),
            Case(name: "a field twice", token: admin, body: Array(#"{"action": "read", "action": "write"}"#.utf8)),
            Case(name: "empty body", token: admin, body: []),
            Case(name: "unknown field", token: admin, body: Self.json(["action": "read", "colour": "red"])),
            Case(name: "reserved context key", token: plain, body: Self.json(["action": "sync", "context": ["ip": "1.2.3.4"]])),
            Case(name: "principal without the capability", token: plain, body: Self.json(["action": "read", "principal": ["type": "User", "id": "usr_acme_bob"]])),
            Case(name: "revision not reached", token: admin, body: Self.json(["action": "read", "atLeastRevision": "999999999"])),
            Case(name: "revision not ours", token: admin, body: Self.json(["action": "read", "atLeastRevision": "abc"])),
            Case(name: "other media type", token: admin, body: allow, headers: [.contentType: "text/plain"]),
            Case(name: "too large", token: admin, body: Self.json(["action": "read", "context": ["pad": String(repeating: "x", count: 70_000)]])),
            Case(name: "no token", token: nil, body: allow),
            Case(name: "bad token", token: "not-a-token", body: allow),
            Case(name: "tampered token", token: tamperedSignature(admin), body: allow),
            Case(name: "revoked token", token: revoked, body: allow),
            Case(name: "disabled client", token: disabled, body: allow),
            Case(name: "token not yet cached", token: fresh, body: Self.json(["action": "sync"])),
            Case(name: "two request ids", token: admin, body: allow, headers: Self.twice(RequestIDMiddleware.header, "dup-1", "dup-2")),
            Case(name: "two media types", token: admin, body: allow, headers: Self.twice(.contentType, "application/json", "application/json")),
            Case(name: "two bearer tokens", token: nil, body: allow, headers: Self.twice(.authorization, "Bearer \(admin)", "Bearer \(admin)")),
            Case(name: "lower-case header names", token: nil, body: allow, headers: [
                HTTPField.Name("authorization")!: "Bearer \(admin)", HTTPField.Name("x-request-id")!: "lower-1"]),
        ]
        let readDoc1: [String: Any] = ["action": "read", "resource": doc1]
        let batch = CheckFastPath.batchPath
        let batches: [Case] = [
            Case(name: "batch", token: checker, body: Self.json(["checks": [
                readDoc1, ["action": "read", "principal": ["type": "User", "id": "usr_acme_bob"], "resource": doc1],
                ["action": "read", "principal": ["type": "User", "id": "usr_acme_gone"], "resource": doc1], ["action": "sync"],
            ]]), path: batch),
            Case(name: "batch of one, own principal", token: admin, body: Self.json(["checks": [readDoc1]]), headers: [RequestIDMiddleware.header: "b-2"], path: batch),
            Case(name: "empty batch", token: admin, body: Self.json(["checks": []]), path: batch),
            Case(name: "batch with explain", token: admin, body: Self.json(["checks": [readDoc1, ["action": "read", "explain": true]]]), path: batch),
            Case(name: "batch item malformed", token: admin, body: Self.json(["checks": [readDoc1, ["action": 7]]]), path: batch),
            Case(name: "batch item naming a principal without the capability", token: plain, body: Self.json(["checks": [["action": "read", "principal": ["type": "User", "id": "usr_acme_bob"]]]]), path: batch),
            Case(name: "batch too long", token: checker, body: Self.json(["checks": Array(repeating: readDoc1, count: 101)]), path: batch),
            Case(name: "batch revision not reached", token: admin, body: Self.json(["checks": [readDoc1], "atLeastRevision": "999999999"]), path: batch),
            Case(name: "batch not an object", token: admin, body: Array("[]".utf8), path: batch),
            Case(name: "batch, revoked token", token: revoked, body: Self.json(["checks": [readDoc1]]), path: batch),
        ]

        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let before = CheckFastPath.answered.load(ordering: .relaxed)
        let fast = try await Self.run(cases + batches, app: ArbiterApplication.make(
            services: f.services, configuration: f.m.app.configuration, logger: logger, checkFastPath: true))
        let answeredFast = CheckFastPath.answered.load(ordering: .relaxed) - before
        let routed = try await Self.run(cases + batches, app: ArbiterApplication.make(
            services: f.services, configuration: f.m.app.configuration, logger: logger, checkFastPath: false))
        for (index, item) in (cases + batches).enumerated() {
            #expect(fast[index] == routed[index], "\(item.name)")
        }
        // The 10 decided cases before `explain`, the lower-case names and the 3 decided batches without one went
        // the fast way (other suites' live servers may add to the process-wide count, never
        // take from it).
        #expect(answeredFast >= 14)
        // And the cases cover what they claim to.
        let statuses = Dictionary(uniqueKeysWithValues: zip(cases.map(\.name), routed.map(\.status)))
        #expect(statuses["allow"] == 200 && statuses["explain"] == 200 && statuses["token not yet cached"] == 200)
        #expect(statuses["malformed JSON"] == 400 && statuses["unknown field"] == 400 && statuses["empty body"] == 400)
        #expect(statuses["a field twice"] == 400)
        #expect(statuses["principal without the capability"] == 403 && statuses["revision not reached"] == 409)
        #expect(statuses["other media type"] == 415 && statuses["too large"] == 413)
        #expect(statuses["two request ids"] == 200 && statuses["lower-case header names"] == 200)
        for name in ["no token", "bad token", "tampered token", "revoked token", "disabled client"] { #expect(statuses[name] == 401, "\(name)") }
        #expect(routed[0].body.contains(#""decision":"allow""#) && routed[0].headers["x-request-id"] == "trace-1")
        #expect(routed[2].body.contains("nobody-reads-secrets"))
        #expect(routed[8].body.contains("office-network-only"))
        #expect(routed[10].body.contains(#""trace""#))
        let batchStatuses = routed[cases.count...].map(\.status)
        #expect(Array(batchStatuses) == [200, 200, 200, 200, 400, 403, 400, 409, 400, 401])
        #expect(routed[cases.count].body.contains("inactive-users-are-denied") && routed[cases.count].body.contains("clients-with-scope-sync"))
    }

    /// Pipelined requests on one connection: a request the router answers (explain) and
    /// requests the fast path could answer behind it come back in the order sent.
    @Test func responsesKeepTheirOrderOnAConnection() async throws {
        let (f, admin) = try await Self.acmeWithCachedAdminToken()
        let app = Self.fastPathApp(f)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            func request(_ id: String, _ body: [String: Any]) -> String {
                let json = String(decoding: Self.json(body), as: UTF8.self)
                return "POST \(CheckFastPath.path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(admin)\r\n"
                    + "Content-Type: application/json\r\nX-Request-Id: \(id)\r\nContent-Length: \(json.utf8.count)\r\n\r\n\(json)"
            }
            let read: [String: Any] = ["action": "read", "resource": ["type": "Document", "id": "doc-1"]]
            var explain = read
            explain["explain"] = true
            // Router first, fast-path candidates behind it; then the router again after
            // fast answers; then a 400 (router) between fast ones.
            let ids = ["r1", "f2", "f3", "r4", "f5", "r6", "f7"]
            let bodies: [[String: Any]] = [explain, read, read, explain, read, ["action": 7], read]
            var wire = ""
            for (id, body) in zip(ids, bodies) { wire += request(id, body) }
            let pipelined = Array(wire.utf8)
            let responses = try await RawHTTP.offPool { try RawHTTP.exchange(port: port, pipelined, responses: ids.count) }
            #expect(responses.map { $0.headers["x-request-id"] ?? "?" } == ids)
            #expect(responses.map(\.status) == [200, 200, 200, 200, 200, 400, 200])
            #expect(responses[0].body.contains(#""trace""#) && !responses[1].body.contains(#""trace""#))

            // Sent one at a time on one connection, the candidates are answered by the fast path.
            let before = CheckFastPath.answered.load(ordering: .relaxed)
            let connection = try RawHTTP(port: port)
            for index in 0..<3 {
                let bytes = Array(request("s\(index)", read).utf8)
                let answer = try await RawHTTP.offPool { try connection.exchange(bytes, responses: 1) }
                #expect(answer.first?.status == 200)
                #expect(answer.first?.headers["x-request-id"] == "s\(index)")
                #expect(answer.first?.headers["server"] == "arbiter")
                #expect(answer.first?.headers["content-type"] == "application/json")
            }
            #expect(CheckFastPath.answered.load(ordering: .relaxed) - before >= 3)

            // Checks in a row with one token on one connection share the server-filled
            // context: rebuilt only when the second turns between two of them.
            let reusedBefore = ServerContextCache.reused.load(ordering: .relaxed)
            let firstSecond = time(nil)
            for index in 0..<8 {
                let bytes = Array(request("ctx\(index)", read).utf8)
                let answer = try await RawHTTP.offPool { try connection.exchange(bytes, responses: 1) }
                #expect(answer.first?.status == 200)
            }
            let turns = Int(time(nil) - firstSecond) + 1
            #expect(ServerContextCache.reused.load(ordering: .relaxed) - reusedBefore >= 8 - turns)

            // The connection keeps its last token's finding, but a revocation takes effect
            // on its very next request (the finding no longer holds once anything commits).
            let verified = try #require(try f.services.tokenVerifier.cachedVerification(admin))
            try await f.services.accessTokenRevocations.revoke(verified.claims, tenantId: verified.tenantId, actor: "test")
            let afterRevocation = Array(request("gone", read).utf8)
            let revoked = try await RawHTTP.offPool { try connection.exchange(afterRevocation, responses: 1) }
            #expect(revoked.first?.status == 401)

            // A request asking to close the connection goes to the router, and nothing
            // pipelined behind it is answered: the connection ends after its response.
            let closing = request("c1", read).replacingOccurrences(of: "Host: 127.0.0.1\r\n", with: "Host: 127.0.0.1\r\nConnection: close\r\n")
            let last = try RawHTTP(port: port)
            let wireClosing = Array((closing + request("c2", read)).utf8)
            let answers = try await RawHTTP.offPool { try last.exchange(wireClosing, responses: 1) }
            #expect(answers.map { $0.headers["x-request-id"] ?? "?" } == ["c1"])
            #expect(try await RawHTTP.offPool { last.readsEndOfStream() })
        }
    }

    /// The fast path writes its answer's bytes itself, past NIO's response encoder: they
    /// must be the bytes the encoder writes for the router's answer (same status line,
    /// fields, names, order and spelling), the `Date` value apart.
    @Test func theAnswerHasTheRoutersBytes() async throws {
        let (f, admin) = try await Self.acmeWithCachedAdminToken()
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let json = String(decoding: Self.json(["action": "read", "resource": ["type": "Document", "id": "doc-1"]]), as: UTF8.self)
        let request = Array(("POST \(CheckFastPath.path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(admin)\r\n"
            + "Content-Type: application/json\r\nX-Request-Id: same-1\r\nContent-Length: \(json.utf8.count)\r\n\r\n\(json)").utf8)
        var answers: [RawHTTP.Response] = []
        for fast in [true, false] {
            let before = CheckFastPath.answered.load(ordering: .relaxed)
            let app = ArbiterApplication.make(services: f.services, configuration: f.m.app.configuration, logger: logger, checkFastPath: fast)
            answers += try await app.test(.live) { client in
                let port = try #require(client.port)
                return try await RawHTTP.offPool { try RawHTTP.exchange(port: port, request, responses: 1) }
            }
            if fast { #expect(CheckFastPath.answered.load(ordering: .relaxed) > before) }
        }
        try #require(answers.count == 2)
        func withoutDate(_ head: String) -> String {
            head.components(separatedBy: "\r\n").filter { !$0.hasPrefix("Date: ") }.joined(separator: "\r\n")
        }
        #expect(answers[0].head.hasPrefix("HTTP/1.1 200 OK\r\n") && answers[0].head.contains("\r\nDate: "))
        #expect(withoutDate(answers[0].head) == withoutDate(answers[1].head))
        #expect(answers[0].head.components(separatedBy: "\r\n").count == answers[1].head.components(separatedBy: "\r\n").count)
        #expect(answers[0].body == answers[1].body)
    }

    /// NIO's response encoder pairs each response with its request's method (a HEAD answer
    /// goes without a body). Fast answers must keep that pairing: a HEAD request for the
    /// router after them on one connection gets a head only, and the answer after it
    /// starts right behind that head.
    @Test func aHeadAfterFastAnswersGetsNoBody() async throws {
        let (f, admin) = try await Self.acmeWithCachedAdminToken()
        let app = Self.fastPathApp(f)
        let check = Self.wireCheck(token: admin)
        let head = "HEAD /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        let before = CheckFastPath.answered.load(ordering: .relaxed)
        let received = try await app.test(.live) { client in
            let port = try #require(client.port)
            let connection = try RawHTTP(port: port)
            // One at a time, so each check is answered on the fast path before the HEAD.
            for _ in 0..<3 {
                let answer = try await RawHTTP.offPool { try connection.exchange(Array(check.utf8), responses: 1) }
                #expect(answer.first?.status == 200)
            }
            return try await RawHTTP.offPool { try connection.receive(Array((head + check).utf8), until: "\"decision\"") }
        }
        #expect(CheckFastPath.answered.load(ordering: .relaxed) - before >= 3)
        // The HEAD's head, then at once the next answer's status line: no body between.
        let parts = received.components(separatedBy: "\r\n\r\n")
        // (Arbiter answers HEAD with 405 and the length a body would have had.)
        #expect(parts.count >= 2 && parts[0].hasPrefix("HTTP/1.1 405") && parts[0].lowercased().contains("content-length:"), "\(received)")
        #expect(parts.count >= 2 && parts[1].hasPrefix("HTTP/1.1 200 OK"), "\(received)")
    }

    /// Answers are flushed at the end of the event loop's tick, and the client's end of
    /// input may arrive in the same read: a client that sends its checks and closes its
    /// side at once still gets every answer, then the connection's end.
    @Test func checksSentWithTheClientsCloseAreAllAnswered() async throws {
        let (f, admin) = try await Self.acmeWithCachedAdminToken()
        let app = Self.fastPathApp(f)
        let before = CheckFastPath.answered.load(ordering: .relaxed)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            for round in 0..<5 {
                let ids = (0..<3).map { "h\(round)-\($0)" }
                let connection = try RawHTTP(port: port)
                let wire = Array(ids.map { Self.wireCheck(token: admin, id: $0) }.joined().utf8)
                let answers = try await RawHTTP.offPool { try connection.exchange(wire, responses: ids.count, thenCloseWrite: true) }
                #expect(answers.map(\.status) == [200, 200, 200])
                #expect(answers.map { $0.headers["x-request-id"] ?? "?" } == ids)
                #expect(try await RawHTTP.offPool { connection.readsEndOfStream() })
            }
        }
        #expect(CheckFastPath.answered.load(ordering: .relaxed) - before >= 15)
    }

    /// A check answered on an `EmbeddedChannel` holding the fast-path handler and, after it,
    /// a handler that closes the connection on the quiesce event (as Hummingbird's
    /// connection-state handler does when it has no request of its own in flight; it never
    /// sees the requests answered here).
    static func answeredUnflushed() async throws -> EmbeddedChannel {
        let (f, admin) = try await Self.acmeWithCachedAdminToken()
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let fastPath = CheckFastPath(services: f.services, configuration: f.m.app.configuration, logger: logger, serverName: "arbiter")
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(CheckFastPathHandler(fastPath: fastPath))
        try channel.pipeline.syncOperations.addHandler(CloseOnQuiesce())
        let body = ByteBuffer(bytes: Self.json(["action": "read", "resource": ["type": "Document", "id": "doc-1"]]))
        let headers = HTTPHeaders([
            ("Host", "127.0.0.1"), ("Authorization", "Bearer \(admin)"), ("Content-Type", "application/json"),
            ("Content-Length", "\(body.readableBytes)"),
        ])
        let before = CheckFastPath.answered.load(ordering: .relaxed)
        // `writeInbound` ends each part's read burst, as a socket read would.
        try channel.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: CheckFastPath.path, headers: headers)))
        try channel.writeInbound(HTTPServerRequestPart.body(body))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        #expect(CheckFastPath.answered.load(ordering: .relaxed) > before)
        return channel
    }

    final class CloseOnQuiesce: ChannelInboundHandler, Sendable {
        typealias InboundIn = HTTPServerRequestPart
        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if event is ChannelShouldQuiesceEvent { context.close(promise: nil) }
        }
    }

    /// An answer is flushed once the event loop has run its tick's I/O, not at once.
    @Test func answersAreFlushedAtTheEndOfTheLoopTick() async throws {
        let channel = try await Self.answeredUnflushed()
        #expect(try channel.readOutbound(as: HTTPServerResponsePart.self) == nil)
        channel.embeddedEventLoop.run()
        guard case .head(let head) = try channel.readOutbound(as: HTTPServerResponsePart.self) else {
            Issue.record("no answer after the tick")
            return
        }
        #expect(head.status == .ok)
        _ = try? channel.finish()
    }

    /// A close in the same tick, before the deferred flush, sends the answers written
    /// instead of failing them.
    @Test func aCloseBeforeTheDeferredFlushSendsTheAnswers() async throws {
        let channel = try await Self.answeredUnflushed()
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        guard case .head(let head) = try channel.readOutbound(as: HTTPServerResponsePart.self) else {
            Issue.record("the close dropped the answer")
            return
        }
        #expect(head.status == .ok)
        #expect(!channel.isActive)
    }

    /// The access-log line of a check answered on the event loop carries the same keys as
    /// the router's line for the same request (`hb.request.id` was missing once), with the
    /// same values where they do not differ per request by design.
    @Test func theFastPathLogsTheRouterLine() async throws {
        let (f, admin) = try await Self.acmeWithCachedAdminToken()
        let body = Self.json(["action": "read", "resource": ["type": "Document", "id": "doc-1"]])
        var lines: [Bool: [String: String]] = [:]
        for fastPath in [true, false] {
            let captured = CapturedLog()
            var logger = Logger(label: "arbiter") { BufferedLogHandler(label: $0, format: .json, output: captured.output) }
            logger.logLevel = .info
            let before = CheckFastPath.answered.load(ordering: .relaxed)
            let app = ArbiterApplication.make(services: f.services, configuration: f.m.app.configuration, logger: logger, checkFastPath: fastPath)
            try await app.test(.live) { client in
                let response = try await client.execute(
                    uri: CheckFastPath.path, method: .post,
                    headers: [.authorization: "Bearer \(admin)", .contentType: "application/json", RequestIDMiddleware.header: "log-1"],
                    body: ByteBuffer(bytes: body))
                #expect(response.status == .ok)
            }
            if fastPath { #expect(CheckFastPath.answered.load(ordering: .relaxed) > before) }
            let requestLines = captured.objects().filter { $0["message"] == "request" && $0["request_id"] == "log-1" }
            #expect(requestLines.count == 1, "fast path \(fastPath): \(captured.objects())")
            lines[fastPath] = requestLines.first
        }
        let fast = try #require(lines[true]), routed = try #require(lines[false])
        #expect(fast.keys.sorted() == routed.keys.sorted())
        #expect(fast.keys.contains("hb.request.id") && !(fast["hb.request.id"] ?? "").isEmpty)
        #expect(fast.keys.sorted() == ["duration_us", "hb.request.id", "label", "level", "message", "method", "path", "request_id", "status", "time"])
        for key in ["level", "label", "message", "request_id", "method", "path", "status"] {
            #expect(fast[key] == routed[key], "\(key)")
        }
        #expect(Int(fast["duration_us"] ?? "") != nil)
    }

    /// A fast-path candidate whose `atLeastRevision` is not reached yet goes to the router
    /// (409) and is timed once in the evaluation histogram, not once here and once there;
    /// a reached revision is answered here, counted once too.
    @Test func aRevisionNotReachedIsEvaluatedOnce() async throws {
        let (f, admin) = try await Self.acmeWithCachedAdminToken()
        let metrics = f.services.metrics
        @Sendable func evaluations() -> Int {
            let text = String(decoding: metrics.exposition(), as: UTF8.self)
            let line = text.split(separator: "\n").first { $0.hasPrefix(#"arbiter_evaluator_duration_seconds_count{route="check"}"#) }
            return line.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
        }
        let app = Self.fastPathApp(f)
        try await app.test(.live) { client in
            func check(_ revision: String?) async throws -> (status: Int, body: String, fast: Bool) {
                var object: [String: Any] = ["action": "read", "resource": ["type": "Document", "id": "doc-1"]]
                if let revision { object["atLeastRevision"] = revision }
                let before = CheckFastPath.answered.load(ordering: .relaxed)
                let response = try await client.execute(
                    uri: CheckFastPath.path, method: .post,
                    headers: [.authorization: "Bearer \(admin)", .contentType: "application/json"], body: ByteBuffer(bytes: Self.json(object)))
                return (Int(response.status.code), String(buffer: response.body), CheckFastPath.answered.load(ordering: .relaxed) > before)
            }
            let start = evaluations()
            let first = try await check(nil)
            #expect(first.status == 200 && first.fast)
            #expect(evaluations() == start + 1)
            let notReached = try await check("999999999")
            #expect(notReached.status == 409)
            #expect(evaluations() == start + 2)
            // The revision of the first answer is reached: answered on the event loop.
            let revision = try #require(
                (try JSONSerialization.jsonObject(with: Data(first.body.utf8)) as? [String: Any])?["revision"] as? String)
            let reached = try await check(revision)
            #expect(reached.status == 200 && reached.fast)
            #expect(evaluations() == start + 3)
        }
    }

    @Test func httpDateMatchesTheIMFFixdateForm() {
        var seconds: time_t = 1_795_950_529  // 2026-11-29 11:08:49 UTC
        #expect(HTTPDate.format(&seconds) == "Sun, 29 Nov 2026 11:08:49 GMT")
        var epoch: time_t = 0
        #expect(HTTPDate.format(&epoch) == "Thu, 01 Jan 1970 00:00:00 GMT")
    }
}

/// A blocking HTTP/1.1 client on one socket: writes bytes as given (so requests can be
/// pipelined) and reads whole responses (Content-Length bodies). Used from one task at a
/// time; its blocking calls go through `offPool`.
final class RawHTTP: @unchecked Sendable {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: String
        /// The status line and fields as sent, CRLF-separated, without the blank line.
        var head: String
    }

    let socketFD: Int32
    private var buffer: [UInt8] = []

    init(port: Int) throws {
        socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { close(socketFD); throw RawHTTPError.io("connect") }
    }

    deinit { close(socketFD) }

    /// Runs a blocking exchange on its own thread: blocking a thread of Swift's small
    /// cooperative pool could starve the in-process server's router (its handlers run
    /// there), so a request for the router would not be answered until the read times
    /// out — seen when many suites run at once on two cores.
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    static func exchange(port: Int, _ bytes: [UInt8], responses: Int) throws -> [Response] {
        try RawHTTP(port: port).exchange(bytes, responses: responses)
    }

    /// Sends `bytes` (then, with `thenCloseWrite`, ends this side of the connection) and
    /// reads `count` responses.
    func exchange(_ bytes: [UInt8], responses count: Int, thenCloseWrite: Bool = false) throws -> [Response] {
        var sent = 0
        while sent < bytes.count {
            let written = bytes[sent...].withUnsafeBytes { send(socketFD, $0.baseAddress, $0.count, 0) }
            guard written > 0 else { throw RawHTTPError.io("send") }
            sent += written
        }
        if thenCloseWrite { shutdown(socketFD, Int32(SHUT_WR)) }
        var responses: [Response] = []
        while responses.count < count {
            if let response = parse() { responses.append(response); continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let received = chunk.withUnsafeMutableBytes { recv(socketFD, $0.baseAddress, $0.count, 0) }
            guard received > 0 else { throw RawHTTPError.io("recv after \(responses.count) responses") }
            buffer.append(contentsOf: chunk[..<received])
        }
        return responses
    }

    /// Sends `bytes` and reads, unparsed, until what came back holds `marker` (for
    /// answers `parse` cannot frame, such as a HEAD's).
    func receive(_ bytes: [UInt8], until marker: String) throws -> String {
        _ = try exchange(bytes, responses: 0)
        while !String(decoding: buffer, as: UTF8.self).contains(marker) {
            var chunk = [UInt8](repeating: 0, count: 65536)
            let received = chunk.withUnsafeMutableBytes { recv(socketFD, $0.baseAddress, $0.count, 0) }
            guard received > 0 else { throw RawHTTPError.io("recv before \(marker)") }
            buffer.append(contentsOf: chunk[..<received])
        }
        return String(decoding: buffer, as: UTF8.self)
    }

    /// True when the server closes the connection with nothing more sent.
    func readsEndOfStream() -> Bool {
        var byte: UInt8 = 0
        return buffer.isEmpty && recv(socketFD, &byte, 1, 0) == 0
    }

    private func parse() -> Response? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard buffer.count >= 4,
              let end = (0...(buffer.count - 4)).first(where: { Array(buffer[$0..<($0 + 4)]) == separator })
        else { return nil }
        let lines = String(decoding: buffer[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        guard buffer.count >= end + 4 + length else { return nil }
        let body = String(decoding: buffer[(end + 4)..<(end + 4 + length)], as: UTF8.self)
        buffer.removeFirst(end + 4 + length)
        let status = Int(lines[0].split(separator: " ").dropFirst().first ?? "") ?? 0
        return Response(status: status, headers: headers, body: body, head: lines.joined(separator: "\r\n"))
    }
}

enum RawHTTPError: Error {
    case io(String)
}
