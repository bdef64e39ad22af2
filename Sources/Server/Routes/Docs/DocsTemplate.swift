/// The `/docs` page. A document of its own rather than an extension of `page`: that frame is
/// a narrow form column, this is a wide reference. Style and script are inlined from
/// `DocsStyle` and `DocsScript` (hashed into the Content-Security-Policy); the sandbox's data
/// sits in a JSON block that `DocsViewModel.scriptSafe` made safe to embed.
enum DocsTemplate {
    static let source = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} API reference</title>
        <style>{{{style}}}</style>
        </head>
        <body>
        <header class="top"><div class="wrap">
        <h1>{{title}} API reference <span class="version">{{version}}</span></h1>
        <p class="lead">{{description}}</p>
        <nav><a href="#families">Route families</a><a href="#sandbox">Sandbox</a><a href="#reference">Reference</a><a href="/openapi.json">openapi.json</a></nav>
        </div></header>
        <main class="wrap">
        <section id="families">
        <h2>Route families</h2>
        <p class="muted">{{operationCount}} operations, generated from this server's OpenAPI document.</p>
        <div class="cards">
        {{#families}}
        <article class="card" id="family-{{id}}" data-family="{{id}}">
        <h3><a href="#ref-{{id}}">{{name}}</a> <span class="count">{{count}}</span></h3>
        <p>{{blurb}}</p>
        <ul class="routes">
        {{#operations}}
        <li><a href="#{{anchor}}" data-operation="{{operationId}}" title="{{summary}}"><span class="method {{methodClass}}">{{method}}</span> <code>{{path}}</code></a></li>
        {{/operations}}
        </ul>
        </article>
        {{/families}}
        </div>
        </section>

        <section id="sandbox" class="sandbox">
        <h2>Sandbox</h2>
        <noscript><p class="muted">The sandbox needs JavaScript; the reference below works without it.</p></noscript>
        <div class="sandbox-grid">
        <form id="sb-form" class="sandbox-inputs" autocomplete="off">
        <label for="sb-family">Route family</label>
        <select id="sb-family"></select>
        <label for="sb-operation">Route</label>
        <select id="sb-operation"></select>
        <label for="sb-base">Base URL</label>
        <input id="sb-base" type="text" spellcheck="false">
        <div id="sb-credential-row">
        <label for="sb-credential" id="sb-credential-label">Bearer token</label>
        <input id="sb-credential" type="text" spellcheck="false" placeholder="leave empty to use $TOKEN">
        </div>
        <div id="sb-params"></div>
        <div id="sb-body-row">
        <label for="sb-body">Body <span id="sb-content-type" class="muted"></span></label>
        <textarea id="sb-body" rows="12" spellcheck="false"></textarea>
        </div>
        </form>
        <div class="sandbox-output">
        <p id="sb-summary" class="summary"></p>
        <p class="muted">Auth: <span id="sb-auth"></span> · <a id="sb-reference" href="#reference">reference</a></p>
        <h3>cURL</h3>
        <pre id="sb-curl" class="code"></pre>
        <p><button type="button" id="sb-copy">Copy cURL</button> <button type="button" id="sb-send">Send</button> <span id="sb-note" class="muted"></span></p>
        <h3>Example response <span id="sb-response-status" class="status"></span></h3>
        <pre id="sb-response" class="code"></pre>
        <h3>Result</h3>
        <pre id="sb-result" class="code muted">Not sent yet.</pre>
        </div>
        </div>
        </section>

        <section id="reference">
        <h2>Reference</h2>
        {{#families}}
        <h3 class="family" id="ref-{{id}}">{{name}}</h3>
        {{#operations}}
        <article class="op" id="{{anchor}}">
        <h4><span class="method {{methodClass}}">{{method}}</span> <code>{{path}}</code></h4>
        <p class="summary">{{summary}}</p>
        <p class="muted">operationId <code>{{operationId}}</code> · <a href="#sandbox/{{operationId}}" class="try" data-operation="{{operationId}}">Try it in the sandbox</a></p>
        <p class="description">{{description}}</p>
        <p><strong>Auth:</strong> {{auth}}</p>
        {{#hasParameters}}
        <table class="params"><caption>Parameters</caption>
        <tr><th>Name</th><th>In</th><th>Type</th><th>Description</th></tr>
        {{#parameters}}<tr><td><code>{{name}}</code>{{#required}} <span class="req">required</span>{{/required}}</td><td>{{location}}</td><td>{{type}}</td><td>{{description}}</td></tr>
        {{/parameters}}
        </table>
        {{/hasParameters}}
        {{#hasRequest}}
        <table class="schema"><caption>Request body · <code>{{requestContentType}}</code></caption>
        <tr><th>Field</th><th>Type</th><th>Notes</th></tr>
        {{#requestRows}}<tr class="d{{depth}}"><td><code>{{name}}</code>{{#required}} <span class="req">required</span>{{/required}}</td><td>{{type}}</td><td>{{detail}}</td></tr>
        {{/requestRows}}
        </table>
        {{/hasRequest}}
        {{#successes}}
        <table class="schema"><caption>Response <span class="status ok">{{status}}</span> {{description}}{{#hasContent}} · <code>{{contentType}}</code>{{/hasContent}}</caption>
        {{#hasRows}}<tr><th>Field</th><th>Type</th><th>Notes</th></tr>
        {{#rows}}<tr class="d{{depth}}"><td><code>{{name}}</code>{{#required}} <span class="req">required</span>{{/required}}</td><td>{{type}}</td><td>{{detail}}</td></tr>
        {{/rows}}{{/hasRows}}
        </table>
        {{/successes}}
        {{#hasErrors}}
        <table class="errors"><caption>Error responses</caption>
        <tr><th>Status</th><th>When</th><th>Body</th></tr>
        {{#errors}}<tr><td><span class="status err">{{status}}</span></td><td>{{description}}</td><td>{{#hasContent}}<code>{{contentType}}</code> {{schemaName}}{{/hasContent}}</td></tr>
        {{/errors}}
        </table>
        {{/hasErrors}}
        </article>
        {{/operations}}
        {{/families}}
        </section>
        </main>
        <script type="application/json" id="docs-data">{{{sandboxJSON}}}</script>
        <script>{{{script}}}</script>
        </body>
        </html>
        """
}
