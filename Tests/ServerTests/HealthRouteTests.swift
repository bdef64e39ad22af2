import HummingbirdTesting
import Testing
@testable import Server

@Suite struct HealthRouteTests {
    @Test func healthAndReadiness() async throws {
        let app = try TestApp()
        try await app.test { client in
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
            #expect(health.json["status"] as? String == "ok")
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .ok)
            #expect(ready.json["status"] as? String == "ready")
        }
    }
}
