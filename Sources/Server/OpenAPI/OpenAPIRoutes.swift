import HTTPTypes
import Hummingbird

/// `GET /openapi.json`: the OpenAPI 3.1 document of every route (DESIGN §5).
struct OpenAPIRoutes {
    func add(to router: Router<ArbiterRequestContext>) {
        let body = ByteBuffer(string: OpenAPIDocument.json)
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
        }
    }
}
