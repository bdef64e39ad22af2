import HTTPTypes
import Hummingbird
import Mustache

/// The server-rendered pages (sign-in, device approval, sign-out), rendered with
/// swift-mustache from templates compiled into the binary, so `arbiter` stays one file.
///
/// Every page extends the `page` template (Mustache template inheritance):
///
///     {{<page}}{{$title}}Sign in{{/title}}{{$body}}…{{/body}}{{/page}}
///
/// Mustache escapes `{{value}}` as HTML, which is what makes echoing user input safe here;
/// never use `{{{triple}}}` on anything a request supplied.
struct WebPages: Sendable {
    let library: MustacheLibrary

    /// Each page's template, by name. New pages add their template here.
    static let templates: [String: String] = [
        "page": PageTemplate.source,
        "message": MessagePageTemplate.source,
        SignInPageTemplate.name: SignInPageTemplate.source,
        "device": DevicePageTemplate.source,
        SignOutConfirmTemplate.name: SignOutConfirmTemplate.source,
    ]

    init() {
        var library = MustacheLibrary()
        for (name, source) in Self.templates {
            // The templates are constants of this binary; a bad one is a programming error
            // caught by the first test that renders any page.
            try! library.register(source, named: name)
        }
        self.library = library
    }

    /// An HTML response for `template` rendered with `object` (a dictionary or a struct).
    func render(_ template: String, _ object: Any, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        let html = library.render(object, withTemplate: template) ?? ""
        var fields = Self.securityHeaders
        for field in headers { fields.append(field) }
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// A plain page that says one thing (approved, denied, signed out, an error).
    func message(title: String, text: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        render("message", ["title": title, "text": text], status: status, headers: headers)
    }

    /// Pages hold forms that carry credentials: never cache them, never frame them (click-
    /// jacking), and allow no script at all.
    static let securityHeaders: HTTPFields = [
        .contentType: "text/html; charset=utf-8",
        .cacheControl: "no-store",
        HTTPField.Name("X-Frame-Options")!: "DENY",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
        HTTPField.Name("Content-Security-Policy")!: "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    ]
}

/// The frame every page shares.
enum PageTemplate {
    static let source = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{$title}}Arbiter{{/title}}</title>
        <style>
        body { font-family: system-ui, sans-serif; max-width: 26rem; margin: 4rem auto; padding: 0 1rem; color: #1b1f24; }
        h1 { font-size: 1.4rem; }
        label { display: block; margin: .8rem 0 .2rem; }
        input[type=text], input[type=password] { width: 100%; padding: .5rem; box-sizing: border-box; }
        button { margin-top: 1rem; padding: .5rem 1rem; }
        .error { color: #b00020; }
        .muted { color: #57606a; font-size: .9rem; }
        </style>
        </head>
        <body>
        <main>
        {{$body}}{{/body}}
        </main>
        </body>
        </html>
        """
}

enum MessagePageTemplate {
    static let source = """
        {{<page}}{{$title}}{{title}}{{/title}}{{$body}}<h1>{{title}}</h1>
        <p>{{text}}</p>{{/body}}{{/page}}
        """
}
