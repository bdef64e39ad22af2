import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// `GET /docs`: the API reference and request sandbox, generated from the OpenAPI document
/// this binary serves at `/openapi.json`. The page depends on nothing in a request, so it is
/// rendered once, when the router is built, and served as the same bytes after.
struct DocsRoutes {
    let page: ByteBuffer
    let headers: HTTPFields

    /// Built on first use and shared by every router this process makes (tests make many).
    static let shared = DocsRoutes()

    init(documentJSON: String = OpenAPIDocument.json) {
        let html = Self.render(documentJSON: documentJSON)
        page = ByteBuffer(string: html)
        headers = Self.headers
    }

    func add(to router: Router<ArbiterRequestContext>) {
        router.get("/docs") { _, _ in
            Response(status: .ok, headers: headers, body: .init(byteBuffer: page))
        }
    }

    /// The page's HTML. The document and templates are constants of this binary: a document
    /// this cannot read, or a template that does not parse, is a programming error caught by
    /// the first test that builds a router.
    static func render(documentJSON: String) -> String {
        let model = try! DocsViewModel(documentJSON: documentJSON)
        let template = try! MustacheTemplate(string: DocsTemplate.source)
        return template.render(Page(model: model))
    }

    /// What the template sees: the view model's values plus the inlined style and script.
    struct Page: MustacheParent {
        let model: DocsViewModel

        func child(named name: String) -> Any? {
            switch name {
            case "style": DocsStyle.source
            case "script": DocsScript.source
            case "title": model.title
            case "version": model.version
            case "description": model.description
            case "families": model.families
            case "operationCount": model.operationCount
            case "sandboxJSON": model.sandboxJSON
            default: nil
            }
        }
    }

    /// Like the other pages (no framing, no sniffing, no referrer), but this one runs a
    /// script: only the inline script and style whose hashes are listed, and `fetch` only to
    /// this origin (the sandbox's "send"). Nothing else loads, so the page works offline.
    static var headers: HTTPFields {
        let policy = [
            "default-src 'none'",
            "script-src '\(cspHash(DocsScript.source))'",
            "style-src '\(cspHash(DocsStyle.source))'",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ].joined(separator: "; ")
        return [
            .contentType: "text/html; charset=utf-8",
            .cacheControl: "no-cache",
            HTTPField.Name("X-Frame-Options")!: "DENY",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            HTTPField.Name("Referrer-Policy")!: "no-referrer",
            HTTPField.Name("Content-Security-Policy")!: policy,
        ]
    }

    /// A CSP source expression for an inline element whose text is exactly `text`.
    static func cspHash(_ text: String) -> String {
        "sha256-" + Data(SHA256.hash(data: Data(text.utf8))).base64EncodedString()
    }
}
