import Foundation

/// What `/docs` shows, built once from the OpenAPI document: route families as cards, a
/// reference section per operation and the sandbox's data. Everything here is text ready to
/// render, so the page can be rendered once at startup and never looks at the JSON again.
struct DocsViewModel: Sendable {
    struct SchemaRow: Sendable {
        var name: String
        var type: String
        var required: Bool
        var detail: String
        /// Nesting level, 0 to `maxDepth`; the template turns it into a CSS class.
        var depth: Int
    }

    struct Parameter: Sendable {
        var name: String
        var location: String
        var required: Bool
        var type: String
        var description: String
    }

    struct ResponseInfo: Sendable {
        var status: String
        var description: String
        var contentType: String
        var schemaName: String
        var rows: [SchemaRow]
        var hasRows = false
        var hasContent = false
    }

    struct Operation: Sendable {
        var operationId: String
        var method: String
        var path: String
        var summary: String
        var description: String
        var tag: String
        var auth: String
        var isPublic: Bool
        var parameters: [Parameter]
        var requestContentType: String
        var requestRows: [SchemaRow]
        var successes: [ResponseInfo]
        var errors: [ResponseInfo]
        var exampleBody: String
        var exampleResponse: String
        var exampleStatus: String
        var bearer: Bool
        var basic: Bool

        // Stored, not computed: Mustache reads values through Mirror, which sees stored
        // properties only. `finished()` fills them.
        var anchor = ""
        var methodClass = ""
        var hasParameters = false
        var hasRequest = false
        var hasErrors = false

        func finished() -> Operation {
            var operation = self
            operation.anchor = "op-\(operationId)"
            operation.methodClass = method.lowercased()
            operation.hasParameters = !parameters.isEmpty
            operation.hasRequest = !requestContentType.isEmpty
            operation.hasErrors = !errors.isEmpty
            operation.successes = successes.map { var response = $0; response.hasRows = !$0.rows.isEmpty; response.hasContent = !$0.contentType.isEmpty; return response }
            operation.errors = errors.map { var response = $0; response.hasContent = !$0.contentType.isEmpty; return response }
            return operation
        }
    }

    struct Family: Sendable {
        var id: String
        var name: String
        var blurb: String
        var operations: [Operation]
        var count = 0
    }

    var title: String
    var version: String
    var description: String
    var families: [Family]
    /// The sandbox's data as JSON, made safe to sit inside a `<script>` element.
    var sandboxJSON: String

    var operationCount: Int

    /// The families the issue names, in that order, and the OpenAPI tags each gathers. A tag
    /// not listed here gets a card of its own, so a new route family is never hidden.
    static let familyMap: [(name: String, blurb: String, tags: [String])] = [
        ("Tenancy", "Tenant registration and a tenant's administration: applications, environments and OAuth clients, organizations, memberships and groups.", ["Tenancy", "Applications", "Organizations"]),
        ("Protocol", "OpenID Connect and OAuth 2.0: discovery, token, userinfo, device flow, mTLS, introspection and revocation. Each tenant is its own issuer, {base}/t/{tenant}.", ["Protocol"]),
        ("Device Trust", "Device activations against seats, heartbeats signed by the device key, offline leases, credentials, posture and risk.", ["Devices"]),
        ("Authorization", "What application backends call: me, check, check-scoped and batch; resource scopes and the tenant's policy bundles.", ["Runtime", "Scopes", "Policies"]),
        ("Licensing", "Feature manifests, subscriptions with seats, entitlements and seat assignments; the marketplace catalog.", ["Licensing", "Marketplace"]),
        ("Enterprise", "Enterprise identity-provider connections and SCIM 2.0 provisioning.", ["Enterprise", "SCIM"]),
        ("Audit", "The append-only audit log and what is delivered from it.", ["Audit", "Webhooks"]),
    ]

    /// How deep schemas and examples are expanded; `$ref`s are followed at most `maxRefs`
    /// times along one branch, so recursive schemas end.
    static let maxDepth = 3
    static let maxRefs = 2
    static let maxRowsPerSchema = 80

    static let methods = ["get", "post", "put", "patch", "delete", "head", "options"]

    init(documentJSON: String) throws {
        guard let document = try JSONSerialization.jsonObject(with: Data(documentJSON.utf8)) as? [String: Any] else {
            throw DocsError.notAnObject
        }
        let resolver = SchemaResolver(document: document)
        let info = document["info"] as? [String: Any] ?? [:]
        title = info["title"] as? String ?? "API"
        version = info["version"] as? String ?? ""
        description = info["description"] as? String ?? ""

        var tagDescriptions: [String: String] = [:]
        var tagOrder: [String] = []
        for tag in document["tags"] as? [[String: Any]] ?? [] {
            guard let name = tag["name"] as? String else { continue }
            tagOrder.append(name)
            tagDescriptions[name] = tag["description"] as? String ?? ""
        }

        let defaultSecurity = document["security"] as? [[String: [String]]]
        // JSONSerialization forgets key order; the document's own order (where each
        // operationId appears) keeps related routes together as written. One pass over the text.
        var documentOrder: [String: Int] = [:]
        for (index, piece) in documentJSON.components(separatedBy: "\"operationId\": \"").dropFirst().enumerated() {
            if let end = piece.firstIndex(of: "\""), documentOrder[String(piece[..<end])] == nil { documentOrder[String(piece[..<end])] = index }
        }
        var operations: [(position: Int, operation: Operation)] = []
        for (path, item) in document["paths"] as? [String: [String: Any]] ?? [:] {
            let shared = item["parameters"] as? [[String: Any]] ?? []
            for method in Self.methods {
                guard let raw = item[method] as? [String: Any] else { continue }
                let operation = Self.operation(
                    method: method, path: path, raw: raw, sharedParameters: shared,
                    defaultSecurity: defaultSecurity, resolver: resolver)
                operations.append((documentOrder[operation.operationId] ?? Int.max, operation))
            }
        }
        operations.sort { ($0.position, $0.operation.path, $0.operation.method) < ($1.position, $1.operation.path, $1.operation.method) }

        var families: [Family] = []
        var claimed: Set<String> = []
        for entry in Self.familyMap {
            let members = entry.tags.flatMap { tag in operations.map(\.operation).filter { $0.tag == tag } }
            claimed.formUnion(entry.tags)
            families.append(Family(id: Self.slug(entry.name), name: entry.name, blurb: entry.blurb, operations: members))
        }
        var leftoverTags = tagOrder.filter { !claimed.contains($0) }
        for operation in operations.map(\.operation) where !claimed.contains(operation.tag) && !leftoverTags.contains(operation.tag) {
            leftoverTags.append(operation.tag)
        }
        for tag in leftoverTags {
            let members = operations.map(\.operation).filter { $0.tag == tag }
            guard !members.isEmpty else { continue }
            let name = tag.isEmpty ? "Other" : tag
            families.append(Family(id: Self.slug(name), name: name, blurb: tagDescriptions[tag] ?? "", operations: members))
        }
        self.families = families.filter { !$0.operations.isEmpty }.map { var family = $0; family.count = $0.operations.count; return family }
        self.operationCount = self.families.reduce(0) { $0 + $1.count }
        self.sandboxJSON = try Self.sandboxData(families: self.families)
    }

    enum DocsError: Error { case notAnObject }

    static func slug(_ name: String) -> String {
        name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }.reduce(into: "") { $0.append($1) }
    }

    // MARK: - One operation

    static func operation(
        method: String, path: String, raw: [String: Any], sharedParameters: [[String: Any]],
        defaultSecurity: [[String: [String]]]?, resolver: SchemaResolver
    ) -> Operation {
        let operationId = raw["operationId"] as? String ?? "\(method)\(path)"
        let security = raw["security"] as? [[String: [String]]] ?? defaultSecurity ?? []
        let auth = authText(security, resolver: resolver)

        var parameters: [Parameter] = []
        for rawParameter in sharedParameters + (raw["parameters"] as? [[String: Any]] ?? []) {
            let parameter = resolver.resolveObject(rawParameter)
            guard let name = parameter["name"] as? String else { continue }
            let schema = parameter["schema"] as? [String: Any] ?? [:]
            parameters.append(Parameter(
                name: name, location: parameter["in"] as? String ?? "query",
                required: parameter["required"] as? Bool ?? false,
                type: resolver.typeText(schema, refsLeft: maxRefs),
                description: parameter["description"] as? String ?? ""))
        }

        var requestContentType = ""
        var requestRows: [SchemaRow] = []
        var exampleBody = ""
        if let body = (raw["requestBody"] as? [String: Any]).map(resolver.resolveObject),
           let content = body["content"] as? [String: Any],
           let (type, media) = preferredMedia(content) {
            requestContentType = type
            let schema = media["schema"] as? [String: Any] ?? [:]
            requestRows = resolver.rows(schema)
            let example = media["example"] ?? resolver.example(schema, depth: 0, refsLeft: maxRefs + 1)
            exampleBody = exampleText(example, contentType: type)
        }

        var successes: [ResponseInfo] = []
        var errors: [ResponseInfo] = []
        var exampleResponse = ""
        var exampleStatus = ""
        let responses = raw["responses"] as? [String: Any] ?? [:]
        for status in responses.keys.sorted() {
            guard let response = (responses[status] as? [String: Any]).map(resolver.resolveObject) else { continue }
            var info = ResponseInfo(
                status: status, description: response["description"] as? String ?? "",
                contentType: "", schemaName: "", rows: [])
            if let content = response["content"] as? [String: Any], let (type, media) = preferredMedia(content) {
                info.contentType = type
                let schema = media["schema"] as? [String: Any] ?? [:]
                info.schemaName = resolver.typeText(schema, refsLeft: 0)
                if status.hasPrefix("2") {
                    info.rows = resolver.rows(schema)
                    if exampleStatus.isEmpty {
                        exampleStatus = status
                        let example = media["example"] ?? resolver.example(schema, depth: 0, refsLeft: maxRefs + 1)
                        exampleResponse = exampleText(example, contentType: "application/json")
                    }
                }
            }
            if status.hasPrefix("2") || status.hasPrefix("3") || status.hasPrefix("1") {
                successes.append(info)
                if exampleStatus.isEmpty {
                    exampleStatus = status
                    exampleResponse = info.contentType.isEmpty ? "(no body)" : "(\(info.contentType))"
                }
            } else {
                errors.append(info)
            }
        }

        let schemes = Set(security.flatMap(\.keys))
        return Operation(
            operationId: operationId, method: method.uppercased(), path: path,
            summary: raw["summary"] as? String ?? "", description: raw["description"] as? String ?? "",
            tag: (raw["tags"] as? [String])?.first ?? "",
            auth: auth, isPublic: security.isEmpty || security.contains(where: \.isEmpty),
            parameters: parameters, requestContentType: requestContentType, requestRows: requestRows,
            successes: successes, errors: errors,
            exampleBody: exampleBody, exampleResponse: exampleResponse, exampleStatus: exampleStatus,
            bearer: schemes.contains { resolver.isBearer($0) },
            basic: schemes.contains { resolver.isBasic($0) }).finished()
    }

    /// JSON first (that is what the sandbox can fill in), then forms, then whatever is there.
    static func preferredMedia(_ content: [String: Any]) -> (String, [String: Any])? {
        let order = ["application/json", "application/scim+json", "application/x-www-form-urlencoded"]
        for type in order { if let media = content[type] as? [String: Any] { return (type, media) } }
        guard let type = content.keys.sorted().first else { return nil }
        return (type, content[type] as? [String: Any] ?? [:])
    }

    /// "Public", or each alternative the document allows, e.g. "bearerToken (HTTP bearer, JWT)
    /// with scopes arbiter.api".
    static func authText(_ security: [[String: [String]]], resolver: SchemaResolver) -> String {
        if security.isEmpty { return "None: public." }
        let alternatives = security.map { requirement -> String in
            if requirement.isEmpty { return "none (public)" }
            return requirement.keys.sorted().map { scheme in
                let scopes = requirement[scheme] ?? []
                let kind = resolver.schemeText(scheme)
                return scopes.isEmpty ? "\(scheme) (\(kind))" : "\(scheme) (\(kind)) with scope \(scopes.joined(separator: ", "))"
            }.joined(separator: " and ")
        }
        return alternatives.joined(separator: "; or ")
    }

    static func exampleText(_ example: Any, contentType: String) -> String {
        if contentType == "application/x-www-form-urlencoded", let fields = example as? [String: Any] {
            return fields.keys.sorted().map { key in
                let value = fields[key].map(SchemaResolver.literal) ?? ""
                return "\(formEscape(key))=\(formEscape(value))"
            }.joined(separator: "&")
        }
        if let string = example as? String, !contentType.contains("json") { return string }
        guard JSONSerialization.isValidJSONObject([example]),
              let data = try? JSONSerialization.data(withJSONObject: example, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    static func formEscape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    // MARK: - Sandbox data

    struct SandboxOperation: Encodable {
        var id: String
        var family: String
        var method: String
        var path: String
        var summary: String
        var auth: String
        var bearer: Bool
        var basic: Bool
        var contentType: String
        var body: String
        var responseStatus: String
        var response: String
        var parameters: [SandboxParameter]
    }

    struct SandboxParameter: Encodable {
        var name: String
        var location: String
        var required: Bool
    }

    struct SandboxData: Encodable {
        var families: [SandboxFamily]
        var operations: [SandboxOperation]
    }

    struct SandboxFamily: Encodable {
        var id: String
        var name: String
    }

    /// The JSON the sandbox script reads. `<`, `>` and `&` are escaped as \u003c… so no text
    /// in the document can close the `<script>` element that carries it.
    static func sandboxData(families: [Family]) throws -> String {
        let data = SandboxData(
            families: families.map { SandboxFamily(id: $0.id, name: $0.name) },
            operations: families.flatMap { family in
                family.operations.map { operation in
                    SandboxOperation(
                        id: operation.operationId, family: family.id, method: operation.method, path: operation.path,
                        summary: operation.summary, auth: operation.auth, bearer: operation.bearer, basic: operation.basic,
                        contentType: operation.requestContentType, body: operation.exampleBody,
                        responseStatus: operation.exampleStatus, response: operation.exampleResponse,
                        parameters: operation.parameters.filter { $0.location == "path" || $0.location == "query" }
                            .map { SandboxParameter(name: $0.name, location: $0.location, required: $0.required) })
                }
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(data), as: UTF8.self)
        return scriptSafe(json)
    }

    static func scriptSafe(_ json: String) -> String {
        json.replacingOccurrences(of: "&", with: "\\u0026")
            .replacingOccurrences(of: "<", with: "\\u003c")
            .replacingOccurrences(of: ">", with: "\\u003e")
            .replacingOccurrences(of: "\u{2028}", with: "\\u2028")
            .replacingOccurrences(of: "\u{2029}", with: "\\u2029")
    }
}
