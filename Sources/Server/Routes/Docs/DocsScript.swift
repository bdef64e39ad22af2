/// The `/docs` sandbox script: plain JavaScript, inlined into the page and allowed by its hash.
///
/// The cURL it writes, one line, parts separated by single spaces, every argument in single
/// quotes (a `'` inside becomes `'\''`):
///
///     curl -X METHOD 'BASE+PATH[?QUERY]' [-H 'Authorization: Bearer TOKEN' | -H "Authorization: Bearer $TOKEN"]
///          [-u 'CLIENT_ID:CLIENT_SECRET'] [-H 'Content-Type: TYPE' -d 'BODY']
///
/// BODY is the editor's text; JSON that parses is re-serialized compactly (JSON.stringify,
/// keys in the editor's order). Path parameters left empty stay `{name}`; empty optional
/// query parameters are left out.
enum DocsScript {
    static let source = #"""
        (function () {
          "use strict";
          var data = JSON.parse(document.getElementById("docs-data").textContent);
          var byId = {};
          data.operations.forEach(function (op) { byId[op.id] = op; });
          function $(id) { return document.getElementById(id); }
          var family = $("sb-family"), operation = $("sb-operation"), base = $("sb-base"),
              credential = $("sb-credential"), body = $("sb-body"), params = $("sb-params");
          var current = null;

          function option(value, text) {
            var o = document.createElement("option"); o.value = value; o.textContent = text; return o;
          }
          data.families.forEach(function (f) { family.appendChild(option(f.id, f.name)); });
          base.value = window.location.origin && window.location.origin !== "null" ? window.location.origin : "http://127.0.0.1:8080";

          function fillOperations() {
            operation.textContent = "";
            data.operations.forEach(function (op) {
              if (op.family === family.value) operation.appendChild(option(op.id, op.method + " " + op.path));
            });
          }

          function pretty(text, type) {
            if (!/json/.test(type || "")) return text;
            try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { return text; }
          }

          function quote(text) { return "'" + String(text).replace(/'/g, "'\\''") + "'"; }

          function select(id, fromUser) {
            var op = byId[id];
            if (!op) return false;
            current = op;
            family.value = op.family;
            fillOperations();
            operation.value = op.id;
            params.textContent = "";
            op.parameters.forEach(function (p) {
              var label = document.createElement("label");
              label.htmlFor = "sb-param-" + p.name;
              label.textContent = p.name + " (" + p.location + (p.required ? ", required" : "") + ")";
              var input = document.createElement("input");
              input.type = "text"; input.id = "sb-param-" + p.name; input.spellcheck = false;
              input.dataset.name = p.name; input.dataset.location = p.location;
              input.addEventListener("input", render);
              params.appendChild(label); params.appendChild(input);
            });
            $("sb-credential-row").hidden = !(op.bearer || op.basic);
            $("sb-credential-label").textContent = op.bearer ? "Bearer token" : "Client credentials (client_id:client_secret)";
            credential.placeholder = op.bearer ? "leave empty to use $TOKEN" : "leave empty to use $CLIENT_ID:$CLIENT_SECRET";
            $("sb-body-row").hidden = !op.contentType;
            $("sb-content-type").textContent = op.contentType;
            body.value = pretty(op.body, op.contentType);
            $("sb-summary").textContent = op.summary;
            $("sb-auth").textContent = op.auth;
            $("sb-reference").href = "#op-" + op.id;
            $("sb-response-status").textContent = op.responseStatus;
            $("sb-response").textContent = pretty(op.response, "application/json") || "(no example)";
            $("sb-result").textContent = "Not sent yet.";
            if (fromUser && window.history && history.replaceState) history.replaceState(null, "", "#sandbox/" + op.id);
            render();
            return true;
          }

          function url() {
            var path = current.path, query = [];
            params.querySelectorAll("input").forEach(function (input) {
              var value = input.value;
              if (input.dataset.location === "path") {
                if (value) path = path.split("{" + input.dataset.name + "}").join(encodeURIComponent(value));
              } else if (value) {
                query.push(encodeURIComponent(input.dataset.name) + "=" + encodeURIComponent(value));
              }
            });
            return base.value.replace(/\/+$/, "") + path + (query.length ? "?" + query.join("&") : "");
          }

          function bodyText() {
            var text = body.value;
            if (/json/.test(current.contentType)) {
              try { return JSON.stringify(JSON.parse(text)); } catch (e) { return text; }
            }
            return text;
          }

          function curl() {
            var parts = ["curl", "-X", current.method, quote(url())];
            if (current.bearer) {
              parts.push("-H", credential.value ? quote("Authorization: Bearer " + credential.value) : "\"Authorization: Bearer $TOKEN\"");
            } else if (current.basic) {
              parts.push("-u", credential.value ? quote(credential.value) : "\"$CLIENT_ID:$CLIENT_SECRET\"");
            }
            if (current.contentType) parts.push("-H", quote("Content-Type: " + current.contentType), "-d", quote(bodyText()));
            return parts.join(" ");
          }

          function render() {
            if (!current) return;
            $("sb-curl").textContent = curl();
            var sameOrigin = false;
            try { sameOrigin = new URL(base.value).origin === window.location.origin; } catch (e) { sameOrigin = false; }
            $("sb-send").disabled = !sameOrigin;
            $("sb-note").textContent = sameOrigin ? "" : "Send runs against this page's own server only; copy the cURL for others.";
          }

          function send() {
            if (!current) return;
            var headers = {};
            if (current.bearer && credential.value) headers["Authorization"] = "Bearer " + credential.value;
            if (current.basic && credential.value) headers["Authorization"] = "Basic " + btoa(credential.value);
            var init = { method: current.method, headers: headers, credentials: "omit" };
            if (current.contentType) { headers["Content-Type"] = current.contentType; init.body = bodyText(); }
            var result = $("sb-result");
            result.textContent = "Sending…";
            fetch(url(), init).then(function (response) {
              return response.text().then(function (text) {
                var shown = text;
                try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (e) {}
                result.textContent = "HTTP " + response.status + " " + response.statusText + "\n" +
                  (response.headers.get("content-type") || "") + "\n\n" + shown;
              });
            }).catch(function (error) { result.textContent = "Request failed: " + error; });
          }

          function fromHash() {
            var match = /^#sandbox\/(.+)$/.exec(window.location.hash);
            if (match && select(decodeURIComponent(match[1]), false)) {
              // Scroll only when the sandbox is not already in view.
              var top = $("sandbox").getBoundingClientRect().top;
              if (top < 0 || top > window.innerHeight - 300) $("sandbox").scrollIntoView();
              return true;
            }
            return false;
          }

          family.addEventListener("change", function () { fillOperations(); select(operation.value, true); });
          operation.addEventListener("change", function () { select(operation.value, true); });
          [base, credential, body].forEach(function (input) { input.addEventListener("input", render); });
          $("sb-send").addEventListener("click", send);
          $("sb-copy").addEventListener("click", function () {
            if (navigator.clipboard) navigator.clipboard.writeText($("sb-curl").textContent);
          });
          $("sb-form").addEventListener("submit", function (event) { event.preventDefault(); });
          window.addEventListener("hashchange", fromHash);
          if (!fromHash()) {
            var first = data.operations.filter(function (op) { return op.id === "registerTenant"; })[0] || data.operations[0];
            if (first) select(first.id, false);
          }
        })();
        """#
}
