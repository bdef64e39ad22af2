import Evaluator
import Foundation
import HTTPTypes
import Hummingbird
import Identity
import PolicyLang
import Store

/// `/api/organizations/{organizationId}/webhooks[/{webhookId}[/deliveries]]`: signed
/// deliveries of an organization's audit events (README "Webhooks").
///
/// Administrators only, through the built-in policy on `Webhook::"<id>"` (a child of its
/// Organization). The secret is generated here and answered once, by the creation.
struct WebhookRoutes {
    let organizations: OrganizationRoutes

    var authorizer: ManagementAuthorizer { organizations.authorizer }
    var services: ArbiterApplication.Services { organizations.services }
    var tables: WebhookTables { services.webhookTables }

    static let maxURLBytes = 2048
    static let maxDeliveryPage = 100

    func add(to group: RouterGroup<ArbiterRequestContext>) {
        group.post(":organizationId/webhooks") { request, context in try await create(request, context) }
        group.get(":organizationId/webhooks") { request, context in try list(request, context) }
        group.get(":organizationId/webhooks/:webhookId") { _, context in try get(context) }
        group.delete(":organizationId/webhooks/:webhookId") { _, context in try await delete(context) }
        group.get(":organizationId/webhooks/:webhookId/deliveries") { request, context in try deliveries(request, context) }
    }

    static func entity(tenantId: String, organizationId: String, id: String) -> PolicyEntity {
        PolicyEntity(
            uid: EntityUID(type: "Webhook", id: id),
            attributes: ["tenant": .entity(ManagementAuthorizer.tenantUID(tenantId))],
            parents: [EntityUID(type: "Organization", id: organizationId)])
    }

    /// The organization and webhook named in the path, both the caller's; 404 otherwise.
    func pathWebhook(_ caller: ManagementCaller, _ context: ArbiterRequestContext, _ action: ManagementAction) throws -> (Organization, Webhook) {
        let organization = try organizations.pathOrganization(caller, context)
        let id = context.parameters.get("webhookId") ?? ""
        let tables = self.tables
        guard let webhook = try services.environment.read({ try $0.webhook(tenantId: caller.tenantId, id: id, tables: tables) }),
              webhook.organizationId == organization.id
        else { throw ProblemError.notFound("no webhook '\(id.prefix(100))' in this organization") }
        try authorizer.authorize(
            caller, action, Self.entity(tenantId: caller.tenantId, organizationId: organization.id, id: webhook.id),
            related: [organizations.entity(organization)], logger: context.logger)
        return (organization, webhook)
    }

    func create(_ request: Request, _ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        let organization = try organizations.pathOrganization(caller, context)
        try authorizer.authorize(
            caller, .create,
            Self.entity(tenantId: caller.tenantId, organizationId: organization.id, id: ManagementAuthorizer.newObjectID),
            related: [organizations.entity(organization)], logger: context.logger)
        var fields = try await ApplicationsAPI.fields(request, limit: organizations.maxBodyBytes)
        let allowPrivate = OutboundAddresses.allowsPrivate(publicBaseURL: services.tokenIssuer.naming.baseURL)
        let (url, eventTypes) = try Self.readBody(&fields, allowPrivate: allowPrivate)
        let webhook = Webhook(
            id: RandomID.make(prefix: "whk"), tenantId: caller.tenantId, organizationId: organization.id, url: url,
            eventTypes: eventTypes, secret: Self.makeSecret(), createdAt: Date(), createdBy: caller.actor)
        let tables = self.tables
        try await services.environment.write { txn in
            guard try txn.webhooks(tenantId: webhook.tenantId, tables: tables).count < WebhookTables.maxPerTenant else {
                throw ProblemError.conflict(
                    type: "webhook-limit", title: "Too many webhooks",
                    detail: "a tenant may have at most \(WebhookTables.maxPerTenant) webhooks; delete one first")
            }
            _ = try txn.putJSON(tables.webhooks, WebhookTables.webhookKey(tenantId: webhook.tenantId, id: webhook.id), webhook)
            try txn.appendAudit(AuditEvent(
                tenantId: webhook.tenantId, actor: webhook.createdBy, action: "webhook.create", target: webhook.id,
                reason: "deliver \(eventTypes.joined(separator: ", ").prefix(200)) to \(Self.displayURL(url))",
                organizationId: webhook.organizationId))
        }
        var dto = WebhookDTO(webhook)
        dto.secret = webhook.secret
        return try JSONResponse.make(.created, dto, headers: [
            .location: "/api/organizations/\(organization.id)/webhooks/\(webhook.id)", .cacheControl: "no-store",
        ])
    }

    func list(_ request: Request, _ context: ArbiterRequestContext) throws -> Response {
        let caller = try authorizer.caller(context)
        let organization = try organizations.pathOrganization(caller, context)
        try authorizer.authorize(
            caller, .read, Self.entity(tenantId: caller.tenantId, organizationId: organization.id, id: ManagementAuthorizer.newObjectID),
            related: [organizations.entity(organization)], logger: context.logger)
        let tables = self.tables
        let all = try services.environment.read { try $0.webhooks(tenantId: caller.tenantId, tables: tables) }
        return try JSONResponse.make(.ok, WebhookListDTO(items: all.filter { $0.organizationId == organization.id }.map(WebhookDTO.init)))
    }

    func get(_ context: ArbiterRequestContext) throws -> Response {
        let caller = try authorizer.caller(context)
        let (_, webhook) = try pathWebhook(caller, context, .read)
        return try JSONResponse.make(.ok, WebhookDTO(webhook))
    }

    /// Deletes the webhook with its delivery records; pending deliveries are not sent.
    func delete(_ context: ArbiterRequestContext) async throws -> Response {
        let caller = try authorizer.caller(context)
        let (_, webhook) = try pathWebhook(caller, context, .delete)
        let tables = self.tables, actor = caller.actor
        try await services.environment.write { txn in
            // Read again inside the transaction: a concurrent delete answers 404, not 500.
            guard let current = try txn.webhook(tenantId: webhook.tenantId, id: webhook.id, tables: tables) else {
                throw ProblemError.notFound("no webhook '\(webhook.id)' in this organization")
            }
            try txn.deleteWebhook(current, tables: tables)
            try txn.appendAudit(AuditEvent(
                tenantId: current.tenantId, actor: actor, action: "webhook.delete", target: current.id,
                organizationId: current.organizationId))
        }
        return Response(status: .noContent)
    }

    /// Newest first, with an opaque cursor; `status` narrows to pending, delivered or failed.
    func deliveries(_ request: Request, _ context: ArbiterRequestContext) throws -> Response {
        let caller = try authorizer.caller(context)
        let (_, webhook) = try pathWebhook(caller, context, .read)
        let parameters = request.uri.queryParameters
        var errors: [FieldError] = []
        var limit = 50
        if let raw = parameters.get("limit") {
            if let value = Int(raw), (1...Self.maxDeliveryPage).contains(value) { limit = value } else {
                errors.append(FieldError(field: "limit", message: "must be a whole number from 1 to \(Self.maxDeliveryPage)"))
            }
        }
        var status: WebhookDelivery.Status?
        if let raw = parameters.get("status") {
            if let value = WebhookDelivery.Status(rawValue: raw) { status = value } else {
                errors.append(FieldError(field: "status", message: "must be pending, delivered or failed"))
            }
        }
        let prefix = Key(.string(webhook.tenantId), .string(webhook.id))
        var below = prefix.prefixUpperBound()
        if let raw = parameters.get("cursor") {
            if raw.utf8.count <= 400, let bytes = AuditEventRoutes.decodeBase64url(raw), !bytes.isEmpty,
               Key(encoded: bytes).hasPrefix(prefix) {
                below = Key(encoded: bytes)
            } else {
                errors.append(FieldError(field: "cursor", message: "must be the nextCursor of a previous page"))
            }
        }
        guard errors.isEmpty else { throw ProblemError.validation(errors) }
        let tables = self.tables
        // At most 2000 rows read per page, whatever the filter: a page may come back short
        // with a cursor, never walk a long history at once.
        let (items, cursor): ([WebhookDelivery], [UInt8]?) = try services.environment.read { txn in
            var items: [WebhookDelivery] = []
            var scanned = 0
            var last: [UInt8]?
            var more = false
            try txn.scanBackward(tables.deliveries, below: below, downTo: prefix) { key, value in
                if items.count == limit || scanned == 2000 {
                    more = true
                    return false
                }
                scanned += 1
                last = Array(key)
                let delivery = try StoredJSON.decode(WebhookDelivery.self, from: value)
                if status == nil || delivery.status == status { items.append(delivery) }
                return true
            }
            return (items, more ? last : nil)
        }
        return try JSONResponse.make(.ok, WebhookDeliveryPageDTO(
            items: items.map(WebhookDeliveryDTO.init), nextCursor: cursor.map { AuditEventRoutes.base64url(Data($0)) }))
    }

    // MARK: Input

    static func readBody(_ fields: inout ManagementFields, allowPrivate: Bool) throws -> (String, [String]) {
        let url = fields.string("url")
        let eventTypes = fields.optionalStrings("eventTypes")
        var errors = fields.finish()
        if let url, let problem = urlProblem(url, allowPrivate: allowPrivate) { errors.append(FieldError(field: "url", message: problem)) }
        if let eventTypes {
            if eventTypes.isEmpty || eventTypes.count > WebhookEventTypes.maxCount {
                errors.append(FieldError(field: "eventTypes", message: "must list 1 to \(WebhookEventTypes.maxCount) event types"))
            }
            for (index, pattern) in eventTypes.enumerated() {
                if let problem = WebhookEventTypes.problem(pattern) {
                    errors.append(FieldError(field: "eventTypes[\(index)]", message: problem))
                }
            }
        } else if !errors.contains(where: { $0.field == "eventTypes" }) {
            errors.append(FieldError(field: "eventTypes", message: "is required"))
        }
        guard errors.isEmpty, let url, let eventTypes else { throw ProblemError.validation(errors) }
        var unique: [String] = []
        for pattern in eventTypes where !unique.contains(pattern) { unique.append(pattern) }
        return (url, unique)
    }

    /// https to any public host; plain http only to the loopback interface (127.0.0.1, ::1,
    /// localhost), which is for development and tests: the signature authenticates a
    /// delivery but does not hide it, so anything leaving the machine must use TLS.
    /// Loopback, private and link-local addresses only on a development server
    /// (`OutboundAddresses`), so a tenant cannot aim deliveries at the server's own network.
    static func urlProblem(_ url: String, allowPrivate: Bool) -> String? {
        guard url.utf8.count <= maxURLBytes else { return "must be at most \(maxURLBytes) bytes" }
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(),
              let host = parts.host, !host.isEmpty
        else { return "must be an absolute https URL such as https://hooks.example.com/arbiter" }
        guard parts.user == nil, parts.password == nil else { return "must not carry a user name or password" }
        guard parts.fragment == nil else { return "must not have a #fragment" }
        if !allowPrivate, OutboundAddresses.isPrivate(host: host) {
            return "must not name a loopback, private or link-local address (allowed only on a development server, whose public URL is on loopback)"
        }
        switch scheme {
        case "https": return nil
        case "http":
            return isLoopback(host) ? nil : "must use https (plain http is allowed only to 127.0.0.1, ::1 or localhost, for development)"
        default: return "must use https"
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased()
        return host == "localhost" || host == "::1" || host == "[::1]" || host == "127.0.0.1"
    }

    /// The URL without its query (which may carry a receiver's token), for audit reasons.
    static func displayURL(_ url: String) -> String {
        guard var parts = URLComponents(string: url) else { return "" }
        parts.query = nil
        return String((parts.string ?? "").prefix(300))
    }

    /// `whsec_` and 32 random bytes in base64url.
    static func makeSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return "whsec_" + AuditEventRoutes.base64url(Data(bytes))
    }
}
