import Foundation
import HTTPTypes
import Hummingbird
import Identity
import Store

/// The Shared Signals (SSF 1.0) transmitter (README "Shared Signals"): the per-tenant
/// metadata document, and stream management under `/ssf/*` for a receiver's client holding
/// `arbiter.ssf.manage`. The tenant is always the token's; another tenant's stream is 404.
/// Errors are RFC 9457 problem details, as on `/api/*`.
struct SharedSignalsRoutes {
    let services: ArbiterApplication.Services
    /// The shortest time between two verification requests of a stream (seconds).
    let minVerificationInterval: Int

    var tables: SSFTables { services.ssfTables }
    var naming: IssuerNaming { services.tokenIssuer.naming }

    static let maxStateBytes = 256
    static let maxReasonBytes = 500

    func add(to router: Router<ArbiterRequestContext>) {
        router.get("/t/:tenant/.well-known/ssf-configuration") { _, context in try metadata(slug: context.parameters.get("tenant")) }
        router.get("/.well-known/ssf-configuration/t/:tenant") { _, context in try metadata(slug: context.parameters.get("tenant")) }
        // Like the global openid-configuration: there is no default tenant, so name one.
        router.get("/.well-known/ssf-configuration") { request, _ in
            guard let slug = request.uri.queryParameters.get("tenant") else {
                throw ProblemError(
                    .badRequest, type: "tenant-required", title: "Name the tenant",
                    detail: "each tenant is its own transmitter: fetch \(naming.baseURL)/.well-known/ssf-configuration/t/{slug}, or add ?tenant={slug}")
            }
            return try metadata(slug: String(slug))
        }
        let group = router.group("/ssf")
            .add(middleware: ManagementAuthentication(bearer: BearerAuthenticator(verifier: services.tokenVerifier)))
        group.post("streams") { request, context in try await create(request, context) }
        group.get("streams") { request, context in try read(request, context) }
        group.patch("streams") { request, context in try await update(request, context, replace: false) }
        group.put("streams") { request, context in try await update(request, context, replace: true) }
        group.delete("streams") { request, context in try await delete(request, context) }
        group.get("status") { request, context in try status(request, context) }
        group.post("status") { request, context in try await setStatus(request, context) }
        group.post("subjects:add") { request, context in try await subjects(request, context, add: true) }
        group.post("subjects:remove") { request, context in try await subjects(request, context, add: false) }
        group.post("verify") { request, context in try await verify(request, context) }
    }

    // MARK: Metadata (SSF 1.0 §7)

    func metadata(slug: String?) throws -> Response {
        let slug = slug ?? ""
        guard slug.utf8.count <= 63,
              let tenant = try services.environment.read({ try services.identityTables.tenant(slug: slug, in: $0) })
        else { throw ProblemError.notFound("no tenant with slug '\(slug.prefix(63))'") }
        let issuer = naming.issuer(slug: tenant.slug)
        let base = naming.baseURL + "/ssf"
        let document: [String: JSONValue] = [
            "spec_version": .string("1_0"),
            "issuer": .string(issuer),
            "jwks_uri": .string(issuer + "/.well-known/jwks.json"),
            "delivery_methods_supported": .array([.string(SSFEventTypes.pushMethod)]),
            "configuration_endpoint": .string(base + "/streams"),
            "status_endpoint": .string(base + "/status"),
            "add_subject_endpoint": .string(base + "/subjects:add"),
            "remove_subject_endpoint": .string(base + "/subjects:remove"),
            "verification_endpoint": .string(base + "/verify"),
            "authorization_schemes": .array([.object(["spec_urn": .string("urn:ietf:rfc:6749")])]),
            "default_subjects": .string("NONE"),
        ]
        return try JSONResponse.make(.ok, document)
    }

    // MARK: Callers

    struct Caller {
        var tenantId: String
        var issuer: String
        var actor: String
        var clientId: String
    }

    func caller(_ context: ArbiterRequestContext) throws -> Caller {
        let token = try ScopeProblems.token(context, scope: OAuthScopes.sharedSignals, routes: "Shared Signals stream management needs")
        return Caller(tenantId: token.tenantId, issuer: naming.issuer(slug: token.tenantSlug), actor: token.subject, clientId: token.clientId)
    }

    func configuration(_ stream: SSFStream, _ caller: Caller) -> JSONValue {
        var object: [String: JSONValue] = [
            "stream_id": .string(stream.id),
            "iss": .string(caller.issuer),
            "aud": stream.audience.count == 1 ? .string(stream.audience[0]) : .array(stream.audience.map { .string($0) }),
            "events_supported": .array(SSFEventTypes.supported.map { .string($0) }),
            "events_requested": .array(stream.eventsRequested.map { .string($0) }),
            "events_delivered": .array(stream.eventsDelivered.map { .string($0) }),
            // authorization_header is write-only: stored for pushes, never answered.
            "delivery": .object(["method": .string(SSFEventTypes.pushMethod), "endpoint_url": .string(stream.endpointURL)]),
            "min_verification_interval": .integer(Int64(minVerificationInterval)),
        ]
        if let description = stream.description { object["description"] = .string(description) }
        return .object(object)
    }

    func body(_ request: Request) async throws -> [String: JSONValue] {
        try await RequestBody.jsonObject(request, limit: SSFStreamInput.maxBodyBytes)
    }

    /// The `stream_id` of a query or body, or a 400.
    static func streamId(_ value: JSONValue?) throws -> String {
        guard case .string(let id)? = value, !id.isEmpty, id.utf8.count <= 100 else {
            throw ProblemError.validation([FieldError(field: "stream_id", message: "is required: the id of one of your streams")])
        }
        return id
    }

    func stream(_ caller: Caller, _ id: String) throws -> SSFStream {
        let tables = self.tables
        guard let stream = try services.environment.read({ try $0.ssfStream(tenantId: caller.tenantId, id: id, tables: tables) }) else {
            throw Self.unknownStream(id)
        }
        return stream
    }

    static func unknownStream(_ id: String) -> ProblemError {
        ProblemError.notFound("no stream '\(id.prefix(100))' of this tenant")
    }

    var allowPrivate: Bool { OutboundAddresses.allowsPrivate(publicBaseURL: naming.baseURL) }

    // MARK: Configuration (SSF 1.0 §8.1.1)

    func create(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let caller = try caller(context)
        let object = try await body(request)
        var (input, errors) = SSFStreamInput.read(object, required: ["delivery"], allowPrivate: allowPrivate)
        if object["stream_id"] != nil { errors.append(FieldError(field: "stream_id", message: "is chosen by the transmitter")) }
        guard errors.isEmpty, let delivery = input.delivery else { throw ProblemError.validation(errors) }
        let now = Date()
        let stream = SSFStream(
            id: RandomID.make(prefix: "ssf"), tenantId: caller.tenantId, audience: input.audience ?? [caller.clientId],
            eventsRequested: input.eventsRequested ?? [], endpointURL: delivery.endpointURL, authorizationHeader: delivery.authorization,
            description: input.description ?? nil, status: .enabled, statusReason: nil, subjectCount: 0, createdAt: now,
            createdBy: caller.actor, updatedAt: now, lastVerificationAt: nil)
        let tables = self.tables
        try await services.environment.write { txn in
            guard try txn.ssfStreams(tenantId: stream.tenantId, tables: tables).count < SSFTables.maxStreamsPerTenant else {
                throw ProblemError.conflict(
                    type: "stream-limit", title: "Too many streams",
                    detail: "a tenant may have at most \(SSFTables.maxStreamsPerTenant) Shared Signals streams; delete one first")
            }
            try txn.putSSFStream(stream, tables: tables)
            try txn.appendAudit(AuditEvent(
                tenantId: stream.tenantId, actor: caller.actor, action: "ssf.stream.create", target: stream.id,
                reason: "push to \(WebhookRoutes.displayURL(stream.endpointURL))"))
        }
        return try JSONResponse.make(.created, configuration(stream, caller), headers: [.cacheControl: "no-store"])
    }

    func read(_ request: Request, _ context: ArbiterRequestContext) throws -> Response {
        let caller = try caller(context)
        if let raw = request.uri.queryParameters.get("stream_id") {
            return try JSONResponse.make(.ok, configuration(try stream(caller, try Self.streamId(.string(raw))), caller))
        }
        let tables = self.tables
        let streams = try services.environment.read { try $0.ssfStreams(tenantId: caller.tenantId, tables: tables) }
        return try JSONResponse.make(.ok, JSONValue.array(streams.map { configuration($0, caller) }))
    }

    /// PATCH changes the fields sent; PUT replaces the configuration (delivery required).
    /// A `delivery` sent replaces the endpoint and its authorization header together, so a
    /// header is never sent to an endpoint it was not given for.
    func update(_ request: Request, _ context: ArbiterRequestContext, replace: Bool) async throws -> Response {
        let caller = try caller(context)
        let object = try await body(request)
        let id = try Self.streamId(object["stream_id"])
        let (input, errors) = SSFStreamInput.read(object, required: replace ? ["delivery"] : [], allowPrivate: allowPrivate)
        guard errors.isEmpty else { throw ProblemError.validation(errors) }
        let tables = self.tables
        let updated = try await services.environment.write { txn -> SSFStream in
            guard var stream = try txn.ssfStream(tenantId: caller.tenantId, id: id, tables: tables) else { throw Self.unknownStream(id) }
            if replace {
                stream.audience = input.audience ?? [caller.clientId]
                stream.eventsRequested = input.eventsRequested ?? []
                stream.description = input.description ?? nil
            } else {
                if let audience = input.audience { stream.audience = audience }
                if let events = input.eventsRequested { stream.eventsRequested = events }
                if let description = input.description { stream.description = description }
            }
            if let delivery = input.delivery {
                stream.endpointURL = delivery.endpointURL
                stream.authorizationHeader = delivery.authorization
            }
            stream.updatedAt = Date()
            try txn.putSSFStream(stream, tables: tables)
            try txn.appendAudit(AuditEvent(
                tenantId: stream.tenantId, actor: caller.actor, action: replace ? "ssf.stream.replace" : "ssf.stream.update",
                target: stream.id, reason: "push to \(WebhookRoutes.displayURL(stream.endpointURL))"))
            return stream
        }
        return try JSONResponse.make(.ok, configuration(updated, caller))
    }

    func delete(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let caller = try caller(context)
        let id = try Self.streamId(request.uri.queryParameters.get("stream_id").map { .string(String($0)) })
        let tables = self.tables, webhooks = services.webhookTables
        try await services.environment.write { txn in
            guard let stream = try txn.ssfStream(tenantId: caller.tenantId, id: id, tables: tables) else { throw Self.unknownStream(id) }
            try txn.deleteSSFStream(stream, tables: tables, webhooks: webhooks)
            try txn.appendAudit(AuditEvent(tenantId: stream.tenantId, actor: caller.actor, action: "ssf.stream.delete", target: stream.id))
        }
        return Response(status: .noContent)
    }

    // MARK: Status (SSF 1.0 §8.1.2)

    func statusBody(_ stream: SSFStream) -> JSONValue {
        var object: [String: JSONValue] = ["stream_id": .string(stream.id), "status": .string(stream.status.rawValue)]
        if let reason = stream.statusReason { object["reason"] = .string(reason) }
        return .object(object)
    }

    func status(_ request: Request, _ context: ArbiterRequestContext) throws -> Response {
        let caller = try caller(context)
        let id = try Self.streamId(request.uri.queryParameters.get("stream_id").map { .string(String($0)) })
        return try JSONResponse.make(.ok, statusBody(try stream(caller, id)))
    }

    func setStatus(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let caller = try caller(context)
        let object = try await body(request)
        let id = try Self.streamId(object["stream_id"])
        var errors: [FieldError] = []
        for key in object.keys.sorted() where !["stream_id", "status", "reason"].contains(key) {
            errors.append(FieldError(field: String(key.prefix(60)), message: "is not a status field"))
        }
        var status: SSFStream.Status?
        if case .string(let raw)? = object["status"], let value = SSFStream.Status(rawValue: raw) { status = value } else {
            errors.append(FieldError(field: "status", message: "must be enabled, paused or disabled"))
        }
        var reason: String?
        switch object["reason"] {
        case nil, .null?: break
        case .string(let text)? where text.utf8.count <= Self.maxReasonBytes: reason = text.isEmpty ? nil : text
        default: errors.append(FieldError(field: "reason", message: "must be a string of at most \(Self.maxReasonBytes) bytes"))
        }
        guard errors.isEmpty, let status else { throw ProblemError.validation(errors) }
        let tables = self.tables, statusReason = reason, webhooks = services.webhookTables
        let updated = try await services.environment.write { txn -> SSFStream in
            guard var stream = try txn.ssfStream(tenantId: caller.tenantId, id: id, tables: tables) else { throw Self.unknownStream(id) }
            if stream.status == .paused, status != .paused {
                try txn.settleHeldSETs(stream, to: status, now: Date(), webhooks: webhooks)
                stream.held = nil
            }
            stream.status = status
            stream.statusReason = statusReason
            stream.updatedAt = Date()
            try txn.putSSFStream(stream, tables: tables)
            try txn.appendAudit(AuditEvent(
                tenantId: stream.tenantId, actor: caller.actor, action: "ssf.stream.status", target: stream.id,
                reason: status.rawValue + (statusReason.map { ": " + $0.prefix(200) } ?? "")))
            return stream
        }
        return try JSONResponse.make(.ok, statusBody(updated))
    }

    // MARK: Subjects (SSF 1.0 §8.1.3)

    func subjects(_ request: Request, _ context: ArbiterRequestContext, add: Bool) async throws -> Response {
        let caller = try caller(context)
        let object = try await body(request)
        let id = try Self.streamId(object["stream_id"])
        var errors: [FieldError] = []
        for key in object.keys.sorted() where !["stream_id", "subject", "verified"].contains(key) {
            errors.append(FieldError(field: String(key.prefix(60)), message: "is not a subject request field"))
        }
        if let verified = object["verified"], case .bool = verified {} else if object["verified"] != nil {
            errors.append(FieldError(field: "verified", message: "must be a boolean"))
        }
        var subject: SSFSubject?
        if let raw = object["subject"] {
            switch SSFSubject.parse(raw) {
            case .success(let parsed): subject = parsed
            case .failure(let problem): errors.append(FieldError(field: "subject", message: problem.message))
            }
        } else {
            errors.append(FieldError(field: "subject", message: "is required: a subject identifier (RFC 9493)"))
        }
        guard errors.isEmpty, let subject else { throw ProblemError.validation(errors) }
        let tables = self.tables
        try await services.environment.write { txn in
            guard var stream = try txn.ssfStream(tenantId: caller.tenantId, id: id, tables: tables) else { throw Self.unknownStream(id) }
            let key = SSFTables.subjectKey(tenantId: stream.tenantId, streamId: stream.id, subject: subject)
            let present = try txn.get(tables.subjects, key) != nil
            if add {
                guard !present else { return }
                guard stream.subjectCount < SSFTables.maxSubjectsPerStream else {
                    throw ProblemError.conflict(
                        type: "subject-limit", title: "Too many subjects",
                        detail: "a stream may have at most \(SSFTables.maxSubjectsPerStream) subjects; remove some first")
                }
                _ = try txn.putJSON(tables.subjects, key, subject.json)
                stream.subjectCount += 1
            } else {
                guard present else { throw ProblemError.notFound("the subject is not in stream '\(stream.id)'") }
                _ = try txn.delete(tables.subjects, key)
                stream.subjectCount = max(0, stream.subjectCount - 1)
            }
            try txn.putSSFStream(stream, tables: tables)
            // The subject itself (an email, a user id) is not written to the audit log.
            try txn.appendAudit(AuditEvent(
                tenantId: stream.tenantId, actor: caller.actor, action: add ? "ssf.subject.add" : "ssf.subject.remove", target: stream.id,
                reason: "format " + String(subject.key.prefix(while: { $0 != "\n" && $0 != "\t" }))))
        }
        return add ? Response(status: .ok) : Response(status: .noContent)
    }

    // MARK: Verification (SSF 1.0 §8.1.4)

    func verify(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let caller = try caller(context)
        let object = try await body(request)
        let id = try Self.streamId(object["stream_id"])
        var errors: [FieldError] = []
        for key in object.keys.sorted() where !["stream_id", "state"].contains(key) {
            errors.append(FieldError(field: String(key.prefix(60)), message: "is not a verification request field"))
        }
        var state: String?
        switch object["state"] {
        case nil: break
        case .string(let text)? where text.utf8.count <= Self.maxStateBytes: state = text
        default: errors.append(FieldError(field: "state", message: "must be a string of at most \(Self.maxStateBytes) bytes"))
        }
        guard errors.isEmpty else { throw ProblemError.validation(errors) }
        let tables = self.tables, webhooks = services.webhookTables, verificationState = state
        let now = Date()
        try await services.environment.write { txn in
            guard var stream = try txn.ssfStream(tenantId: caller.tenantId, id: id, tables: tables) else { throw Self.unknownStream(id) }
            if let last = stream.lastVerificationAt, now.timeIntervalSince(last) < Double(minVerificationInterval) {
                throw ProblemError(
                    .tooManyRequests, type: "verification-too-frequent", title: "Verification requested too often",
                    detail: "at most one verification per \(minVerificationInterval) seconds (min_verification_interval)",
                    headers: [.retryAfter: String(minVerificationInterval)])
            }
            stream.lastVerificationAt = now
            try txn.putSSFStream(stream, tables: tables)
            var event: [String: JSONValue] = [:]
            if let verificationState { event["state"] = .string(verificationState) }
            // SSF 1.0 §8.1.4.1: the verification event's subject is the stream itself.
            let audit = AuditEvent(tenantId: stream.tenantId, actor: caller.actor, action: "ssf.stream.verify", target: stream.id)
            try SSFEventSource.queue(
                stream: stream, issuer: caller.issuer, subject: .opaque(stream.id), eventType: SSFEventTypes.verification, event: event,
                eventId: audit.id, now: now, in: txn, webhooks: webhooks, streams: tables)
            try txn.appendAudit(audit)
        }
        return Response(status: .noContent)
    }
}
