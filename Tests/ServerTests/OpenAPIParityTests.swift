import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

@Suite struct OpenAPIParityTests {
    /// (METHOD, /path/{param}) pairs from the document.
    func documentedRoutes() throws -> Set<String> {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]
        var routes: Set<String> = []
        for (path, operations) in paths {
            for method in operations.keys where methods.contains(method) {
                routes.insert("\(method.uppercased()) \(path)")
            }
        }
        return routes
    }

    /// The router's routes, with Hummingbird's `:param` written as OpenAPI's `{param}`.
    func routerRoutes() throws -> Set<String> {
        let app = try TestApp()
        let router = ArbiterApplication.makeRouter(services: app.services, configuration: app.configuration)
        return Set(router.routes.map { route in
            let path = route.path.description.split(separator: "/", omittingEmptySubsequences: false).map { segment in
                segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
            }.joined(separator: "/")
            return "\(route.method.rawValue) \(path)"
        })
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedRouteExists() throws {
        let documented = try documentedRoutes()
        let routed = try routerRoutes()
        #expect(routed.subtracting(documented).isEmpty, "undocumented routes: \(routed.subtracting(documented).sorted())")
        #expect(documented.subtracting(routed).isEmpty, "documented but missing: \(documented.subtracting(routed).sorted())")
        #expect(!routed.isEmpty)
    }

    @Test func documentIsServed() async throws {
        let app = try TestApp()
        try await app.test { client in
            let response = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(response.status == .ok)
            #expect(response.json["openapi"] as? String == "3.1.0")
        }
    }
}
