import Evaluator
import Hummingbird
import Identity
import NIOCore
import PolicyLang
import Store

/// `POST /api/runtime/authorization/check` and `…/check-batch`: what application
/// backends call on every request.
///
/// Authentication: a bearer access token of the tenant (401 problem+json without one).
/// The tenant is the token's, always; every id in the body is looked up in that tenant's
/// graph only, so another tenant's principal or resource is simply absent (deny), never
/// reached.
///
/// Scopes: a check about the token's own subject (no `principal`, or the subject itself)
/// needs no particular scope — it tells the caller only what the caller could find out by
/// trying, like `/connect/userinfo` tells a user about themselves. Naming another
/// principal needs the operator-granted capability `arbiter.runtime.check` (403 otherwise).
///
/// Without `resource`, the resource is the caller's `Tenant::"<tenant id>"`.
struct CheckRoutes {
    let services: ArbiterApplication.Services
    let maxBodyBytes: Int

    static let maxCheckBodyBytes = 64 * 1024
    static let maxBatchBodyBytes = 1 << 20
    static let maxBatchChecks = 100

    var runtime: RuntimeAuthorizer { services.runtime }

    func add(to router: Router<ArbiterRequestContext>) {
        let group = router.group("/api/runtime/authorization")
            .add(middleware: ManagementAuthentication(bearer: BearerAuthenticator(verifier: services.tokenVerifier)))
        group.post("check") { request, context in try await check(request, context) }
        group.post("check-batch") { request, context in try await checkBatch(request, context) }
    }

    // MARK: Handlers

    func check(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let caller = try RuntimeCaller(context)
        let json = try await Self.body(request, limit: min(maxBodyBytes, Self.maxCheckBodyBytes))
        let services = self.services
        let answer = try Self.answer(json, caller: caller, runtime: runtime, metrics: services.metrics) {
            caller.serverContext(request, context, services: services)
        }
        return answer!.response()
    }

    /// One check's answer from its JSON body, decided and counted (`metrics`). The route
    /// and the check fast path (`CheckFastPath`, on the event loop) both answer with this,
    /// so their answers cannot drift apart. `accept` may decline a well-formed body before
    /// anything is decided (nil; the fast path declines `explain`).
    static func answer(
        _ json: JSON, caller: RuntimeCaller, runtime: RuntimeAuthorizer, metrics: ArbiterMetrics,
        accept: (CheckBody) -> Bool = { _ in true }, serverContext: () -> ServerContext
    ) throws -> RuntimeJSONWriter? {
        var errors: [FieldError] = []
        guard let body = CheckBody.read(json, errors: &errors) else { throw ProblemError.validation(errors) }
        guard accept(body) else { return nil }
        return try answer(body, caller: caller, runtime: runtime, metrics: metrics, serverContext: serverContext)
    }

    /// The answer to a check already read (the fast path reads the common body from its
    /// bytes, `PlainCheckBody`).
    static func answer(
        _ body: CheckBody, caller: RuntimeCaller, runtime: RuntimeAuthorizer, metrics: ArbiterMetrics,
        serverContext: () -> ServerContext
    ) throws -> RuntimeJSONWriter {
        let check = try caller.check(body, serverContext: serverContext())
        let atLeast = try RevisionRequirement.decode(body.atLeastRevision)
        let outcome = try metrics.evaluation(.check) {
            try decide([check], caller: caller, atLeast: atLeast, runtime: runtime)
        }
        metrics.decided(.check, outcome.decisions)
        var writer = RuntimeJSONWriter()
        writer.beginObject()
        writer.decisionFields(outcome.decisions[0])
        writer.key("revision"); writer.string(RevisionToken.encode(outcome.revision))
        writer.endObject()
        return writer
    }

    /// `{checks: [...], atLeastRevision?}` → `{revision, results: [...]}`, in order, all
    /// at one snapshot. A mistake in any check fails the whole batch (400, each field
    /// named `checks[i].…`), so a caller never mistakes a partial answer for a full one.
    func checkBatch(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let caller = try RuntimeCaller(context)
        let json = try await Self.body(request, limit: min(max(maxBodyBytes, Self.maxCheckBodyBytes), Self.maxBatchBodyBytes))
        let services = self.services
        let answer = try Self.answerBatch(json, caller: caller, runtime: runtime, metrics: services.metrics) {
            caller.serverContext(request, context, services: services)
        }
        return answer!.response()
    }

    /// A batch's answer from its JSON body, decided and counted: the route and the check
    /// fast path both answer with this. `accept` may decline well-formed checks before
    /// anything is decided (nil; the fast path declines a batch with an `explain`).
    static func answerBatch(
        _ json: JSON, caller: RuntimeCaller, runtime: RuntimeAuthorizer, metrics: ArbiterMetrics,
        accept: ([CheckBody]) -> Bool = { _ in true }, serverContext: () -> ServerContext
    ) throws -> RuntimeJSONWriter? {
        guard case .object(let members) = json else {
            throw ProblemError.validation([FieldError(field: "body", message: "must be a JSON object")])
        }
        var errors: [FieldError] = []
        var items: [JSON] = []
        var revision: String?
        for (key, value) in members {
            switch (key, value) {
            case ("checks", .array(let array)): items = array
            case ("checks", _): errors.append(FieldError(field: "checks", message: "must be an array of checks"))
            case ("atLeastRevision", .string(let text)) where text.utf8.count <= CheckBody.maxRevisionLength: revision = text
            case ("atLeastRevision", .null): break
            case ("atLeastRevision", _): errors.append(FieldError(field: "atLeastRevision", message: "must be a revision string from an earlier answer"))
            default: errors.append(FieldError(field: key, message: "is not a field of a batch (checks, atLeastRevision)"))
            }
        }
        if !members.contains(where: { $0.key == "checks" }) { errors.append(FieldError(field: "checks", message: "is required")) }
        if items.count > Self.maxBatchChecks { throw RuntimeProblems.tooManyChecks(items.count, limit: Self.maxBatchChecks) }
        var bodies: [CheckBody] = []
        bodies.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            // The batch's revision is the batch's: one snapshot answers every check.
            if let body = CheckBody.read(item, prefix: "checks[\(index)].", allowRevision: false, errors: &errors) { bodies.append(body) }
        }
        guard errors.isEmpty else { throw ProblemError.validation(errors) }
        guard accept(bodies) else { return nil }
        let serverContext = serverContext()
        var checks: [RuntimeCheck] = []
        checks.reserveCapacity(bodies.count)
        for body in bodies { checks.append(try caller.check(body, serverContext: serverContext)) }
        let atLeast = try RevisionRequirement.decode(revision)
        let outcome = try metrics.evaluation(.checkBatch) {
            try decide(checks, caller: caller, atLeast: atLeast, runtime: runtime)
        }
        metrics.decided(.checkBatch, outcome.decisions)
        var writer = RuntimeJSONWriter(capacity: 64 + 160 * checks.count)
        writer.beginObject()
        writer.key("revision"); writer.string(RevisionToken.encode(outcome.revision))
        writer.key("results"); writer.beginArray()
        for decision in outcome.decisions {
            writer.beginObject()
            writer.decisionFields(decision)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer
    }

    // MARK: Shared

    static func decide(
        _ checks: [RuntimeCheck], caller: RuntimeCaller, atLeast: UInt64?, runtime: RuntimeAuthorizer
    ) throws -> RuntimeAuthorizer.Outcome {
        do {
            return try runtime.decide(checks, tenant: caller.tenantId, atLeast: atLeast) { $0.id }
        } catch let error as RevisionNotReached {
            throw RuntimeProblems.revisionNotReached(error)
        }
    }

    /// The body as a depth-bounded JSON tree (JSON media type, size limit → 415/413).
    static func body(_ request: Request, limit: Int) async throws -> JSON {
        if let type = request.headers[.contentType], !RequestBody.isJSON(type) {
            throw ProblemError.unsupportedMediaType(type)
        }
        let buffer = try await RequestBody.collect(request, limit: limit)
        guard buffer.readableBytes > 0 else { throw ProblemError.malformedBody("the body is empty; send a JSON object") }
        return try JSON.runtimeBody(Array(buffer.readableBytesView))
    }
}
