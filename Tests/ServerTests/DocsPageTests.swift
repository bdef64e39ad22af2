import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

/// `GET /docs`: generated from the OpenAPI document, every operation on it, route families as
/// cards, the sandbox's embedded data, and a CSP that allows exactly its inline script/style.
@Suite struct DocsPageTests {
    /// The served page (through the real router).
    func servedPage() async throws -> (html: String, csp: String, contentType: String) {
        let app = try TestApp()
        return try await app.test { client in
            let response = try await client.execute(uri: "/docs", method: .get)
            #expect(response.status == .ok)
            return (String(buffer: response.body),
                    response.headers[HTTPField.Name("Content-Security-Policy")!] ?? "",
                    response.headers[.contentType] ?? "")
        }
    }

    func document() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
    }

    /// Every (operationId, method, path) of the document.
    func documentedOperations() throws -> [(id: String, method: String, path: String, tag: String)] {
        let paths = try #require(try document()["paths"] as? [String: [String: Any]])
        var operations: [(String, String, String, String)] = []
        for (path, item) in paths {
            for method in DocsViewModel.methods {
                guard let operation = item[method] as? [String: Any] else { continue }
                let id = try #require(operation["operationId"] as? String, "\(method) \(path) has no operationId")
                operations.append((id, method.uppercased(), path, (operation["tags"] as? [String])?.first ?? ""))
            }
        }
        return operations
    }

    /// The text between `start` and the next `end` after it.
    func between(_ html: String, _ start: String, _ end: String) throws -> String {
        let from = try #require(html.range(of: start), "missing \(start)")
        let to = try #require(html.range(of: end, range: from.upperBound..<html.endIndex), "missing \(end) after \(start)")
        return String(html[from.upperBound..<to.lowerBound])
    }

    func sandboxData(_ html: String) throws -> [String: Any] {
        let json = try between(html, #"<script type="application/json" id="docs-data">"#, "</script>")
        return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    @Test func servedAsHTMLWithEveryOperationOfTheDocument() async throws {
        let page = try await servedPage()
        #expect(page.contentType.hasPrefix("text/html"))
        let operations = try documentedOperations()
        #expect(operations.count > 100)
        for operation in operations {
            // A reference section per operation, with its method and path, and a sandbox link.
            let section = try between(page.html, #"<article class="op" id="op-\#(operation.id)">"#, "</article>")
            #expect(section.contains(">\(operation.method)</span> <code>\(operation.path)</code>"), "\(operation.id)")
            #expect(section.contains(##"href="#sandbox/\##(operation.id)""##), "\(operation.id)")
            #expect(section.contains("<strong>Auth:</strong>"), "\(operation.id)")
        }
        let sandbox = try sandboxData(page.html)
        let sandboxIds = Set((sandbox["operations"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
        #expect(sandboxIds == Set(operations.map(\.id)))
    }

    @Test func routeFamiliesAreCardsListingTheirRoutes() async throws {
        let page = try await servedPage()
        var cards: [String: String] = [:]
        for family in ["tenancy", "protocol", "device-trust", "authorization", "licensing", "enterprise", "audit", "operations"] {
            cards[family] = try between(page.html, #"<article class="card" id="family-\#(family)""#, "</article>")
        }
        // The issue's families hold the routes it names.
        #expect(cards["tenancy"]!.contains(##"href="#op-registerTenant""##))
        for id in ["me", "check", "checkScoped", "checkBatch"] {
            #expect(cards["authorization"]!.contains(##"href="#op-\##(id)""##), "\(id)")
        }
        for id in ["getOpenIDConfiguration", "requestToken", "getUserInfo", "startDeviceAuthorization", "requestCertificateBoundToken"] {
            #expect(cards["protocol"]!.contains(##"href="#op-\##(id)""##), "\(id)")
        }
        for id in ["createEnterpriseConnection", "scimCreateUser"] {
            #expect(cards["enterprise"]!.contains(##"href="#op-\##(id)""##), "\(id)")
        }
        #expect(cards["device-trust"]!.contains(##"href="#op-activateDevice""##))
        #expect(cards["licensing"]!.contains(##"href="#op-createSubscription""##))
        #expect(cards["audit"]!.contains(##"href="#op-listAuditEvents""##))
        // Tags the map does not name (Operations) still get a card; every operation is on
        // exactly one card.
        #expect(cards["operations"]!.contains(##"href="#op-getDocs""##))
        let allCards = try between(page.html, #"<div class="cards">"#, "</section>")
        for operation in try documentedOperations() {
            let links = allCards.components(separatedBy: ##"href="#op-\##(operation.id)""##).count - 1
            #expect(links == 1, "\(operation.id) is on \(links) cards")
        }
    }

    @Test func referenceShowsAuthSchemasAndErrors() async throws {
        let page = try await servedPage()
        let register = try between(page.html, #"<article class="op" id="op-registerTenant">"#, "</article>")
        #expect(register.contains("None: public."))
        // The request schema is the $ref'd TenantRegistrationRequest, expanded into fields.
        #expect(register.contains("TenantRegistrationRequest"))
        #expect(register.contains("<code>tenantSlug</code> <span class=\"req\">required</span>"))
        #expect(register.contains("<code>tenantId</code>"))
        // Error responses, with the $ref'd response's description and body type.
        #expect(register.contains(#"<span class="status err">409</span>"#))
        #expect(register.contains("application/problem+json</code> ProblemDetails"))

        let policies = try between(page.html, #"<article class="op" id="op-uploadPolicyBundle">"#, "</article>")
        #expect(policies.contains("bearerToken (HTTP bearer, JWT) with scope arbiter.api"))
        let token = try between(page.html, #"<article class="op" id="op-requestToken">"#, "</article>")
        #expect(token.contains("clientSecretBasic (HTTP basic); or clientSecretPost"))
        #expect(token.contains("application/x-www-form-urlencoded"))
        // Literals as JSON: a boolean default is false, not 0.
        let application = try between(page.html, #"<article class="op" id="op-createApplication">"#, "</article>")
        #expect(application.contains("<td>boolean</td><td>default false</td>"))
    }

    @Test func sandboxDataCarriesExamplesAndAuth() async throws {
        let page = try await servedPage()
        let data = try sandboxData(page.html)
        let families = (data["families"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(Array(families.prefix(7)) == ["Tenancy", "Protocol", "Device Trust", "Authorization", "Licensing", "Enterprise", "Audit"])
        let operations = Dictionary(uniqueKeysWithValues: (data["operations"] as? [[String: Any]] ?? []).map { ($0["id"] as! String, $0) })

        let register = try #require(operations["registerTenant"])
        #expect(register["method"] as? String == "POST")
        #expect(register["path"] as? String == "/api/tenancy/tenant-registrations")
        #expect(register["family"] as? String == "tenancy")
        #expect(register["contentType"] as? String == "application/json")
        #expect(register["bearer"] as? Bool == false)
        #expect(register["responseStatus"] as? String == "201")
        // The body is the document's example, as JSON.
        let paths = try #require(try document()["paths"] as? [String: Any])
        let documented = try #require(((((paths["/api/tenancy/tenant-registrations"] as? [String: Any])?["post"] as? [String: Any])?["requestBody"] as? [String: Any])?["content"] as? [String: Any])?["application/json"] as? [String: Any])
        let example = try #require(documented["example"] as? [String: Any])
        let body = try #require(try JSONSerialization.jsonObject(with: Data((register["body"] as? String ?? "").utf8)) as? [String: Any])
        #expect(NSDictionary(dictionary: body).isEqual(to: example))
        // The response shape is made from the response schema.
        let response = try #require(try JSONSerialization.jsonObject(with: Data((register["response"] as? String ?? "").utf8)) as? [String: Any])
        #expect(Set(response.keys) == ["tenantId", "organizationId", "administratorUserId", "membershipId"])

        let check = try #require(operations["check"])
        #expect(check["bearer"] as? Bool == true)
        #expect((check["body"] as? String ?? "").contains("\"action\""))
        let token = try #require(operations["requestToken"])
        #expect(token["basic"] as? Bool == true)
        #expect(token["contentType"] as? String == "application/x-www-form-urlencoded")
        #expect((token["body"] as? String ?? "").contains("grant_type="))
        let membership = try #require(operations["getMembership"])
        let parameters = (membership["parameters"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(parameters == ["organizationId", "membershipId"])
    }

    @Test func contentSecurityPolicyAllowsExactlyTheInlineScriptAndStyle() async throws {
        let page = try await servedPage()
        func hash(_ text: String) -> String {
            "'sha256-" + Data(SHA256.hash(data: Data(text.utf8))).base64EncodedString() + "'"
        }
        let script = try between(page.html, "<script>", "</script>")
        let style = try between(page.html, "<style>", "</style>")
        #expect(page.csp.contains("script-src \(hash(script));"))
        #expect(page.csp.contains("style-src \(hash(style));"))
        #expect(page.csp.contains("default-src 'none'"))
        #expect(page.csp.contains("connect-src 'self'"))
        // Nothing is loaded from elsewhere: the page works offline.
        #expect(!page.html.contains("src=\"http"))
        #expect(!page.html.contains("<link"))
    }

    @Test func unmappedTagsGetTheirOwnCardAndTextCannotCloseTheScript() throws {
        let document = #"""
        {"openapi": "3.1.0", "info": {"title": "T", "version": "1"},
         "tags": [{"name": "Widgets", "description": "Things </script><b>"}],
         "paths": {"/w/{id}": {"get": {"tags": ["Widgets"], "operationId": "getWidget", "summary": "</script><script>alert(1)</script>",
           "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
           "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Node"}}}}}}},
          "/t": {"post": {"tags": ["Tenancy"], "operationId": "makeT", "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Node"}}}}, "responses": {"204": {"description": "done"}}}}},
         "components": {"schemas": {"Node": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "maxLength": 5}, "child": {"$ref": "#/components/schemas/Node"}}}}}}
        """#
        let model = try DocsViewModel(documentJSON: document)
        #expect(model.families.map(\.name) == ["Tenancy", "Widgets"])
        #expect(model.families[1].blurb == "Things </script><b>")
        // A recursive schema ends: refs are followed a bounded number of times.
        let rows = model.families[1].operations[0].successes[0].rows
        #expect(rows.map(\.name) == ["body", "name", "child", "name", "child"])
        #expect(rows[1].detail == "max length 5" && rows[1].required)
        #expect(!model.sandboxJSON.contains("<") && !model.sandboxJSON.contains(">"))
        let html = DocsRoutes.render(documentJSON: document)
        #expect(!html.contains("<script>alert(1)"))
        #expect(html.contains("&lt;/script&gt;&lt;b&gt;"))
        #expect(html.contains(#"id="family-widgets""#))
    }
}
