import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import NIOCore
import Testing
@testable import Server

/// One scrape of `/metrics`, parsed: series (name plus sorted labels) → value, and the
/// `# TYPE` of each metric name.
struct Scrape {
    var values: [String: Double] = [:]
    var types: [String: String] = [:]

    init(_ text: String) {
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                if parts.count == 4 { types[String(parts[2])] = String(parts[3]) }
                continue
            }
            if line.hasPrefix("#") { continue }
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            values[Self.canonical(String(line[..<space]))] = value
        }
    }

    /// `name{b="2",a="1"}` → `name{a="1",b="2"}` so tests need not know the label order.
    static func canonical(_ series: String) -> String {
        guard let brace = series.firstIndex(of: "{"), series.hasSuffix("}") else { return series }
        let name = series[..<brace]
        let inner = series[series.index(after: brace)..<series.index(before: series.endIndex)]
        let labels = inner.split(separator: ",").map(String.init).sorted()
        return "\(name){\(labels.joined(separator: ","))}"
    }

    subscript(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        if labels.isEmpty { return values[name] }
        let rendered = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ",")
        return values["\(name){\(rendered)}"]
    }
}

extension TestClientProtocol {
    func scrape() async throws -> Scrape {
        let response = try await execute(uri: "/metrics", method: .get)
        #expect(response.status == .ok)
        #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
        return Scrape(String(buffer: response.body))
    }
}

@Suite struct MetricsRouteTests {
    @Test func checksTokensAndRequestsMoveTheirCounters() async throws {
        let f = try await RuntimeFixture()
        try await f.activate("acme")
        let admin = try await f.m.adminToken()
        let application = try await f.services.clients.createApplication(tenantId: f.acme, name: "Billing", actor: "test")
        let issued = try await f.services.clients.createClient(
            tenantId: f.acme, applicationId: application.id, name: "Billing sync", purpose: .automation,
            scopes: ["arbiter.api"], grantor: .operator, actor: "test")
        try await f.m.test { client in
            let before = try await client.scrape()
            let allowLabels = ["route": "check", "outcome": "allow"]
            let denyLabels = ["route": "check", "outcome": "deny"]
            // Every series exists at 0 before anything happened.
            #expect(before["arbiter_authorization_decisions_total", allowLabels] == 0)
            #expect(before["arbiter_authorization_decisions_total", ["route": "check_batch", "outcome": "deny"]] == 0)
            #expect(before["arbiter_webhook_deliveries_total", ["outcome": "delivered"]] == 0)

            let allowed = try await client.check(admin, ["action": "read", "resource": ["type": "Document", "id": "doc-1"]])
            #expect(allowed.allowed == true)
            let denied = try await client.check(admin, ["action": "read", "resource": ["type": "Document", "id": "doc-secret"]])
            #expect(denied.allowed == false)
            let batch = try await client.call(.post, "/api/runtime/authorization/check-batch", admin, ["checks": [
                ["action": "read", "resource": ["type": "Document", "id": "doc-1"]],
                ["action": "read", "resource": ["type": "Document", "id": "doc-1"]],
                ["action": "read", "resource": ["type": "Document", "id": "doc-secret"]],
            ]])
            #expect(batch.status == .ok)
            // A rejected check (400) decides nothing.
            let invalid = try await client.check(admin, ["action": 12])
            #expect(invalid.status == .badRequest)

            let scope = try await client.createScope(admin, organizationId: f.m.organizationId(), name: "acme")
            let scoped = try await client.call(.post, "/api/runtime/authorization/check-scoped", admin, ["action": "read", "scope": scope])
            #expect(scoped.status == .ok, "\(String(buffer: scoped.body))")
            let scopedAllowed = try #require(scoped.allowed)

            let token = try await client.execute(
                uri: "/t/acme/connect/token", method: .post, headers: basic(issued.client.clientId, issued.secret),
                body: form(["grant_type": "client_credentials"]))
            #expect(token.status == .ok)
            let refused = try await client.execute(
                uri: "/t/acme/connect/token", method: .post, headers: basic(issued.client.clientId, "wrong"),
                body: form(["grant_type": "client_credentials"]))
            #expect(refused.status == .unauthorized)

            // Unknown paths all count under one family; the raw path never becomes a label.
            let missing = try await client.execute(uri: "/no/such/path-\(UUID().uuidString)", method: .get)
            #expect(missing.status == .notFound)
            f.services.metrics.webhookDelivery(outcome: "delivered")
            f.services.metrics.webhookDelivery(outcome: "Weird Outcome!")

            let response = try await client.execute(uri: "/metrics", method: .get)
            let text = String(buffer: response.body)
            let after = Scrape(text)
            func moved(_ name: String, _ labels: [String: String]) -> Double {
                (after[name, labels] ?? .nan) - (before[name, labels] ?? 0)
            }
            #expect(moved("arbiter_authorization_decisions_total", allowLabels) == 1)
            #expect(moved("arbiter_authorization_decisions_total", denyLabels) == 1)
            #expect(moved("arbiter_authorization_decisions_total", ["route": "check_batch", "outcome": "allow"]) == 2)
            #expect(moved("arbiter_authorization_decisions_total", ["route": "check_batch", "outcome": "deny"]) == 1)
            #expect(moved("arbiter_authorization_decisions_total", ["route": "check_scoped", "outcome": scopedAllowed ? "allow" : "deny"]) == 1)
            #expect(moved("arbiter_authorization_decisions_total", ["route": "check_scoped", "outcome": scopedAllowed ? "deny" : "allow"]) == 0)
            // Evaluations: two checks (the invalid one never reached the evaluator), one batch, one scoped.
            #expect(moved("arbiter_evaluator_duration_seconds_count", ["route": "check"]) == 2)
            #expect(moved("arbiter_evaluator_duration_seconds_count", ["route": "check_batch"]) == 1)
            #expect(moved("arbiter_evaluator_duration_seconds_count", ["route": "check_scoped"]) == 1)
            #expect(after["arbiter_evaluator_duration_seconds_bucket", ["route": "check", "le": "+Inf"]] == after["arbiter_evaluator_duration_seconds_count", ["route": "check"]])
            #expect(after["arbiter_evaluator_duration_seconds_bucket", ["route": "check", "le": "0.0001"]] != nil)

            #expect(moved("arbiter_tokens_issued_total", ["grant_type": "client_credentials"]) == 1)
            #expect(moved("arbiter_tokens_issued_total", ["grant_type": "authorization_code"]) == 0)

            // 2 checks + batch + scoped answered 2xx under "authorization"; the invalid check 4xx.
            #expect(moved("arbiter_http_requests_total", ["family": "authorization", "status": "2xx"]) == 4)
            #expect(moved("arbiter_http_requests_total", ["family": "authorization", "status": "4xx"]) == 1)
            #expect(moved("arbiter_http_requests_total", ["family": "protocol", "status": "2xx"]) == 1)
            #expect(moved("arbiter_http_requests_total", ["family": "protocol", "status": "4xx"]) == 1)
            #expect(moved("arbiter_http_requests_total", ["family": "unmatched", "status": "4xx"]) == 1)
            // The first scrape itself was counted before the second one was rendered.
            #expect(moved("arbiter_http_requests_total", ["family": "metrics", "status": "2xx"]) == 1)
            #expect(!text.contains("no/such/path"))
            #expect(after.types["arbiter_http_request_duration_seconds"] == "histogram")
            #expect(after.types["arbiter_http_requests_total"] == "counter")
            for bucket in ["0.001", "0.1", "1.0", "10.0", "+Inf"] {
                #expect(after["arbiter_http_request_duration_seconds_bucket", ["family": "authorization", "le": bucket]] != nil, "bucket \(bucket)")
            }
            #expect(moved("arbiter_http_request_duration_seconds_count", ["family": "authorization"]) == 5)
            #expect((after["arbiter_http_request_duration_seconds_sum", ["family": "authorization"]] ?? 0) > 0)

            #expect(moved("arbiter_webhook_deliveries_total", ["outcome": "delivered"]) == 1)
            #expect(after["arbiter_webhook_deliveries_total", ["outcome": "weird_outcome_"]] == 1)

            // Gauges read at scrape time.
            #expect((after["arbiter_lmdb_map_size_bytes"] ?? 0) > 0)
            #expect((after["arbiter_lmdb_map_used_bytes"] ?? 0) > 0)
            #expect((after["arbiter_lmdb_map_used_bytes"] ?? .infinity) <= (after["arbiter_lmdb_map_size_bytes"] ?? 0))
            #expect((after["arbiter_lmdb_readers"] ?? 0) >= 1)
            #expect(after["arbiter_lmdb_max_readers"] == 512)
            #expect(after.types["arbiter_lmdb_readers"] == "gauge")
        }
    }

    @Test func eachApplicationCountsOnlyItsOwnRequests() async throws {
        let first = try TestApp()
        let second = try TestApp()
        try await first.test { client in
            for _ in 0..<3 { _ = try await client.execute(uri: "/healthz", method: .get) }
        }
        try await second.test { client in
            let scrape = try await client.scrape()
            #expect(scrape["arbiter_http_requests_total", ["family": "health", "status": "2xx"]] == 0)
        }
        try await first.test { client in
            let scrape = try await client.scrape()
            #expect(scrape["arbiter_http_requests_total", ["family": "health", "status": "2xx"]] == 3)
        }
    }

    @Test func routeFamiliesComeFromTemplatesNotRawPaths() {
        #expect(RouteFamily(endpoint: "/api/runtime/authorization/check") == .authorization)
        #expect(RouteFamily(endpoint: "/api/runtime/scopes/{scopeId}/grants/{userId}") == .runtime)
        #expect(RouteFamily(endpoint: "/api/organizations/{organizationId}/audit-events") == .organizations)
        #expect(RouteFamily(endpoint: "/t/{slug}/connect/token") == .protocolEndpoints)
        #expect(RouteFamily(endpoint: "/scim/v2/enterprise-connections/{connectionId}/Users") == .scim)
        #expect(RouteFamily(endpoint: "/api/marketplace/installations") == .licensing)
        #expect(RouteFamily(endpoint: "/device") == .deviceVerification)
        #expect(RouteFamily(endpoint: "NotFound") == .unmatched)
        #expect(RouteFamily(endpoint: nil) == .unmatched)
        #expect(Set(RouteFamily.allCases.map(\.label)).count == RouteFamily.allCases.count)
    }

    @Test func webhookOutcomeLabelsAreBounded() async throws {
        let app = try TestApp()
        for index in 0..<40 { app.services.metrics.webhookDelivery(outcome: "outcome\(index)") }
        let scrape = Scrape(String(decoding: app.services.metrics.exposition(), as: UTF8.self))
        let series = scrape.values.keys.filter { $0.hasPrefix("arbiter_webhook_deliveries_total{") }
        #expect(series.count == ArbiterMetrics.maxWebhookOutcomes + 1)  // 16 distinct + "other"
        #expect(scrape["arbiter_webhook_deliveries_total", ["outcome": "other"]] == Double(40 - (ArbiterMetrics.maxWebhookOutcomes - 3)))
    }
}
